package org.headlab.train;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.headlab.core.data.BracketPair;
import org.headlab.core.data.Tokenizer;
import org.headlab.core.data.Tokenizers;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.DatasetRecord;
import org.headlab.core.run.Run;

/**
 * Prints the per-checkpoint bracket scores of a run (the tables in sample-runs/dyck/README.md):
 * {@code java -cp target/classes:target/test-classes:CP org.headlab.train.BracketMatchingReport RUN [TEXTS]}.
 * Uses the first TEXTS (default 200) strings of the run's held-out slice and the run's bracket pairs.
 */
public final class BracketMatchingReport {
    private BracketMatchingReport() {
    }

    public static void main(String[] args) {
        Run run = Run.open(Path.of(args[0]));
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        Tokenizer tok = Tokenizers.create(run.manifest().tokenizer(), run.dir());
        List<BracketPair> pairs = run.manifest().tokenizer().bracketPairs();
        List<String> texts = run.readDataset("heldout").stream().map(DatasetRecord::text).limit(n).toList();
        System.out.println("step\tbest_match_head\tmatch\tbest_enclosing_head\tenclosing\tclosers\tall_match");
        for (int step : run.steps()) {
            BracketMatching.Scores s;
            try (Transformer m = Transformer.create(run.config(), run.weights(step))) {
                s = BracketMatching.score(m, tok, pairs, texts);
            }
            int[] b = s.bestMatchHead();
            int[] e = {0, 0};
            StringBuilder all = new StringBuilder();
            for (int l = 0; l < s.match().length; l++) {
                for (int h = 0; h < s.match()[l].length; h++) {
                    if (s.enclosing()[l][h] > s.enclosing()[e[0]][e[1]]) {
                        e = new int[] {l, h};
                    }
                    all.append(String.format(Locale.ROOT, " %d:%d=%.3f", l, h, s.match()[l][h]));
                }
            }
            System.out.printf(Locale.ROOT, "%d\t%d:%d\t%.3f\t%d:%d\t%.3f\t%d\t%s%n", step, b[0], b[1], s.bestMatch(),
                    e[0], e[1], s.enclosing()[e[0]][e[1]], s.closers(), all.toString().trim());
        }
    }
}
