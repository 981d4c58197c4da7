package org.headlab.core.estimate.llc;

import java.util.ArrayList;
import java.util.List;

/**
 * Convergence diagnostics of the sampled loss traces (estimators.md §2.7: the paper's pipeline runs Geweke with
 * the first 10 % against the last 50 %), beside MALA acceptance and loss health:
 *
 * <ul>
 *   <li><b>Geweke z</b> per chain: z = (mean of the first 10 % − mean of the last 50 %) / sqrt(Var(first mean) +
 *       Var(last mean)), each variance of a segment mean estimated by non-overlapping batch means (batches of
 *       ⌊√n⌋ draws), which stands in for the spectral density at zero when the draws are autocorrelated. A chain
 *       still drifting away from w* (SGLD starts there with burn-in 0) has a first segment below the last: z ≪ 0.
 *   <li><b>Gelman–Rubin R̂</b> across chains (Gelman et al., BDA3 eq. 11.3–11.4, without splitting):
 *       B = n/(m−1)·Σ(mean_j − mean)², W = mean of the chain variances, var⁺ = (n−1)/n·W + B/n, R̂ = √(var⁺/W).
 *       Chains that settle at different levels give R̂ ≫ 1.
 *   <li><b>Verdict</b>: converged when R̂ ≤ {@value #RHAT_MAX} and every chain has |z| ≤ {@value #Z_MAX}
 *       (≈ a two-sided 5 % test per chain after a Bonferroni correction over the paper's 4 chains: Φ⁻¹(1 −
 *       0.025/4) = 2.50). Undecidable (too few draws or chains) counts as not converged, with the reason.
 * </ul>
 *
 * @param gewekeZ per chain; NaN for an excluded chain or a trace too short (fewer than {@value #MIN_DRAWS} draws)
 * @param rHat NaN with fewer than two included chains or too few draws
 * @param converged the verdict
 * @param reason why not converged ("" when converged)
 */
public record Convergence(double[] gewekeZ, double rHat, boolean converged, String reason) {
    /** Gelman & Rubin's usual cut-off for "chains agree". */
    public static final double RHAT_MAX = 1.1;
    /** Bonferroni-corrected two-sided 5 % normal quantile for 4 chains. */
    public static final double Z_MAX = 2.5;
    /** The first 10 % must hold two batches of at least one draw: 20 draws. */
    public static final int MIN_DRAWS = 20;
    static final double FIRST = 0.1;
    static final double LAST = 0.5;

    /** Diagnostics of a [chain][draw] loss matrix over the included chains. */
    public static Convergence of(double[][] loss, boolean[] included) {
        int chains = loss.length;
        double[] z = new double[chains];
        List<double[]> kept = new ArrayList<>();
        for (int c = 0; c < chains; c++) {
            z[c] = Double.NaN;
            if (included[c]) {
                z[c] = geweke(loss[c], FIRST, LAST);
                kept.add(loss[c]);
            }
        }
        double r = gelmanRubin(kept.toArray(double[][]::new));
        List<String> why = new ArrayList<>();
        int draws = chains == 0 ? 0 : loss[0].length;
        if (kept.isEmpty()) {
            why.add("no included chain");
        } else if (draws < MIN_DRAWS) {
            why.add("too few draws for Geweke (" + draws + " < " + MIN_DRAWS + ")");
        }
        if (kept.size() < 2) {
            why.add("R̂ needs at least 2 chains");
        } else if (!(r <= RHAT_MAX)) {
            why.add(String.format(java.util.Locale.ROOT, "R̂ %.3f > %.1f", r, RHAT_MAX));
        }
        for (int c = 0; c < chains; c++) {
            if (included[c] && Math.abs(z[c]) > Z_MAX) {
                why.add(String.format(java.util.Locale.ROOT, "chain %d Geweke z %.2f", c, z[c]));
            }
        }
        return new Convergence(z, r, why.isEmpty(), String.join("; ", why));
    }

    /** The largest |z| over chains with a z, NaN when none has one. */
    public double maxAbsZ() {
        double m = Double.NaN;
        for (double v : gewekeZ) {
            if (!Double.isNaN(v)) {
                m = Double.isNaN(m) ? Math.abs(v) : Math.max(m, Math.abs(v));
            }
        }
        return m;
    }

    /**
     * Geweke's z of one trace: the first {@code first} fraction against the last {@code last} fraction; NaN when
     * a segment has fewer than 2 draws or both segment means have zero variance.
     */
    static double geweke(double[] x, double first, double last) {
        int n = x.length;
        int na = (int) Math.floor(first * n);
        int nb = (int) Math.floor(last * n);
        if (na < 2 || nb < 2) {
            return Double.NaN;
        }
        double ma = mean(x, 0, na);
        double mb = mean(x, n - nb, n);
        double v = varianceOfMean(x, 0, na) + varianceOfMean(x, n - nb, n);
        return v > 0 ? (ma - mb) / Math.sqrt(v) : Double.NaN;
    }

    /**
     * Variance of the mean of x[from, to) by non-overlapping batch means: batches of b = ⌊√n⌋ draws (a = ⌊n/b⌋ of
     * them, the last n − a·b draws dropped), Var = s²(batch means)/a. With b = 1 (n &lt; 4) this is the i.i.d.
     * formula s²/n.
     */
    static double varianceOfMean(double[] x, int from, int to) {
        int n = to - from;
        int b = Math.max(1, (int) Math.floor(Math.sqrt(n)));
        int a = n / b;
        if (a < 2) {
            return Double.NaN;
        }
        double[] means = new double[a];
        for (int k = 0; k < a; k++) {
            means[k] = mean(x, from + k * b, from + (k + 1) * b);
        }
        double m = mean(means, 0, a);
        double s = 0;
        for (double v : means) {
            s += (v - m) * (v - m);
        }
        return s / (a - 1) / a;
    }

    /** Gelman–Rubin R̂ of m ≥ 2 chains of equal length n ≥ 2 (see the class comment); NaN otherwise. */
    static double gelmanRubin(double[][] chains) {
        int m = chains.length;
        if (m < 2 || chains[0].length < 2) {
            return Double.NaN;
        }
        int n = chains[0].length;
        double[] means = new double[m];
        double w = 0;
        for (int j = 0; j < m; j++) {
            means[j] = mean(chains[j], 0, n);
            double s = 0;
            for (double v : chains[j]) {
                s += (v - means[j]) * (v - means[j]);
            }
            w += s / (n - 1);
        }
        w /= m;
        double grand = mean(means, 0, m);
        double bSum = 0;
        for (double mj : means) {
            bSum += (mj - grand) * (mj - grand);
        }
        double b = n * bSum / (m - 1);
        double varPlus = (n - 1.0) / n * w + b / n;
        return w > 0 ? Math.sqrt(varPlus / w) : Double.NaN;
    }

    private static double mean(double[] x, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += x[i];
        }
        return s / (to - from);
    }
}
