package org.headlab.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.headlab.core.data.SExpressionEvaluator;
import org.headlab.core.data.TokenStructure;
import org.headlab.core.data.Tokenizer;
import org.headlab.core.data.Tokenizers;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.DatasetRecord;
import org.headlab.core.run.Run;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The numbers of sample-runs/sexpr/README.md: per checkpoint, the accuracy of the argmax prediction after {@code =}
 * on held-out expressions (overall, depth 1, deeper) against the majority-value baseline, and per head, at chosen
 * checkpoints, where the heads look:
 * {@code java -cp target/classes:target/test-classes:CP org.headlab.train.SExpressionRunReport RUN [TEXTS] [STEP,...]}
 * (default: all held-out texts; head tables at step 0, the middle checkpoint and the last).
 *
 * <p>Per head: {@code =op} / {@code =args} / {@code =close} / {@code =bos}: mean attention from the {@code =} query
 * to the outermost operator, to the first tokens of the outermost expression's arguments (a digit or the opening
 * bracket of a nested argument; summed), to the outermost closing bracket, and to BOS. {@code match}: mean attention
 * from each closing bracket to its matching opening bracket (TokenStructure). {@code r(depth,bos)}: Pearson
 * correlation, over every query token of the expression, between its nesting depth (TokenStructure convention; the
 * operator and arguments of the outermost expression have depth 1) and its attention to BOS, the signature of a head
 * that counts open brackets by spreading attention uniformly over the prefix; since depth and BOS attention both
 * change with the position (uniform attention puts 1/(q+1) on BOS), {@code r(depth,bos*(q+1))} correlates depth
 * with the BOS attention relative to that uniform share, which is about 0 for a head that ignores depth.
 * The checkpoint table also gives the value accuracy on the first 1000 training expressions ({@code train_all},
 * {@code train_d1}), to tell memorising from computing.
 *
 * <p>Structure columns of the checkpoint table: {@code =|outer)}, the share of expressions whose outermost closing
 * bracket is followed by an argmax {@code =} (right: the expression is complete); {@code =|inner)}, the share of inner
 * closing brackets followed by an argmax {@code =} (wrong: brackets are still open). Both need the bracket depth.
 */
public final class SExpressionRunReport {
    private SExpressionRunReport() {
    }

    /** One held-out expression: tokens with BOS first, the position of {@code =}, its value and nesting depth. */
    record Item(int[] ids, List<String> tokens, int eq, int value, int depth) {
    }

    public static void main(String[] args) {
        Run run = Run.open(Path.of(args[0]));
        int n = args.length > 1 ? Integer.parseInt(args[1]) : Integer.MAX_VALUE;
        Tokenizer tok = Tokenizers.create(run.manifest().tokenizer(), run.dir());
        List<Item> items = new ArrayList<>();
        for (DatasetRecord r : run.readDataset("heldout")) {
            if (items.size() >= n) {
                break;
            }
            items.add(item(tok, r.text()));
        }
        List<Item> trainItems = new ArrayList<>();
        for (DatasetRecord r : run.readDataset("train")) {
            if (trainItems.size() >= Math.min(n, 1000)) {
                break;
            }
            trainItems.add(item(tok, r.text()));
        }
        int majority = majorityValue(run);
        int[] counts = new int[4];
        int[] base = new int[4];
        for (Item it : items) {
            int g = Math.min(it.depth, 3);
            counts[g]++;
            counts[0]++;
            if (it.value == majority) {
                base[g]++;
                base[0]++;
            }
        }
        System.out.printf(Locale.ROOT, "held-out expressions: %d (depth 1: %d, depth 2: %d, depth 3: %d); majority "
                + "value in training: %d%n", counts[0], counts[1], counts[2], counts[3], majority);
        System.out.printf(Locale.ROOT, "baseline (always %d): all %.3f, depth 1 %.3f, deeper %.3f (d2 %.3f, d3 %.3f)%n",
                majority, frac(base[0], counts[0]), frac(base[1], counts[1]), frac(base[2] + base[3],
                        counts[2] + counts[3]), frac(base[2], counts[2]), frac(base[3], counts[3]));
        Map<Integer, Double> heldoutLoss = new HashMap<>();
        JsonNode metrics = run.manifest().training().get("checkpoint_metrics");
        if (metrics != null) {
            for (JsonNode m : metrics) {
                if (m.has("heldout_loss")) {
                    heldoutLoss.put(m.get("step").asInt(), m.get("heldout_loss").asDouble());
                }
            }
        }
        int eqId = tok.encode("=")[0];
        System.out.println("step\tall\tdepth1\tdeeper\tdepth2\tdepth3\tvalue_loss\theldout_loss\t=|outer)\t=|inner)"
                + "\ttrain_all\ttrain_d1");
        for (int step : run.steps()) {
            int[] right = new int[4];
            double valueLoss = 0;
            int outerEq = 0;
            int innerEq = 0;
            int inner = 0;
            try (Transformer m = Transformer.create(run.config(), run.weights(step))) {
                for (Item it : items) {
                    float[][] all = m.forward(new int[][] {it.ids}).logits()[0];
                    float[] logits = all[it.eq];
                    // structure: after the outermost ")" the next token is "=", after an inner ")" it is not
                    outerEq += argmax(all[it.eq - 1]) == eqId ? 1 : 0;
                    for (int q = 1; q < it.eq - 1; q++) {
                        if (it.tokens.get(q).equals(")")) {
                            inner++;
                            innerEq += argmax(all[q]) == eqId ? 1 : 0;
                        }
                    }
                    int target = it.ids[it.eq + 1];
                    if (argmax(logits) == target) {
                        right[0]++;
                        right[Math.min(it.depth, 3)]++;
                    }
                    valueLoss += logSumExp(logits) - logits[target];
                }
            }
            int[] trainRight = new int[2];
            int trainD1 = 0;
            try (Transformer m = Transformer.create(run.config(), run.weights(step))) {
                for (Item it : trainItems) {
                    boolean ok = argmax(m.forward(new int[][] {it.ids}).logits()[0][it.eq]) == it.ids[it.eq + 1];
                    trainRight[0] += ok ? 1 : 0;
                    if (it.depth == 1) {
                        trainD1++;
                        trainRight[1] += ok ? 1 : 0;
                    }
                }
            }
            System.out.printf(Locale.ROOT, "%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%s\t%.3f\t%.3f\t%.3f\t%.3f%n", step,
                    frac(right[0], counts[0]), frac(right[1], counts[1]), frac(right[2] + right[3],
                            counts[2] + counts[3]), frac(right[2], counts[2]), frac(right[3], counts[3]),
                    valueLoss / items.size(), heldoutLoss.containsKey(step)
                            ? String.format(Locale.ROOT, "%.3f", heldoutLoss.get(step)) : "-",
                    frac(outerEq, items.size()), frac(innerEq, inner), frac(trainRight[0], trainItems.size()),
                    frac(trainRight[1], trainD1));
        }
        List<Integer> steps = run.steps();
        int[] headSteps = args.length > 2 ? Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {0, steps.get(steps.size() / 2), steps.get(steps.size() - 1)};
        for (int step : headSteps) {
            heads(run, step, items);
        }
    }

    static Item item(Tokenizer tok, String text) {
        int[] body = tok.encode(text);
        int[] ids = new int[body.length + 1];
        ids[0] = tok.bosId();
        System.arraycopy(body, 0, ids, 1, body.length);
        List<String> tokens = tok.tokenStrings(ids);
        int eq = tokens.lastIndexOf("=");
        String expr = text.substring(0, text.lastIndexOf('=')).trim();
        int value = SExpressionEvaluator.evaluate(expr);
        if (!tokens.get(eq + 1).equals(Integer.toString(value))) {
            throw new IllegalStateException("value after '=' disagrees with the evaluator: " + text);
        }
        int depth = TokenStructure.of(tokens.subList(1, eq)).maxNesting();
        return new Item(ids, tokens, eq, value, depth);
    }

    static int majorityValue(Run run) {
        int[] c = new int[7];
        for (DatasetRecord r : run.readDataset("train")) {
            String t = r.text();
            c[Integer.parseInt(t.substring(t.lastIndexOf('=') + 1).trim())]++;
        }
        int best = 0;
        for (int v = 1; v < 7; v++) {
            if (c[v] > c[best]) {
                best = v;
            }
        }
        return best;
    }

    private static void heads(Run run, int step, List<Item> items) {
        int layers = run.config().nLayers();
        int heads = run.config().nHeads();
        double[][][] sums = new double[layers][heads][6]; // =op, =args, =close, =bos, match, -
        double[][][] d1 = new double[layers][heads][2]; // depth-1 only: =op, =args
        int closers = 0;
        int d1Count = 0;
        List<double[]>[][] depthBos = new List[layers][heads];
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                depthBos[l][h] = new ArrayList<>();
            }
        }
        try (Transformer m = Transformer.create(run.config(), run.weights(step))) {
            for (Item it : items) {
                float[][][][] p = m.attentionPatterns(it.ids);
                // structure of BOS + expression (BOS is not a bracket: depth 0)
                TokenStructure st = TokenStructure.of(it.tokens.subList(0, it.eq));
                int open = 1; // the outermost "("
                int op = 2;
                int close = st.match(open);
                List<Integer> argStarts = new ArrayList<>();
                for (int i = op + 1; i < close; i++) {
                    if (st.depth(i) == 1 && !st.isCloser(i)) {
                        argStarts.add(i);
                    }
                }
                if (it.depth == 1) {
                    d1Count++;
                }
                for (int l = 0; l < layers; l++) {
                    for (int h = 0; h < heads; h++) {
                        float[] row = p[l][h][it.eq];
                        double args = 0;
                        for (int a : argStarts) {
                            args += row[a];
                        }
                        sums[l][h][0] += row[op];
                        sums[l][h][1] += args;
                        sums[l][h][2] += row[close];
                        sums[l][h][3] += row[0];
                        if (it.depth == 1) {
                            d1[l][h][0] += row[op];
                            d1[l][h][1] += args;
                        }
                        for (int q = 1; q < it.eq; q++) {
                            if (st.isCloser(q)) {
                                sums[l][h][4] += p[l][h][q][st.match(q)];
                            }
                            depthBos[l][h].add(new double[] {st.depth(q), p[l][h][q][0], q});
                        }
                    }
                }
                for (int q = 1; q < it.eq; q++) {
                    if (st.isCloser(q)) {
                        closers++;
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "%nheads at step %d (%d expressions, %d of depth 1, %d closing brackets)%n",
                step, items.size(), d1Count, closers);
        System.out.println("head\t=op\t=args\t=close\t=bos\td1:=op\td1:=args\tmatch\tr(depth,bos)\tr(depth,bos*(q+1))");
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                double[] s = sums[l][h];
                System.out.printf(Locale.ROOT, "%d:%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f%n", l, h,
                        s[0] / items.size(), s[1] / items.size(), s[2] / items.size(), s[3] / items.size(),
                        d1[l][h][0] / Math.max(1, d1Count), d1[l][h][1] / Math.max(1, d1Count),
                        s[4] / Math.max(1, closers), pearson(depthBos[l][h], 0, 1),
                        relative(depthBos[l][h]));
            }
        }
    }

    /** Correlation of depth (column 0) with BOS attention relative to the uniform share 1/(q+1) (columns 1, 2). */
    static double relative(List<double[]> rows) {
        return pearson(rows.stream().map(r -> new double[] {r[0], r[1] * (r[2] + 1)}).toList(), 0, 1);
    }

    static double pearson(List<double[]> rows, int x, int y) {
        List<double[]> xy = rows.stream().map(r -> new double[] {r[x], r[y]}).toList();
        double n = xy.size();
        double mx = 0;
        double my = 0;
        for (double[] p : xy) {
            mx += p[0];
            my += p[1];
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (double[] p : xy) {
            sxy += (p[0] - mx) * (p[1] - my);
            sxx += (p[0] - mx) * (p[0] - mx);
            syy += (p[1] - my) * (p[1] - my);
        }
        return sxx == 0 || syy == 0 ? 0 : sxy / Math.sqrt(sxx * syy);
    }

    static int argmax(float[] v) {
        int a = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[a]) {
                a = i;
            }
        }
        return a;
    }

    static double logSumExp(float[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : v) {
            max = Math.max(max, x);
        }
        double s = 0;
        for (float x : v) {
            s += Math.exp(x - max);
        }
        return max + Math.log(s);
    }

    static double frac(int a, int b) {
        return b == 0 ? Double.NaN : (double) a / b;
    }
}
