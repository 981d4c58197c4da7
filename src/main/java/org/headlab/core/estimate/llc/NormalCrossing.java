package org.headlab.core.estimate.llc;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;
import org.headlab.core.HeadLabException;

/**
 * devinterp's accuracy test model (estimators.md §11, {@code sampler_accuracy_test.py}) in Java doubles:
 * f(x; w) = x·Π_i w_i^{k_i}, data x ~ N(0, 2²), y = 0.25·N(0, 1), MSE loss, true LLC at w* = 0 is
 * 1/(2·max_i k_i). It runs through the same {@link SgldSampler} loop and {@link SgldUpdate} step as the
 * transformer, so it checks the sampler algorithm itself.
 *
 * <p>The loss of a batch depends on the weights only through P = Π w_i^{k_i}:
 * L = mean(y²) − 2P·mean(xy) + P²·mean(x²), so a step costs O(batch) for the sufficient statistics.
 */
public final class NormalCrossing extends DoubleChainsTarget {
    public static final int N = 1000;
    public static final double EPSILON = 4e-4;
    public static final int CHAINS = 10;
    public static final int DRAWS = 5000;

    private final int[] powers;
    private final double[] x;
    private final double[] y;

    /**
     * @param powers k_i per weight
     * @param centre w* (devinterp uses 0)
     * @param coords the sampled coordinates (a restriction mask); the others stay at w*
     * @param n number of data points
     * @param dataSeed seed of the data set
     * @param chains number of chains
     */
    public NormalCrossing(int[] powers, double[] centre, int[] coords, int n, long dataSeed, int chains) {
        super(checked(powers, centre), coords, chains);
        this.powers = powers.clone();
        SplittableRandom r = new SplittableRandom(dataSeed);
        x = new double[n];
        y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = 2.0 * r.nextGaussian();
            y[i] = 0.25 * r.nextGaussian();
        }
    }

    /** {@code centre}, after checking the powers against it (one per weight, none negative). */
    private static double[] checked(int[] powers, double[] centre) {
        if (powers.length == 0 || powers.length != centre.length) {
            throw new HeadLabException("normal crossing: give one power per weight (got " + powers.length
                    + " powers, " + centre.length + " centre coordinates)");
        }
        for (int k : powers) {
            if (k < 0) {
                throw new HeadLabException("normal crossing: powers must be ≥ 0, got " + k);
            }
        }
        return centre;
    }

    /** The full model at w* = 0 with all coordinates sampled. */
    public static NormalCrossing atOrigin(int[] powers, int chains, long dataSeed) {
        int[] all = new int[powers.length];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return new NormalCrossing(powers, new double[powers.length], all, N, dataSeed, chains);
    }

    /** 1/(2·max k). */
    public static double theory(int[] powers) {
        int max = Arrays.stream(powers).max().orElse(0);
        if (max == 0) {
            throw new HeadLabException("normal crossing: at least one power must be > 0");
        }
        return 1.0 / (2.0 * max);
    }

    /** devinterp's settings: full batch of n = 1000, nβ = n/ln n, ε = 4e-4, γ = 0, 10 chains × 5000 draws. */
    public static SgldConfig devinterpConfig(long seed) {
        return new SgldConfig(EPSILON, 0, SgldConfig.defaultNbeta(N), 1, CHAINS, DRAWS, 0, N, 1, seed, true);
    }

    /** Samples the model at the origin with {@code cfg} (its batch should be the full n for devinterp's test). */
    public static LlcResult estimate(int[] powers, SgldConfig cfg, BooleanSupplier cancelled) {
        try (NormalCrossing t = atOrigin(powers, cfg.chains(), cfg.seed() ^ 0x5DEECE66DL)) {
            return SgldSampler.sample(t, cfg, cancelled);
        }
    }

    /** The data point x_i (its target is y_i = 0.25·N(0,1); the checks of the probe statistics need x). */
    public double input(int i) {
        return x[i];
    }

    /** The target y_i of data point i. */
    public double output(int i) {
        return y[i];
    }

    /** Current weights of chain c (a copy). */
    public double[] weights(int chain) {
        return w[chain].clone();
    }

    @Override
    public int size() {
        return x.length;
    }


    private double product(double[] v) {
        double p = 1;
        for (int i = 0; i < v.length; i++) {
            p *= Math.pow(v[i], powers[i]);
        }
        return p;
    }

    private double loss(double p, int[] rows, double[] stats) {
        double sxx = 0;
        double sxy = 0;
        double syy = 0;
        for (int r : rows) {
            sxx += x[r] * x[r];
            sxy += x[r] * y[r];
            syy += y[r] * y[r];
        }
        int m = rows.length;
        stats[0] = sxx / m;
        stats[1] = sxy / m;
        return syy / m - 2 * p * stats[1] + p * p * stats[0];
    }

    /** Each probe row {i}: sample i's squared error (y_i − P·x_i)² at every active chain's weights. */
    @Override
    public double[][] probeLosses(int[][] probe, boolean[] active) {
        double[][] out = new double[w.length][];
        for (int c = 0; c < w.length; c++) {
            if (!active[c]) {
                continue;
            }
            double p = product(w[c]);
            out[c] = new double[probe.length];
            for (int j = 0; j < probe.length; j++) {
                int i = probe[j][0];
                double r = y[i] - p * x[i];
                out[c][j] = r * r;
            }
        }
        return out;
    }

    @Override
    public double centreLoss(int[] rows) {
        return loss(product(centre), rows, new double[2]);
    }

    @Override
    public double[] lossesAndGradients(int[][] rows, boolean[] active) {
        double[] out = new double[w.length];
        double[] stats = new double[2];
        for (int c = 0; c < w.length; c++) {
            if (!active[c]) {
                out[c] = Double.NaN;
                continue;
            }
            double p = product(w[c]);
            out[c] = loss(p, rows[c], stats);
            double dLdP = -2 * stats[1] + 2 * p * stats[0];
            for (int j = 0; j < powers.length; j++) {
                double dp = powers[j] == 0 ? 0 : powers[j] * Math.pow(w[c][j], powers[j] - 1);
                for (int i = 0; i < powers.length; i++) {
                    if (i != j) {
                        dp *= Math.pow(w[c][i], powers[i]);
                    }
                }
                grad[c][j] = dLdP * dp;
            }
        }
        return out;
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", "normal_crossing");
        m.put("powers", powers.clone());
        m.put("centre", centre.clone());
        m.put("sampled_coords", coords.clone());
        m.put("n", x.length);
        return m;
    }
}
