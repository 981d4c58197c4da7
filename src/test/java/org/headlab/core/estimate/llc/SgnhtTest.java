package org.headlab.core.estimate.llc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.headlab.core.model.TorchEngine;
import org.junit.jupiter.api.Test;

/**
 * SGNHT (Ding et al. 2014, devinterp's sgnht.py, with SGLD's localized potential): the Java step against the update
 * worked by hand, the engine step (two chains stacked, with and without a mask) against the Java step, and the
 * sampler on normal crossings against their known λ = 1/(2·max k).
 */
class SgnhtTest {
    static final double EPS = 1e-3;
    static final double GAMMA = 100;
    static final double NBETA = 30;
    static final double A = SgldConfig.Sampler.SGNHT_DIFFUSION;

    @Test
    void twoJavaStepsAreTheUpdateWorkedByHand() {
        SgldUpdate u = new SgldUpdate(EPS, GAMMA, NBETA, 1, SgldConfig.Sampler.SGNHT);
        double[] w = {0.5, -0.2};
        double[] w0 = {0.2, 0.0};
        double[] p = new double[2];
        double[] xiT = {A};
        double[] prev = {Double.NaN, Double.NaN};
        double kick = Math.sqrt(2 * A * EPS);
        // step 1: p = 0 − ε·drift; p −= ξ·p; p += kick·ζ; w += p; ξ += mean(p²) − ε
        double[] g1 = {2.0, -1.0};
        double[] z1 = {0.3, -0.4};
        double p0 = -EPS * (NBETA * 2.0 + GAMMA * 0.3);
        p0 = p0 - A * p0 + kick * 0.3;
        double p1 = -EPS * (NBETA * -1.0 + GAMMA * -0.2);
        p1 = p1 - A * p1 + kick * -0.4;
        SgldUpdate.StepTerms t = u.step(w, w0, g1, z1, new int[] {0, 1}, prev, p, xiT);
        assertEquals(0.5 + p0, w[0], 1e-15);
        assertEquals(-0.2 + p1, w[1], 1e-15);
        assertEquals(p0, p[0], 1e-15);
        double xi1 = A + (p0 * p0 + p1 * p1) / 2 - EPS;
        assertEquals(xi1, xiT[0], 1e-15);
        assertTrue(Double.isNaN(t.fwdSq()), "no MALA terms for SGNHT");
        // step 2 uses the momentum and the thermostat of step 1
        double[] g2 = {1.0, 0.5};
        double[] z2 = {-1.0, 0.2};
        double q0 = p0 - EPS * (NBETA * 1.0 + GAMMA * (0.5 + p0 - 0.2));
        q0 = q0 - xi1 * q0 + kick * -1.0;
        double before = w[0];
        u.step(w, w0, g2, z2, new int[] {0, 1}, prev, p, xiT);
        assertEquals(before + q0, w[0], 1e-15);
    }

    @Test
    void theEngineStepEqualsTheJavaStepPerChainWithAndWithoutAMask() {
        double[][] w = {{0.5, -0.1, 0.02, 1.3}, {0.1, 0.4, -0.3, 0.9}};
        double[] w0 = {0.2, 0.0, 0.0, 1.0};
        double[][][] grads = {{{2.0, -0.5, 0.01, 3.0}, {1.0, 0.5, -2.0, 0.1}},
            {{1.5, -0.4, 0.02, -2.0}, {-1.0, 0.3, 0.2, 0.4}},
            {{0.5, 0.4, -0.02, 1.0}, {0.0, -0.3, 1.2, -0.4}}};
        double[][][] noise = {{{0.3, -1.2, 0.5, 0.1}, {0.7, 0.2, -0.5, 1.5}},
            {{-0.7, 0.1, 1.1, 2.0}, {0.4, -0.9, 0.3, -0.1}},
            {{0.2, 0.8, -1.3, 0.6}, {-0.2, 0.5, 0.9, -1.1}}};
        SgldUpdate u = new SgldUpdate(EPS, GAMMA, NBETA, 1, SgldConfig.Sampler.SGNHT);
        for (boolean masked : new boolean[] {false, true}) {
            int[] coords = masked ? new int[] {0, 2} : new int[] {0, 1, 2, 3};
            // Java: each chain on its own, over the sampled coordinates only
            double[][] jw = {w[0].clone(), w[1].clone()};
            double[][] p = new double[2][coords.length];
            double[][] th = {{A}, {A}};
            for (int s = 0; s < 3; s++) {
                for (int c = 0; c < 2; c++) {
                    double[] xi = new double[coords.length];
                    for (int j = 0; j < coords.length; j++) {
                        xi[j] = noise[s][c][coords[j]];
                    }
                    u.step(jw[c], w0, grads[s][c], xi, coords, new double[coords.length], p[c], th[c]);
                }
            }
            try (NDManager m = TorchEngine.newManager(); NDManager keep = m.newSubManager()) {
                NDArray ew = m.create(floats(w[0], w[1]), new Shape(2, 4));
                NDArray ew0 = m.create(floats(w0, w0), new Shape(2, 4));
                NDArray mask = masked ? m.create(new boolean[] {true, false, true, false, true, false, true, false},
                        new Shape(2, 4)) : null;
                NDArray[] holder = new NDArray[3];
                for (int s = 0; s < 3; s++) {
                    NDArray g = m.create(floats(grads[s][0], grads[s][1]), new Shape(2, 4));
                    NDArray z = m.create(floats(noise[s][0], noise[s][1]), new Shape(2, 4));
                    SgldUpdate.StepTerms[] t = u.step(ew, ew0, g, z, mask, holder, true, keep, 2);
                    assertTrue(Double.isNaN(t[0].fwdSq()) && Double.isNaN(t[1].fwdSq()));
                }
                float[] got = ew.toFloatArray();
                float[] thermostat = holder[2].toFloatArray();
                for (int c = 0; c < 2; c++) {
                    for (int i = 0; i < 4; i++) {
                        assertEquals(jw[c][i], got[c * 4 + i], 2e-6, "masked " + masked + " w[" + c + "][" + i + "]");
                    }
                    assertEquals(th[c][0], thermostat[c], 2e-6, "masked " + masked + " thermostat of chain " + c);
                }
                if (masked) {
                    assertEquals((float) w[0][1], got[1], 0f, "a frozen coordinate stays bit-identical");
                }
            }
        }
    }

    private static float[] floats(double[] a, double[] b) {
        float[] f = new float[a.length + b.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
            f[a.length + i] = (float) b[i];
        }
        return f;
    }

    /**
     * At devinterp's normal-crossing settings (ε 4e-4, γ 0, 10 × 5,000): within 15 % of the known λ (measured
     * 5.4 % and 9.2 % on these two, over the chains that did not diverge; docs/benchmarks.md has the four-case
     * table).
     */
    @Test
    void onNormalCrossingsItFindsTheKnownLearningCoefficient() {
        for (int[] k : new int[][] {{1}, {1, 2}}) {
            double theory = NormalCrossing.theory(k);
            LlcResult r = NormalCrossing.estimate(k, NormalCrossing.devinterpConfig(1)
                    .withSampler(SgldConfig.Sampler.SGNHT), () -> false);
            // the thermostat reads mean(p²) over one or two coordinates here, a noisy thermometer: a chain whose ξ
            // swings negative can run away (2 of 10 on k = (1, 2)); it is reported with its step and left out
            assertTrue(r.diverged().size() <= 3, java.util.Arrays.toString(k) + ": " + r.diverged());
            assertTrue(Math.abs(r.llcMean() - theory) <= 0.15 * theory, java.util.Arrays.toString(k) + ": "
                    + r.llcMean() + " ± " + r.llcStd() + " vs " + theory);
            assertEquals("sgnht", r.params().get("sampler"));
        }
    }
}
