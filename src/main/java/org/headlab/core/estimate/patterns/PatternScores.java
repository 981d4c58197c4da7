package org.headlab.core.estimate.patterns;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.headlab.core.HeadLabException;
import org.headlab.core.data.RepeatedTokens;
import org.headlab.core.data.TokenStructure;
import org.headlab.core.model.ActivationCache;
import org.headlab.core.model.HookPoint;
import org.headlab.core.model.TorchEngine;
import org.headlab.core.model.Transformer;

/**
 * Attention-pattern scores per head, [layer][head] each (estimators.md §4.2). A is the softmax pattern
 * [query][key]; scores are means over all (sequence, query) pairs that qualify:
 * <ul>
 *   <li>previous_token: A[i][i−1] over i ≥ 1 of the text sequences;</li>
 *   <li>current_token: A[i][i] over all i of the text sequences;</li>
 *   <li>induction: A[i][i−L+1] over second-half positions i of repeated random tokens (half length L), i.e. the
 *       token after the earlier copy of the current token;</li>
 *   <li>bracket_matching: A[c][match(c)] over closing brackets c that have a matching opener, on Dyck strings;</li>
 *   <li>depth_tracking: on S-expressions, the Pearson correlation over all (sequence, position) pairs between the
 *       head's attended bracket balance Σ_j A[i][j]·s_j (s = +1 opener, −1 closer, 0 otherwise) and the depth
 *       fraction (openers − closers among tokens 0..i)/(i+1). It is 1 for a head that attends uniformly to its
 *       prefix, the counting head of Yao et al. 2021's bounded-depth Dyck construction, whose output a later layer
 *       can turn into the nesting depth; in [−1, 1], NaN without variation;</li>
 *   <li>multigram: how much the head's attention follows the tokens rather than their positions (the paper's
 *       Appendix B: multigram heads attend along particular token pairs wherever they occur). For text sequence s and
 *       query i ≥ 2, Â_s[i] is the row A_s[i][1..i] renormalised (position 0, the usual resting place, left out),
 *       m_s = Σ_{j≥1} A_s[i][j] the mass the row puts past position 0, and M_{−s}[i] = Σ_{r≠s} A_r[i][1..i] /
 *       Σ_{r≠s} m_r the mass-weighted mean row of the other sequences long enough to have row i (leave one out, so
 *       that a row is never its own reference); the score is Σ m_s·TV(Â_s[i], M_{−s}[i]) / Σ m_s over all (s, i)
 *       whose row another sequence has too, TV the total variation distance (half the L1). It is 0 for every head
 *       whose pattern is a function of positions alone (previous-token, current-token, uniform), and approaches 1
 *       for a head whose choice of key is set by content; NaN with fewer than two sequences. Induction and bracket
 *       heads follow content too, so it is read beside their scores;</li>
 *   <li>custom: TransformerLens {@code detect_head} with the "mul" measure: per sequence Σ(A ⊙ template)/Σ A (Σ A =
 *       T, the number of rows), averaged over the text sequences.</li>
 * </ul>
 * A score without qualifying data is NaN. Sequences of different lengths are batched together (padded).
 */
public final class PatternScores {
    private static final int BATCH = 32;

    /** All scores, each [layer][head]; {@code custom} is null when no template was given. */
    public record Result(double[][] previousToken, double[][] currentToken, double[][] induction,
            double[][] bracketMatching, double[][] depthTracking, double[][] multigram, double[][] custom) {
    }

    private PatternScores() {
    }

    public static Result compute(Transformer model, PatternData data) {
        int nl = model.config().nLayers();
        int nh = model.config().nHeads();
        if (data.custom() != null) {
            checkTemplate(data.custom(), data.text());
        }
        double[][] prev = new double[nl][nh];
        double[][] cur = new double[nl][nh];
        double[][] custom = data.custom() == null ? null : new double[nl][nh];
        long[] prevCount = {0};
        long[] curCount = {0};
        ContentDependence content = new ContentDependence(nl, nh, data.text());
        forEachPattern(model, data.text(), (s, l, h, a) -> {
            content.addToMean(l, h, a);
            int t = a.length;
            for (int i = 0; i < t; i++) {
                cur[l][h] += a[i][i];
                if (i >= 1) {
                    prev[l][h] += a[i][i - 1];
                }
            }
            if (custom != null) {
                double hit = 0;
                double all = 0;
                for (int i = 0; i < t; i++) {
                    for (int j = 0; j < t; j++) {
                        hit += a[i][j] * data.custom()[i][j];
                        all += a[i][j];
                    }
                }
                custom[l][h] += all > 0 ? hit / all : 0;
            }
            if (l == 0 && h == 0) {
                prevCount[0] += t - 1;
                curCount[0] += t;
            }
        });
        scale(prev, prevCount[0]);
        scale(cur, curCount[0]);
        forEachPattern(model, data.text(), (s, l, h, a) -> content.addDeviation(l, h, a));
        if (custom != null) {
            scale(custom, data.text().size());
        }

        double[][] ind = new double[nl][nh];
        long[] indCount = {0};
        List<int[]> rep = new ArrayList<>();
        data.repeated().forEach(r -> rep.add(r.ids()));
        forEachPattern(model, rep, (s, l, h, a) -> {
            RepeatedTokens r = data.repeated().get(s);
            for (int i = r.secondHalfStart(); i < r.length(); i++) {
                ind[l][h] += a[i][r.inductionKeyPosition(i)];
                if (l == 0 && h == 0) {
                    indCount[0]++;
                }
            }
        });
        scale(ind, indCount[0]);

        double[][] brackets = new double[nl][nh];
        long[] brCount = {0};
        boolean shared = data.sexpressions().equals(data.brackets());
        DepthTracking depth = new DepthTracking(data.sexpressions(), nl, nh);
        forEachPattern(model, ids(data.brackets()), (s, l, h, a) -> {
            if (shared) {
                depth.visit(s, l, h, a);
            }
            TokenStructure st = data.brackets().get(s).structure();
            for (int c = 0; c < st.size(); c++) {
                if (st.isCloser(c) && st.match(c) >= 0 && st.match(c) < c) {
                    brackets[l][h] += a[c][st.match(c)];
                    if (l == 0 && h == 0) {
                        brCount[0]++;
                    }
                }
            }
        });
        scale(brackets, brCount[0]);

        if (!shared) {
            forEachPattern(model, ids(data.sexpressions()), depth);
        }
        return new Result(prev, cur, ind, brackets, depth.scores(), content.scores(), custom);
    }

    /**
     * The multigram score's two passes over the text patterns: the summed attention past position 0 at each
     * (row, key) over the sequences, then each row against the mass-weighted mean row of the other sequences.
     */
    private static final class ContentDependence {
        /** Rows whose mass past position 0 is below this carry no choice of key (and would divide by ~0). */
        private static final double MIN_MASS = 1e-9;
        final double[][][][] sum; // [l][h][i][j]: Σ_s A_s[i][j], j ≥ 1
        final double[][][] rowMass; // [l][h][i]: Σ_s m_s,i
        final int[][][] rows; // [l][h][i]: sequences with a row i of mass above MIN_MASS
        final double[][] weighted;
        final double[][] mass;

        ContentDependence(int nl, int nh, List<int[]> text) {
            int t = text.stream().mapToInt(x -> x.length).max().orElse(0);
            sum = new double[nl][nh][t][t];
            rowMass = new double[nl][nh][t];
            rows = new int[nl][nh][t];
            weighted = new double[nl][nh];
            mass = new double[nl][nh];
        }

        static double massPastFirst(float[] row, int i) {
            double m = 0;
            for (int j = 1; j <= i; j++) {
                m += row[j];
            }
            return m;
        }

        void addToMean(int l, int h, float[][] a) {
            for (int i = 2; i < a.length; i++) {
                double m = massPastFirst(a[i], i);
                if (m > MIN_MASS) {
                    for (int j = 1; j <= i; j++) {
                        sum[l][h][i][j] += a[i][j];
                    }
                    rowMass[l][h][i] += m;
                    rows[l][h][i]++;
                }
            }
        }

        /**
         * Each row against the others' mean (leave one out: a row in its own reference would pull the score towards
         * 0, by a factor (n−1)/n); rows that no other sequence has are left out of both sums.
         */
        void addDeviation(int l, int h, float[][] a) {
            for (int i = 2; i < a.length; i++) {
                double m = massPastFirst(a[i], i);
                double others = rowMass[l][h][i] - m;
                if (m > MIN_MASS && rows[l][h][i] >= 2 && others > MIN_MASS) {
                    double l1 = 0;
                    for (int j = 1; j <= i; j++) {
                        l1 += Math.abs(a[i][j] / m - (sum[l][h][i][j] - a[i][j]) / others);
                    }
                    weighted[l][h] += m * l1 / 2;
                    mass[l][h] += m;
                }
            }
        }

        double[][] scores() {
            double[][] out = new double[weighted.length][];
            for (int l = 0; l < out.length; l++) {
                out[l] = new double[weighted[l].length];
                for (int h = 0; h < out[l].length; h++) {
                    out[l][h] = mass[l][h] > 0 ? weighted[l][h] / mass[l][h] : Double.NaN;
                }
            }
            return out;
        }
    }

    /** Running sums of the depth-tracking correlation, one per head. */
    private static final class DepthTracking implements PatternVisitor {
        final List<PatternData.Structured> seqs;
        final double[][][] sums; // Σx Σy Σxx Σyy Σxy
        long count;

        DepthTracking(List<PatternData.Structured> seqs, int nl, int nh) {
            this.seqs = seqs;
            this.sums = new double[nl][nh][5];
        }

        @Override
        public void visit(int s, int l, int h, float[][] a) {
            TokenStructure st = seqs.get(s).structure();
            int t = a.length;
            double[] sign = new double[t];
            for (int j = 0; j < t; j++) {
                sign[j] = st.isOpener(j) ? 1 : st.isCloser(j) ? -1 : 0;
            }
            double net = 0;
            double[] acc = sums[l][h];
            for (int i = 0; i < t; i++) {
                net += sign[i];
                double y = net / (i + 1);
                double x = 0;
                for (int j = 0; j <= i; j++) {
                    x += a[i][j] * sign[j];
                }
                acc[0] += x;
                acc[1] += y;
                acc[2] += x * x;
                acc[3] += y * y;
                acc[4] += x * y;
            }
            if (l == 0 && h == 0) {
                count += t;
            }
        }

        double[][] scores() {
            double[][] out = new double[sums.length][sums[0].length];
            for (int l = 0; l < out.length; l++) {
                for (int h = 0; h < out[l].length; h++) {
                    double[] a = sums[l][h];
                    double n = count;
                    double cov = a[4] / n - (a[0] / n) * (a[1] / n);
                    double vx = a[2] / n - (a[0] / n) * (a[0] / n);
                    double vy = a[3] / n - (a[1] / n) * (a[1] / n);
                    out[l][h] = n == 0 || vx <= 1e-15 || vy <= 1e-15 ? Double.NaN : cov / Math.sqrt(vx * vy);
                }
            }
            return out;
        }
    }

    private static void checkTemplate(double[][] template, List<int[]> text) {
        if (text.isEmpty()) {
            throw new HeadLabException("the custom pattern needs text sequences to score on");
        }
        int t = text.get(0).length;
        for (int[] s : text) {
            if (s.length != t) {
                throw new HeadLabException("the custom pattern needs text sequences of one length; got " + t
                        + " and " + s.length + " tokens");
            }
        }
        boolean square = template.length == t;
        for (double[] row : template) {
            square &= row != null && row.length == t;
        }
        if (!square) {
            throw new HeadLabException("the custom pattern is " + template.length + "×"
                    + (template.length == 0 || template[0] == null ? 0 : template[0].length)
                    + " but the sequences have " + t + " tokens: it must be " + t + "×" + t + " [query][key]");
        }
    }

    private static List<int[]> ids(List<PatternData.Structured> seqs) {
        List<int[]> out = new ArrayList<>();
        seqs.forEach(s -> out.add(s.ids()));
        return out;
    }

    private static void scale(double[][] m, long count) {
        for (double[] row : m) {
            for (int h = 0; h < row.length; h++) {
                row[h] = count == 0 ? Double.NaN : row[h] / count;
            }
        }
    }

    @FunctionalInterface
    interface PatternVisitor {
        /** Sequence index s (in the given list), head l:h, its pattern [T][T]. */
        void visit(int s, int l, int h, float[][] a);
    }

    /**
     * Runs the sequences in batches and visits every head's pattern of every sequence. Sequences of different
     * lengths share a batch padded (with their first token) to the longest: attention is causal, so the first t
     * rows and columns of a padded sequence's pattern are those of the unpadded sequence.
     */
    static void forEachPattern(Transformer model, List<int[]> seqs, PatternVisitor v) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < seqs.size(); i++) {
            order.add(i);
        }
        order.sort(java.util.Comparator.comparingInt(i -> seqs.get(i).length));
        int nl = model.config().nLayers();
        int nh = model.config().nHeads();
        for (int start = 0; start < order.size(); start += BATCH) {
            List<Integer> part = order.subList(start, Math.min(order.size(), start + BATCH));
            int t = seqs.get(part.get(part.size() - 1)).length;
            int[][] batch = new int[part.size()][];
            for (int b = 0; b < batch.length; b++) {
                int[] s = seqs.get(part.get(b));
                batch[b] = java.util.Arrays.copyOf(s, t);
                java.util.Arrays.fill(batch[b], s.length, t, s.length > 0 ? s[0] : 0);
            }
            try (NDManager m = TorchEngine.newManager();
                    ActivationCache c = model.run(m, batch, EnumSet.of(HookPoint.PATTERN), null)) {
                for (int l = 0; l < nl; l++) {
                    float[] d = c.get(HookPoint.PATTERN, l).toFloatArray(); // [B,H,T,T]
                    for (int b = 0; b < batch.length; b++) {
                        int len = seqs.get(part.get(b)).length;
                        for (int h = 0; h < nh; h++) {
                            int base = (b * nh + h) * t * t;
                            float[][] a = new float[len][];
                            for (int q = 0; q < len; q++) {
                                a[q] = java.util.Arrays.copyOfRange(d, base + q * t, base + q * t + len);
                            }
                            v.visit(part.get(b), l, h, a);
                        }
                    }
                }
            }
        }
    }
}
