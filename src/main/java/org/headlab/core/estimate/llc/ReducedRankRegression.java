package org.headlab.core.estimate.llc;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;
import org.headlab.core.HeadLabException;

/**
 * Reduced-rank regression, a two-layer linear network whose learning coefficient is known in closed form: y = B·A·x +
 * ε with x ∈ ℝ^M, A ∈ ℝ^{H×M}, B ∈ ℝ^{N×H}, ε ~ N(0, I_N), data from a true B₀A₀ of rank r. At the true parameter
 * the learning coefficient is Aoyagi and Watanabe's (2005, "Stochastic complexities of reduced rank regression in
 * Bayesian estimation", Neural Networks 18: 924–933), {@link #theory}. Loss: the mean negative log-likelihood
 * ½‖y − BAx‖² (constants dropped), so λ̂ = nβ·(E[L] − L(w₀)) estimates λ with nβ = n/ln n.
 *
 * <p>The loss depends on the data only through S_xx = mean x xᵀ, S_yx = mean y xᵀ and mean ‖y‖²; they are computed
 * once for the full batch (devinterp's accuracy tests sample full-batch) and per minibatch otherwise. Runs through
 * the same {@link SgldSampler} and {@link SgldUpdate} as the transformer.
 */
public final class ReducedRankRegression extends DoubleChainsTarget {
    private final int m;
    private final int n;
    private final int h;
    private final int rank;
    private final double[][] x;
    private final double[][] y;
    private double[][] fullStats;

    /**
     * @param inputs M, @param outputs N, @param hidden H, @param rank r ≤ min(M, N, H) of the true map
     * @param samples the data size n
     */
    public ReducedRankRegression(int inputs, int outputs, int hidden, int rank, int samples, long dataSeed,
            int chains) {
        super(trueParameters(inputs, outputs, hidden, rank), allCoordinates(hidden * inputs
                + outputs * hidden), chains);
        this.m = inputs;
        this.n = outputs;
        this.h = hidden;
        this.rank = rank;
        SplittableRandom rnd = new SplittableRandom(dataSeed);
        double[][] w0 = {Arrays.copyOfRange(centre, 0, h * m), Arrays.copyOfRange(centre, h * m, centre.length)};
        x = new double[samples][m];
        y = new double[samples][n];
        for (int s = 0; s < samples; s++) {
            for (int j = 0; j < m; j++) {
                x[s][j] = rnd.nextGaussian();
            }
            double[] f = apply(w0[0], w0[1], x[s]);
            for (int k = 0; k < n; k++) {
                y[s][k] = f[k] + rnd.nextGaussian();
            }
        }
    }

    /**
     * w₀ = (A₀, B₀) with A₀[i][i] = B₀[i][i] = 1 for i < r and 0 elsewhere: B₀A₀ has rank r and unit singular
     * values, so every case has the same curvature scale and one step size serves all shapes.
     */
    private static double[] trueParameters(int inputs, int outputs, int hidden, int rank) {
        if (inputs < 1 || outputs < 1 || hidden < 1 || rank < 0 || rank > Math.min(hidden, Math.min(inputs,
                outputs))) {
            throw new HeadLabException("reduced-rank regression: need M, N, H ≥ 1 and 0 ≤ r ≤ min(M, N, H), got M "
                    + inputs + ", N " + outputs + ", H " + hidden + ", r " + rank);
        }
        double[] c = new double[hidden * inputs + outputs * hidden];
        for (int i = 0; i < rank; i++) {
            c[i * inputs + i] = 1;
            c[hidden * inputs + i * hidden + i] = 1;
        }
        return c;
    }

    private static int[] allCoordinates(int n) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        return all;
    }

    /**
     * Aoyagi–Watanabe: with H + r ≤ M + N, M + r ≤ N + H, N + r ≤ M + H,
     * λ = [2(H + r)(M + N) − (M − N)² − (H + r)²]/8, plus 1/8 when M + N + H + r is odd; otherwise
     * λ = (HN − Hr + Mr)/2 if N + H < M + r, (HM − Hr + Nr)/2 if M + H < N + r, and MN/2 if M + N < H + r.
     */
    public static double theory(int inputs, int outputs, int hidden, int rank) {
        int mm = inputs;
        int nn = outputs;
        int hh = hidden;
        int r = rank;
        if (nn + hh < mm + r) {
            return (hh * nn - hh * r + mm * r) / 2.0;
        }
        if (mm + hh < nn + r) {
            return (hh * mm - hh * r + nn * r) / 2.0;
        }
        if (mm + nn < hh + r) {
            return mm * nn / 2.0;
        }
        int s = 2 * (hh + r) * (mm + nn) - (mm - nn) * (mm - nn) - (hh + r) * (hh + r);
        return ((mm + nn + hh + r) % 2 == 0 ? s : s + 1) / 8.0;
    }

    /** Samples at w₀ with {@code cfg} (use the full batch, nβ = n/ln n, as {@link #config}). */
    public static LlcResult estimate(int inputs, int outputs, int hidden, int rank, SgldConfig cfg,
            BooleanSupplier cancelled) {
        try (ReducedRankRegression t = new ReducedRankRegression(inputs, outputs, hidden, rank, cfg.batchSize(),
                cfg.seed() ^ 0x9E3779B97F4A7C15L, cfg.chains())) {
            return SgldSampler.sample(t, cfg, cancelled);
        }
    }

    /** Full batch of {@code samples}, nβ = n/ln n, γ 1, MALA on; ε, chains and draws as given. */
    public static SgldConfig config(int samples, double epsilon, int chains, int draws, long seed) {
        return new SgldConfig(epsilon, 1, SgldConfig.defaultNbeta(samples), 1, chains, draws, 0, samples, 1, seed,
                true);
    }

    private double[] apply(double[] a, double[] b, double[] xs) {
        double[] hidden = new double[h];
        for (int i = 0; i < h; i++) {
            double s = 0;
            for (int j = 0; j < m; j++) {
                s += a[i * m + j] * xs[j];
            }
            hidden[i] = s;
        }
        double[] out = new double[n];
        for (int k = 0; k < n; k++) {
            double s = 0;
            for (int i = 0; i < h; i++) {
                s += b[k * h + i] * hidden[i];
            }
            out[k] = s;
        }
        return out;
    }

    /** {S_xx (M×M, row-major), S_yx (N×M), [mean ‖y‖²]} over {@code rows}. */
    private double[][] stats(int[] rows) {
        if (rows.length == x.length && fullStats != null) {
            return fullStats;
        }
        double[] sxx = new double[m * m];
        double[] syx = new double[n * m];
        double yy = 0;
        for (int r : rows) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < m; j++) {
                    sxx[i * m + j] += x[r][i] * x[r][j];
                }
                for (int k = 0; k < n; k++) {
                    syx[k * m + i] += y[r][k] * x[r][i];
                }
            }
            for (int k = 0; k < n; k++) {
                yy += y[r][k] * y[r][k];
            }
        }
        for (int i = 0; i < sxx.length; i++) {
            sxx[i] /= rows.length;
        }
        for (int i = 0; i < syx.length; i++) {
            syx[i] /= rows.length;
        }
        double[][] s = {sxx, syx, {yy / rows.length}};
        if (rows.length == x.length) {
            fullStats = s; // every full batch is the whole data set, in some order
        }
        return s;
    }

    /** L = ½[mean‖y‖² − 2 tr(W S_xy) + tr(W S_xx Wᵀ)], W = BA; fills {@code g} (∂L/∂A, ∂L/∂B) when not null. */
    private double loss(double[] v, int[] rows, double[] g) {
        double[][] s = stats(rows);
        double[] wm = new double[n * m]; // W = B·A
        for (int k = 0; k < n; k++) {
            for (int j = 0; j < m; j++) {
                double acc = 0;
                for (int i = 0; i < h; i++) {
                    acc += v[h * m + k * h + i] * v[i * m + j];
                }
                wm[k * m + j] = acc;
            }
        }
        double[] d = new double[n * m]; // ∂L/∂W = W S_xx − S_yx
        double cross = 0;
        double quad = 0;
        for (int k = 0; k < n; k++) {
            for (int j = 0; j < m; j++) {
                double ws = 0;
                for (int l = 0; l < m; l++) {
                    ws += wm[k * m + l] * s[0][l * m + j];
                }
                d[k * m + j] = ws - s[1][k * m + j];
                quad += ws * wm[k * m + j];
                cross += wm[k * m + j] * s[1][k * m + j];
            }
        }
        if (g != null) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < m; j++) { // ∂L/∂A = Bᵀ ∂L/∂W
                    double acc = 0;
                    for (int k = 0; k < n; k++) {
                        acc += v[h * m + k * h + i] * d[k * m + j];
                    }
                    g[i * m + j] = acc;
                }
            }
            for (int k = 0; k < n; k++) {
                for (int i = 0; i < h; i++) { // ∂L/∂B = ∂L/∂W Aᵀ
                    double acc = 0;
                    for (int j = 0; j < m; j++) {
                        acc += d[k * m + j] * v[i * m + j];
                    }
                    g[h * m + k * h + i] = acc;
                }
            }
        }
        return 0.5 * (s[2][0] - 2 * cross + quad);
    }

    @Override
    public int size() {
        return x.length;
    }


    @Override
    public double centreLoss(int[] rows) {
        return loss(centre, rows, null);
    }

    @Override
    public double[] lossesAndGradients(int[][] rows, boolean[] active) {
        double[] out = new double[w.length];
        for (int c = 0; c < w.length; c++) {
            out[c] = active[c] ? loss(w[c], rows[c], grad[c]) : Double.NaN;
        }
        return out;
    }

    /** ∂L/∂(A, B) at {@code v} on every sample (tests: against finite differences). */
    double[] gradient(double[] v) {
        int[] all = new int[x.length];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        double[] g = new double[centre.length];
        loss(v, all, g);
        return g;
    }

    double lossAt(double[] v) {
        int[] all = new int[x.length];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return loss(v, all, null);
    }

    double[] centre() {
        return centre.clone();
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("model", "reduced_rank_regression");
        d.put("inputs", m);
        d.put("outputs", n);
        d.put("hidden", h);
        d.put("rank", rank);
        d.put("n", x.length);
        return d;
    }
}
