package org.headlab.core.estimate.llc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.Params;
import org.headlab.core.model.TorchEngine;
import org.junit.jupiter.api.Test;

/**
 * RMSProp-preconditioned SGLD (devinterp's rmsprop_sgld, estimators.md §2.2): the Java step against the formula
 * worked by hand, the engine step against the Java step, the sampler on normal crossings against their known λ, and
 * the rLLC's result key unchanged for results computed before the sampler was a setting.
 */
class RmspropSgldTest {
    static final double EPS = 1e-3;
    static final double GAMMA = 100;
    static final double NBETA = 30;

    @Test
    void oneJavaStepIsTheFormulaWorkedByHand() {
        SgldUpdate u = new SgldUpdate(EPS, GAMMA, NBETA, 1, SgldConfig.Sampler.RMSPROP_SGLD);
        double[] w = {0.5};
        double[] w0 = {0.2};
        double[] g = {2.0};
        double[] xi = {0.3};
        double[] prev = {Double.NaN};
        double[] v = {0.0};
        u.step(w, w0, g, xi, new int[] {0}, prev, v);
        double vExp = 0.01 * 4.0; // (1 − 0.99)·g², from 0
        double pre = 1 / (Math.sqrt(vExp) + 0.1); // = 1/0.3
        double drift = NBETA * 2.0 + GAMMA * 0.3; // 90
        double delta = -EPS / 2 * pre * drift + Math.sqrt(EPS * pre) * 0.3;
        assertEquals(vExp, v[0], 1e-15);
        assertEquals(0.5 + delta, w[0], 1e-15);
        assertEquals(delta, prev[0], 1e-15);
    }

    @Test
    void theEngineStepEqualsTheJavaStep() {
        double[] w = {0.5, -0.1, 0.02, 1.3};
        double[] w0 = {0.2, 0.0, 0.0, 1.0};
        double[][] grads = {{2.0, -0.5, 0.01, 3.0}, {1.5, -0.4, 0.02, -2.0}};
        double[][] noise = {{0.3, -1.2, 0.5, 0.0}, {-0.7, 0.1, 1.1, 2.0}};
        SgldUpdate u = new SgldUpdate(EPS, GAMMA, NBETA, 1, SgldConfig.Sampler.RMSPROP_SGLD);
        double[] jw = w.clone();
        double[] prev = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        double[] v = new double[4];
        int[] coords = {0, 1, 2, 3};
        SgldUpdate.StepTerms[] javaTerms = new SgldUpdate.StepTerms[2];
        for (int s = 0; s < 2; s++) {
            javaTerms[s] = u.step(jw, w0, grads[s], noise[s], coords, prev, v);
        }
        try (NDManager m = TorchEngine.newManager(); NDManager keep = m.newSubManager()) {
            NDArray ew = m.create(floats(w), new Shape(1, 4));
            NDArray ew0 = m.create(floats(w0), new Shape(1, 4));
            NDArray[] holder = new NDArray[2];
            SgldUpdate.StepTerms[] t = null;
            for (int s = 0; s < 2; s++) {
                t = u.step(ew, ew0, m.create(floats(grads[s]), new Shape(1, 4)),
                        m.create(floats(noise[s]), new Shape(1, 4)), null, holder, true, keep, 1);
            }
            float[] got = ew.toFloatArray();
            for (int i = 0; i < 4; i++) {
                assertEquals(jw[i], got[i], 2e-6, "w[" + i + "]");
            }
            assertEquals(v[3], holder[1].toFloatArray()[3], 1e-6, "running mean of g²");
            assertEquals(javaTerms[1].fwdSq(), t[0].fwdSq(), 1e-5 * javaTerms[1].fwdSq());
            assertEquals(javaTerms[1].revSqPrev(), t[0].revSqPrev(), 1e-5 * javaTerms[1].revSqPrev());
        }
    }

    private static float[] floats(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }

    /**
     * Same acceptance as SgldNormalCrossingTest: within 3.5 chain-std of the known λ. The step is devinterp's SGLD
     * step divided by 1/ε_rms = 10, the preconditioner's largest gain (where g² → 0, near the singularity): at the
     * plain step RMSProp-SGLD moves 10× further there and overshoots (λ̂ 0.69 for λ 0.5 on k = (1)).
     */
    @Test
    void onNormalCrossingsItFindsTheKnownLearningCoefficient() {
        for (int[] k : new int[][] {{1}, {2}, {1, 2}}) {
            double theory = NormalCrossing.theory(k);
            SgldConfig plain = NormalCrossing.devinterpConfig(1);
            LlcResult r = NormalCrossing.estimate(k, plain.withEpsilon(plain.epsilon() * SgldConfig.Sampler.RMS_EPS)
                    .withSampler(SgldConfig.Sampler.RMSPROP_SGLD), () -> false);
            assertTrue(r.diverged().isEmpty());
            assertTrue(Math.abs(r.llcMean() - theory) <= 3.5 * r.llcStd(), java.util.Arrays.toString(k) + ": "
                    + r.llcMean() + " ± " + r.llcStd() + " vs " + theory);
            assertEquals("rmsprop_sgld", r.params().get("sampler"));
        }
    }

    @Test
    void theDefaultSamplerStaysOutOfTheResultKeyAndAnyOtherIsIn() {
        var set = new LlcSweepEstimator().parameters();
        // the key of every shipped rLLC (e.g. sample-runs/dyck/results/llc.jsonl, rebased to init_batches 0)
        assertEquals("{\"batch\":32,\"burnin\":0,\"chains\":4,\"draws\":200,\"epsilon\":0.001,\"gamma\":200.0,"
                + "\"include_biases\":false,\"init_batches\":0,\"nbeta\":30.0,\"seed\":0}",
                set.defaults().canonicalJson());
        Params rms = set.parse(java.util.Map.of("sampler", "rmsprop_sgld"));
        assertTrue(rms.canonicalJson().contains("\"sampler\":\"rmsprop_sgld\""), rms.canonicalJson());
        assertEquals("sgld", set.defaults().get(LlcSweepEstimator.SAMPLER));
        assertFalse(set.defaults().equals(rms));
        assertEquals("unknown sampler 'sgnht2' (known: sgld, rmsprop_sgld, sgnht)",
                org.junit.jupiter.api.Assertions.assertThrows(HeadLabException.class,
                        () -> SgldConfig.Sampler.of("sgnht2")).getMessage());
    }
}
