package org.headlab.train;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.headlab.core.data.Tokenizer;
import org.headlab.core.data.Tokenizers;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.DatasetRecord;
import org.headlab.core.run.Run;

/**
 * Value accuracy of an S-expression run per checkpoint: the argmax next token after {@code =} against the true value
 * written after it, on the first TEXTS held-out expressions:
 * {@code java -cp target/classes:target/test-classes:CP org.headlab.train.SExpressionValueReport RUN [TEXTS]}.
 */
public final class SExpressionValueReport {
    private SExpressionValueReport() {
    }

    public static void main(String[] args) {
        Run run = Run.open(Path.of(args[0]));
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        Tokenizer tok = Tokenizers.create(run.manifest().tokenizer(), run.dir());
        List<String> texts = run.readDataset("heldout").stream().map(DatasetRecord::text).limit(n).toList();
        System.out.println("step\taccuracy\texpressions");
        for (int step : run.steps()) {
            int right = 0;
            int count = 0;
            try (Transformer m = Transformer.create(run.config(), run.weights(step))) {
                for (String text : texts) {
                    int[] body = tok.encode(text);
                    int[] ids = new int[body.length + 1];
                    ids[0] = tok.bosId();
                    System.arraycopy(body, 0, ids, 1, body.length);
                    List<String> strs = tok.tokenStrings(ids);
                    int eq = strs.lastIndexOf("=");
                    if (eq < 0 || eq + 1 >= ids.length || ids.length > run.config().nCtx()) {
                        continue;
                    }
                    float[] logits = m.forward(new int[][] {ids}).logits()[0][eq];
                    int arg = 0;
                    for (int v = 1; v < logits.length; v++) {
                        if (logits[v] > logits[arg]) {
                            arg = v;
                        }
                    }
                    count++;
                    if (arg == ids[eq + 1]) {
                        right++;
                    }
                }
            }
            System.out.printf(Locale.ROOT, "%d\t%.3f\t%d%n", step, count == 0 ? 0 : (double) right / count, count);
        }
    }
}
