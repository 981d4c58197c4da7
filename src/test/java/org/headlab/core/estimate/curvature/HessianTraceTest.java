package org.headlab.core.estimate.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.headlab.core.model.ParameterMask;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.run.RandomWeights;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Hessian restricted to one head of a tiny transformer, two independent ways: every column by double backward
 * (the estimators' default) and every column by central differences of the model's first-order gradient (a second
 * implementation that shares only the forward pass and first-order autograd). The two matrices agree entry by entry;
 * the double-backward one is symmetric to float32 rounding, which nothing in its computation forces; the
 * central-difference one does not depend on the step. Hutchinson's mean lands within four of its standard errors of
 * the exact trace, the variance being the one Rademacher probes have for this H.
 */
class HessianTraceTest {
    static final ModelConfig CONFIG = ModelConfig.attnOnly(2, 2, 8, 2, 7, 8);
    static final Map<String, HostTensor> WEIGHTS = RandomWeights.gaussian(CONFIG, 3, 0.5, true);
    static MaskedGradient g;
    static double[][] exact;
    static double[][] differences;

    @BeforeAll
    static void exactHessian() {
        g = new MaskedGradient(CONFIG, WEIGHTS, ParameterMask.head(CONFIG, 1, 1, false),
                randomSequences(new Random(2), 6));
        exact = columns(g::hessianTimesByDoubleBackward);
        differences = columns(v -> g.hessianTimes(v, HessianTrace.DEFAULT_STEP));
    }

    /** {@code n} sequences of 8 tokens drawn uniformly from the vocabulary. */
    static int[][] randomSequences(Random r, int n) {
        int[][] seqs = new int[n][8];
        for (int[] s : seqs) {
            for (int j = 0; j < s.length; j++) {
                s[j] = r.nextInt(CONFIG.dVocab());
            }
        }
        return seqs;
    }

    /** The largest |a[i][j] − b[i][j]|. */
    static double maxApart(double[][] a, double[][] b) {
        double apart = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                apart = Math.max(apart, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return apart;
    }

    static double[][] columns(java.util.function.UnaryOperator<double[]> hv) {
        int n = g.size();
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            double[] e = new double[n];
            e[i] = 1;
            m[i] = hv.apply(e); // column i (= row i, the Hessian being symmetric)
        }
        return m;
    }

    static double maxAbs(double[][] m) {
        double max = 0;
        for (double[] row : m) {
            for (double x : row) {
                max = Math.max(max, Math.abs(x));
            }
        }
        return max;
    }

    static double trace(double[][] m) {
        double t = 0;
        for (int i = 0; i < m.length; i++) {
            t += m[i][i];
        }
        return t;
    }

    @Test
    void doubleBackwardAndCentralDifferencesGiveTheSameHessian() {
        assertEquals(4 * 8 * 2, g.size(), "W_Q, W_K, W_V [8×2] and W_O [2×8] of one head");
        double max = maxAbs(exact);
        assertTrue(max > 1e-2, "a Hessian with something in it: max entry " + max);
        double asymExact = 0;
        double asymDiff = 0;
        for (int i = 0; i < exact.length; i++) {
            for (int j = 0; j < exact.length; j++) {
                asymExact = Math.max(asymExact, Math.abs(exact[i][j] - exact[j][i]));
                asymDiff = Math.max(asymDiff, Math.abs(differences[i][j] - differences[j][i]));
            }
        }
        double apart = maxApart(exact, differences);
        assertTrue(apart <= 2e-3 * max, "double backward vs central differences: " + apart + " of max " + max);
        assertTrue(asymExact <= 1e-5 * max, "double backward's asymmetry " + asymExact + " of max entry " + max);
        assertTrue(asymDiff <= 2e-3 * max, "central differences' asymmetry " + asymDiff + " of max entry " + max);
        for (int i = 0; i < g.size(); i += 4) { // every fourth diagonal entry again at a step three times larger
            double[] e = new double[g.size()];
            e[i] = 1;
            assertEquals(differences[i][i], g.hessianTimes(e, 3 * HessianTrace.DEFAULT_STEP)[i], 2e-3 * max,
                    "H[" + i + "][" + i + "] at h and 3h");
        }
    }

    /**
     * The estimators' product ({@link MaskedGradient#hessianProduct}: for one head both displaced gradients from one
     * head-path call) against the whole-model central differences at the same step, entry by entry over the full
     * Hessian of a layer-1 head, and against the double backward; then a layer-0 head (whose path runs all of layer 1
     * after it) with biases, column by column on random directions against the whole model's quotient.
     */
    @Test
    void theHeadPathProductEqualsTheWholeModelsDifferencesAndTheDoubleBackward() {
        double max = maxAbs(exact);
        double[][] headPath;
        try (MaskedGradient.HessianProduct hv = g.hessianProduct(HessianTrace.DEFAULT_STEP)) {
            headPath = columns(hv::times);
        }
        double apartDiff = maxApart(headPath, differences);
        double apartExact = maxApart(headPath, exact);
        assertTrue(apartDiff <= 1e-3 * max, "head path vs whole-model differences: " + apartDiff + " of " + max);
        assertTrue(apartExact <= 2e-3 * max, "head path vs double backward: " + apartExact + " of " + max);

        Random r = new Random(11);
        MaskedGradient g0 = new MaskedGradient(CONFIG, WEIGHTS, ParameterMask.head(CONFIG, 0, 1, true),
                randomSequences(r, 5));
        assertEquals(4 * 8 * 2 + 3 * 2, g0.size(), "W_Q, W_K, W_V, W_O and b_Q, b_K, b_V of head 0:1");
        try (MaskedGradient.HessianProduct hv = g0.hessianProduct(HessianTrace.DEFAULT_STEP)) {
            for (int probe = 0; probe < 4; probe++) {
                double[] v = new double[g0.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = r.nextBoolean() ? 1 : -1;
                }
                double[] whole = g0.hessianTimes(v, HessianTrace.DEFAULT_STEP);
                double[] exact0 = g0.hessianTimesByDoubleBackward(v);
                double[] fast = hv.times(v);
                double scale = maxAbs(new double[][] {exact0});
                assertTrue(scale > 1e-2, "a product with something in it: " + scale);
                for (int i = 0; i < v.length; i++) {
                    assertEquals(whole[i], fast[i], 1e-3 * scale, "probe " + probe + ", coordinate " + i);
                    assertEquals(exact0[i], fast[i], 2e-3 * scale, "probe " + probe + ", coordinate " + i);
                }
            }
        }
    }

    @Test
    void theProductIsLinearInTheDirection() {
        Random r = new Random(5);
        double[] a = new double[g.size()];
        double[] b = new double[g.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextGaussian();
            b[i] = r.nextGaussian();
        }
        double[] sum = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            sum[i] = 2 * a[i] - 3 * b[i];
        }
        double[] ha = g.hessianTimesByDoubleBackward(a);
        double[] hb = g.hessianTimesByDoubleBackward(b);
        double[] hs = g.hessianTimesByDoubleBackward(sum);
        double scale = maxAbs(new double[][] {ha, hb});
        for (int i = 0; i < a.length; i++) {
            assertEquals(2 * ha[i] - 3 * hb[i], hs[i], 1e-5 * scale, "coordinate " + i);
        }
    }

    @Test
    void hutchinsonFindsTheExactTraceWithinItsStandardError() {
        int n = exact.length;
        double fro = 0;
        double diag = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = (exact[i][j] + exact[j][i]) / 2;
                fro += s * s;
            }
            diag += exact[i][i] * exact[i][i];
        }
        double probeVariance = 2 * (fro - diag); // Var[vᵀHv] for Rademacher v
        int probes = 150;
        HessianTrace.Result r = HessianTrace.hutchinson(g::hessianTimesByDoubleBackward, g.size(), probes, 0, 7,
                () -> false);
        assertEquals(probes, r.probes());
        assertFalse(r.converged(), "tol 0 never stops early");
        double bound = 4 * Math.sqrt(probeVariance / probes);
        assertEquals(trace(exact), r.trace(), bound, "exact trace " + trace(exact) + ", estimate " + r.trace()
                + " ± " + r.standardError());
        assertEquals(Math.sqrt(probeVariance / probes), r.standardError(), 0.25 * Math.sqrt(probeVariance / probes),
                "the reported standard error is the probes' own");
    }

    /** Lanczos on the products finds the top eigenvalue of the exact matrix (Commons Math's EigenDecomposition). */
    @Test
    void lanczosOnTheProductsFindsTheExactTopEigenvalue() {
        int n = exact.length;
        org.apache.commons.math3.linear.RealMatrix sym = org.apache.commons.math3.linear.MatrixUtils
                .createRealMatrix(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                sym.setEntry(i, j, (exact[i][j] + exact[j][i]) / 2);
            }
        }
        double top = java.util.Arrays.stream(new org.apache.commons.math3.linear.EigenDecomposition(sym)
                .getRealEigenvalues()).max().orElseThrow();
        HessianSpectrum.Result r = HessianSpectrum.lanczos(g::hessianTimesByDoubleBackward, g.size(), 1, 16, 1e-3,
                0.01, 0, () -> false);
        assertEquals(top, r.topEigenvalue(), 1e-2 * Math.abs(top), "exact top eigenvalue " + top);
    }

    @Test
    void theStoppingRuleStopsOnceTheRunningMeanSettles() {
        HessianTrace.Result r = HessianTrace.hutchinson(g::hessianTimesByDoubleBackward, g.size(), 40, 1e-2, 1,
                () -> false);
        assertTrue(r.probes() >= HessianTrace.MIN_PROBES && r.probes() <= 40, "probes " + r.probes());
        if (r.converged()) {
            double[] s = r.samples();
            double before = 0;
            for (int i = 0; i < s.length - 1; i++) {
                before += s[i];
            }
            before /= s.length - 1;
            assertTrue(Math.abs(r.trace() - before) / (Math.abs(before) + 1e-6) < 1e-2);
        }
    }
}
