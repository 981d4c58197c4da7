package org.headlab.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.headlab.core.Json;
import org.headlab.core.data.RepeatedTokens;
import org.headlab.core.data.Tokenizer;
import org.headlab.core.data.TokenizerSpec;
import org.headlab.core.data.Tokenizers;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.DatasetRecord;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.run.Run;
import org.headlab.core.run.SafetensorsReader;

/**
 * Prints per-checkpoint previous-token and induction scores of a language-model run (the table in
 * sample-runs/lm/README.md):
 * {@code java -cp target/classes:target/test-classes:CP org.headlab.train.LmHeadScoresReport RUN}.
 * Previous-token score on the first {@value LmHeadScores#TEXTS} chunks of the run's {@code text-heldout} slice;
 * induction score on {@value LmHeadScores#REPEATED} repeated random sequences (L = {@value LmHeadScores#HALF}).
 * Also accepts an unfinished training folder ({@code .NAME.training}) plus a text file for the previous-token
 * texts, to watch a training as it goes (the trainer keeps a BPE run's tokenizer.json in that folder).
 */
public final class LmHeadScoresReport {
    private LmHeadScoresReport() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Tokenizer tok;
        ModelConfig config;
        Map<Integer, Path> checkpoints = new TreeMap<>();
        List<String> texts;
        Run run = null;
        if (Files.exists(dir.resolve(Run.MANIFEST_FILE))) {
            run = Run.open(dir);
            config = run.config();
            tok = Tokenizers.create(run.manifest().tokenizer(), run.dir());
            texts = run.readDataset("text-heldout").stream().map(DatasetRecord::text).limit(LmHeadScores.TEXTS)
                    .toList();
            for (int s : run.steps()) {
                checkpoints.put(s, null);
            }
        } else {
            JsonNode plan = Json.mapper().readTree(dir.resolve(Trainer.PLAN_FILE).toFile());
            tok = Tokenizers.create(Json.mapper().treeToValue(plan.get("tokenizer"), TokenizerSpec.class), dir);
            config = Json.mapper().treeToValue(plan.get("model"), ModelConfig.class);
            String all = Files.readString(Path.of(args[1]));
            texts = new ArrayList<>();
            for (int i = 0; i < LmHeadScores.TEXTS; i++) {
                int at = (int) ((long) i * (all.length() - 200) / LmHeadScores.TEXTS);
                texts.add(all.substring(at, at + config.nCtx() - 1));
            }
            try (var s = Files.list(dir.resolve("checkpoints"))) {
                s.forEach(p -> {
                    String n = p.getFileName().toString().replaceAll("\\D", "");
                    if (!n.isEmpty()) {
                        checkpoints.put(Integer.parseInt(n), p);
                    }
                });
            }
        }
        List<int[]> seqs = new ArrayList<>();
        for (String t : texts) {
            seqs.add(LmHeadScores.withBos(tok, t));
        }
        List<RepeatedTokens> rep = LmHeadScores.repeated(tok);
        System.out.println("step\tprev_head\tprev\tind_head\tind\tind_L1_head\tind_L1\tprev_L0_all\tind_L1_all");
        for (Map.Entry<Integer, Path> e : checkpoints.entrySet()) {
            Map<String, HostTensor> w = run != null ? run.weights(e.getKey()) : SafetensorsReader.readAll(e.getValue());
            double[][] p;
            double[][] ind;
            try (Transformer m = Transformer.create(config, w)) {
                p = LmHeadScores.previousToken(m, seqs);
                ind = LmHeadScores.induction(m, rep);
            }
            int bp = LmHeadScores.best(p[0]);
            int[] bi = {0, 0};
            for (int l = 0; l < ind.length; l++) {
                int h = LmHeadScores.best(ind[l]);
                if (ind[l][h] > ind[bi[0]][bi[1]]) {
                    bi = new int[] {l, h};
                }
            }
            int last = ind.length - 1;
            int b1 = LmHeadScores.best(ind[last]);
            System.out.printf(Locale.ROOT, "%d\t0:%d\t%.3f\t%d:%d\t%.3f\t%d:%d\t%.3f\t%s\t%s%n", e.getKey(), bp,
                    p[0][bp], bi[0], bi[1], ind[bi[0]][bi[1]], last, b1, ind[last][b1], fmt(p[0]), fmt(ind[last]));
        }
    }

    private static String fmt(double[] row) {
        StringBuilder sb = new StringBuilder();
        for (double v : row) {
            sb.append(sb.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", v));
        }
        return sb.toString();
    }
}
