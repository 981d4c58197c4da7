package org.headlab.core.estimate.composition;

import java.util.Map;
import java.util.SplittableRandom;
import org.headlab.core.HeadLabException;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;

/**
 * Q-, K- and V-composition scores (Elhage et al. 2021; estimators.md §5; TransformerLens
 * {@code all_composition_scores}) from a checkpoint's raw weights, row-vector convention:
 * OV_h = W_V[h]·W_O[h], QK_h = W_Q[h]·W_K[h]ᵀ (d_model × d_model), and for a sender h1 in a strictly earlier layer
 * than the receiver h2
 * <ul>
 *   <li>Q: ‖OV_{h1}·QK_{h2}‖_F / (‖OV_{h1}‖_F ‖QK_{h2}‖_F)</li>
 *   <li>K: ‖OV_{h1}·QK_{h2}ᵀ‖_F / (‖OV_{h1}‖_F ‖QK_{h2}‖_F)</li>
 *   <li>V: ‖OV_{h1}·OV_{h2}‖_F / (‖OV_{h1}‖_F ‖OV_{h2}‖_F)</li>
 * </ul>
 * Layout [L][H][L][H] (sender layer, sender head, receiver layer, receiver head), 0 where the receiver is not in a
 * strictly later layer. Raw weights, no LayerNorm folding (as TransformerLens without {@code fold_ln}). A head whose
 * OV or QK matrix is all zero scores 0.
 *
 * <p>Computation: every norm is the trace of a product of d_head × d_head Gram matrices, e.g.
 * ‖V1 O1 Q2 K2ᵀ‖_F² = tr(Mᵀ (V1ᵀV1) M (K2ᵀK2)) with M = O1 Q2, so no d_model × d_model matrix is formed. Double
 * precision throughout.
 */
public final class CompositionScores {

    /** Q, K, V scores, each [L][H][L][H]. */
    public record Result(double[][][][] q, double[][][][] k, double[][][][] v) {
    }

    /** Mean and standard deviation of one mode's score over random draws (see {@link #randomBaseline}). */
    public record Baseline(double mean, double std, int draws) {
    }

    /** Baselines of the three modes. */
    public record Baselines(Baseline q, Baseline k, Baseline v) {
    }

    private CompositionScores() {
    }

    public static Result compute(ModelConfig config, Map<String, HostTensor> weights) {
        int nl = config.nLayers();
        int nh = config.nHeads();
        int d = config.dModel();
        int e = config.dHead();
        // per head: the factors as d_model × d_head matrices (O and K as their transposes' roles need)
        double[][][][] wq = new double[nl][nh][][];
        double[][][][] wk = new double[nl][nh][][];
        double[][][][] wv = new double[nl][nh][][];
        double[][][][] wo = new double[nl][nh][][];
        for (int l = 0; l < nl; l++) {
            String b = "blocks." + l + ".attn.";
            for (int h = 0; h < nh; h++) {
                wq[l][h] = slice(weights, b + "W_Q", h, d, e);
                wk[l][h] = slice(weights, b + "W_K", h, d, e);
                wv[l][h] = slice(weights, b + "W_V", h, d, e);
                wo[l][h] = slice(weights, b + "W_O", h, e, d); // [d_head][d_model]
            }
        }
        return scores(wq, wk, wv, wo);
    }

    /**
     * The scores for random Gaussian factors of the same shapes (entries N(0,1); the scores do not depend on the
     * scale): for each mode, the mean and standard deviation over {@code draws} independent sender/receiver pairs.
     */
    public static Baselines randomBaseline(ModelConfig config, int draws, long seed) {
        if (draws < 2) {
            throw new HeadLabException("the random baseline needs at least 2 draws, got " + draws);
        }
        int d = config.dModel();
        int e = config.dHead();
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] s = new double[3][draws];
        for (int i = 0; i < draws; i++) {
            // a 2-layer, 1-head model per draw: sender in layer 0, receiver in layer 1
            double[][][][] q = new double[2][1][][];
            double[][][][] k = new double[2][1][][];
            double[][][][] v = new double[2][1][][];
            double[][][][] o = new double[2][1][][];
            for (int l = 0; l < 2; l++) {
                q[l][0] = gaussian(rng, d, e);
                k[l][0] = gaussian(rng, d, e);
                v[l][0] = gaussian(rng, d, e);
                o[l][0] = gaussian(rng, e, d);
            }
            Result r = scores(q, k, v, o);
            s[0][i] = r.q()[0][0][1][0];
            s[1][i] = r.k()[0][0][1][0];
            s[2][i] = r.v()[0][0][1][0];
        }
        return new Baselines(stats(s[0]), stats(s[1]), stats(s[2]));
    }

    private static Result scores(double[][][][] wq, double[][][][] wk, double[][][][] wv, double[][][][] wo) {
        int nl = wq.length;
        int nh = wq[0].length;
        // Grams (d_head × d_head): XᵀX for d_model × d_head factors, O Oᵀ for W_O
        double[][][][] gq = new double[nl][nh][][];
        double[][][][] gk = new double[nl][nh][][];
        double[][][][] gv = new double[nl][nh][][];
        double[][][][] go = new double[nl][nh][][];
        double[][] ovNorm = new double[nl][nh];
        double[][] qkNorm = new double[nl][nh];
        for (int l = 0; l < nl; l++) {
            for (int h = 0; h < nh; h++) {
                gq[l][h] = gramCols(wq[l][h]);
                gk[l][h] = gramCols(wk[l][h]);
                gv[l][h] = gramCols(wv[l][h]);
                go[l][h] = gramRows(wo[l][h]);
                ovNorm[l][h] = Math.sqrt(Math.max(0, traceOfProduct(gv[l][h], go[l][h])));
                qkNorm[l][h] = Math.sqrt(Math.max(0, traceOfProduct(gq[l][h], gk[l][h])));
            }
        }
        double[][][][] q = new double[nl][nh][nl][nh];
        double[][][][] k = new double[nl][nh][nl][nh];
        double[][][][] v = new double[nl][nh][nl][nh];
        for (int l1 = 0; l1 < nl; l1++) {
            for (int h1 = 0; h1 < nh; h1++) {
                for (int l2 = l1 + 1; l2 < nl; l2++) {
                    for (int h2 = 0; h2 < nh; h2++) {
                        double ov1 = ovNorm[l1][h1];
                        // ‖V1 O1 Q2 K2ᵀ‖² = tr(Mᵀ G_V1 M G_K2), M = O1 Q2
                        q[l1][h1][l2][h2] = ratio(sandwich(wo[l1][h1], wq[l2][h2], gv[l1][h1], gk[l2][h2]),
                                ov1 * qkNorm[l2][h2]);
                        k[l1][h1][l2][h2] = ratio(sandwich(wo[l1][h1], wk[l2][h2], gv[l1][h1], gq[l2][h2]),
                                ov1 * qkNorm[l2][h2]);
                        // ‖V1 O1 V2 O2‖² = tr(Mᵀ G_V1 M (O2 O2ᵀ)), M = O1 V2
                        v[l1][h1][l2][h2] = ratio(sandwich(wo[l1][h1], wv[l2][h2], gv[l1][h1], go[l2][h2]),
                                ov1 * ovNorm[l2][h2]);
                    }
                }
            }
        }
        return new Result(q, k, v);
    }

    private static double ratio(double squaredNorm, double denominator) {
        return denominator > 0 ? Math.sqrt(Math.max(0, squaredNorm)) / denominator : 0.0;
    }

    /** tr(Mᵀ L M R) with M = o·x (o: e × d, x: d × e). */
    private static double sandwich(double[][] o, double[][] x, double[][] left, double[][] right) {
        int e = o.length;
        int d = x.length;
        double[][] m = new double[e][e];
        for (int i = 0; i < e; i++) {
            for (int t = 0; t < d; t++) {
                double a = o[i][t];
                if (a != 0) {
                    for (int j = 0; j < e; j++) {
                        m[i][j] += a * x[t][j];
                    }
                }
            }
        }
        double[][] lm = multiply(left, m);
        double[][] mr = multiply(m, right);
        // tr(Mᵀ L M R) = Σ_ij (L M)_ij (M R)_ij
        double s = 0;
        for (int i = 0; i < e; i++) {
            for (int j = 0; j < e; j++) {
                s += lm[i][j] * mr[i][j];
            }
        }
        return s;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length;
        int m = b[0].length;
        double[][] c = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < b.length; t++) {
                double x = a[i][t];
                for (int j = 0; j < m; j++) {
                    c[i][j] += x * b[t][j];
                }
            }
        }
        return c;
    }

    /** tr(A B) for symmetric A, B. */
    private static double traceOfProduct(double[][] a, double[][] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a.length; j++) {
                s += a[i][j] * b[j][i];
            }
        }
        return s;
    }

    /** XᵀX for X of d × e. */
    private static double[][] gramCols(double[][] x) {
        int e = x[0].length;
        double[][] g = new double[e][e];
        for (double[] row : x) {
            for (int i = 0; i < e; i++) {
                for (int j = 0; j < e; j++) {
                    g[i][j] += row[i] * row[j];
                }
            }
        }
        return g;
    }

    /** X Xᵀ for X of e × d. */
    private static double[][] gramRows(double[][] x) {
        int e = x.length;
        double[][] g = new double[e][e];
        for (int i = 0; i < e; i++) {
            for (int j = 0; j < e; j++) {
                double s = 0;
                for (int t = 0; t < x[i].length; t++) {
                    s += x[i][t] * x[j][t];
                }
                g[i][j] = s;
            }
        }
        return g;
    }

    private static double[][] slice(Map<String, HostTensor> weights, String name, int head, int rows, int cols) {
        HostTensor t = weights.get(name);
        if (t == null) {
            throw new HeadLabException("the checkpoint has no tensor '" + name + "'");
        }
        float[] data = t.data();
        double[][] out = new double[rows][cols];
        int base = head * rows * cols;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r][c] = data[base + r * cols + c];
            }
        }
        return out;
    }

    private static double[][] gaussian(SplittableRandom rng, int rows, int cols) {
        double[][] out = new double[rows][cols];
        for (double[] row : out) {
            for (int c = 0; c < cols; c++) {
                row[c] = gaussian(rng);
            }
        }
        return out;
    }

    private static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    private static Baseline stats(double[] x) {
        double m = 0;
        for (double v : x) {
            m += v;
        }
        m /= x.length;
        double ss = 0;
        for (double v : x) {
            ss += (v - m) * (v - m);
        }
        return new Baseline(m, Math.sqrt(ss / (x.length - 1)), x.length);
    }
}
