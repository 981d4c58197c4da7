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
 * Hutchinson's Hessian trace on one head of a tiny transformer, checked against the exact Hessian restricted to the
 * head (every column by central differences of the model's analytic gradient): the exact matrix is symmetric to
 * float32 accuracy, its trace does not depend on the step, and the estimator's mean lands within four of its
 * standard errors of the exact trace, the variance being the one Rademacher probes have for this H.
 */
class HessianTraceTest {
    static final ModelConfig CONFIG = ModelConfig.attnOnly(2, 2, 8, 2, 7, 8);
    static final Map<String, HostTensor> WEIGHTS = RandomWeights.gaussian(CONFIG, 3, 0.5, true);
    static MaskedGradient g;
    static double[][] exact;

    @BeforeAll
    static void exactHessian() {
        Random r = new Random(2);
        int[][] seqs = new int[6][8];
        for (int[] s : seqs) {
            for (int j = 0; j < s.length; j++) {
                s[j] = r.nextInt(CONFIG.dVocab());
            }
        }
        g = new MaskedGradient(CONFIG, WEIGHTS, ParameterMask.head(CONFIG, 1, 1, false), seqs);
        exact = columns(HessianTrace.DEFAULT_STEP);
    }

    static double[][] columns(double h) {
        int n = g.size();
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            double[] e = new double[n];
            e[i] = 1;
            m[i] = g.hessianTimes(e, h); // column i (= row i, the Hessian being symmetric)
        }
        return m;
    }

    static double trace(double[][] m) {
        double t = 0;
        for (int i = 0; i < m.length; i++) {
            t += m[i][i];
        }
        return t;
    }

    @Test
    void theExactHessianIsSymmetricAndItsTraceDoesNotDependOnTheStep() {
        assertEquals(4 * 8 * 2, g.size(), "W_Q, W_K, W_V [8×2] and W_O [2×8] of one head");
        double max = 0;
        double asym = 0;
        for (int i = 0; i < exact.length; i++) {
            for (int j = 0; j < exact.length; j++) {
                max = Math.max(max, Math.abs(exact[i][j]));
                asym = Math.max(asym, Math.abs(exact[i][j] - exact[j][i]));
            }
        }
        assertTrue(asym <= 2e-3 * max, "asymmetry " + asym + " of max entry " + max);
        for (int i = 0; i < g.size(); i += 4) { // every fourth diagonal entry again at a step three times larger
            double[] e = new double[g.size()];
            e[i] = 1;
            assertEquals(exact[i][i], g.hessianTimes(e, 3 * HessianTrace.DEFAULT_STEP)[i], 2e-3 * max,
                    "H[" + i + "][" + i + "] at h and 3h");
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
        HessianTrace.Result r = HessianTrace.hutchinson(g, probes, 0, 7, HessianTrace.DEFAULT_STEP, () -> false);
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
        HessianSpectrum.Result r = HessianSpectrum.lanczos(g, 1, 16, 1e-3, 0.01, 0, HessianTrace.DEFAULT_STEP,
                () -> false);
        assertEquals(top, r.topEigenvalue(), 1e-2 * Math.abs(top), "exact top eigenvalue " + top);
    }

    @Test
    void theStoppingRuleStopsOnceTheRunningMeanSettles() {
        HessianTrace.Result r = HessianTrace.hutchinson(g, 40, 1e-2, 1, HessianTrace.DEFAULT_STEP, () -> false);
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
