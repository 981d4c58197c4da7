package org.headlab.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.headlab.core.HeadLabException;
import org.junit.jupiter.api.Test;

/**
 * AdamW against an independent reference written from the PyTorch docs' algorithm box in double precision
 * (m_t = β1 m + (1−β1) g, v_t = β2 v + (1−β2) g², θ ← θ(1 − γλ) − γ m̂ / (sqrt(v̂) + ε), with m̂ = m/(1−β1^t),
 * v̂ = v/(1−β2^t)); the two agree to float rounding over many steps, and clipping follows clip_grad_norm_.
 */
class AdamWTest {

    /** The textbook algorithm, double precision, one flat vector. */
    static final class Reference {
        final double lr;
        final double b1;
        final double b2;
        final double eps;
        final double wd;
        final double[] m;
        final double[] v;
        int t;

        Reference(AdamW.Settings s, int n) {
            lr = s.lr();
            b1 = s.beta1();
            b2 = s.beta2();
            eps = s.eps();
            wd = s.weightDecay();
            m = new double[n];
            v = new double[n];
        }

        void step(double[] theta, double[] g) {
            t++;
            for (int i = 0; i < theta.length; i++) {
                theta[i] -= lr * wd * theta[i];
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                double mHat = m[i] / (1 - Math.pow(b1, t));
                double vHat = v[i] / (1 - Math.pow(b2, t));
                theta[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
            }
        }
    }

    @Test
    void matchesTextbookAdamWOverManySteps() {
        AdamW.Settings s = AdamW.Settings.PAPER.withLr(0.01);
        int n = 7;
        Random r = new Random(3);
        float[] p = new float[n];
        double[] ref = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = (float) r.nextGaussian();
            ref[i] = p[i];
        }
        AdamW adam = new AdamW(s);
        Reference reference = new Reference(s, n);
        for (int step = 0; step < 200; step++) {
            // gradient of 0.5·Σ c_i (θ_i − 1)² at the current point, plus noise; tiny and huge coordinates included
            float[] g = new float[n];
            double[] gd = new double[n];
            for (int i = 0; i < n; i++) {
                double c = Math.pow(10, i - 3);
                g[i] = (float) (c * (p[i] - 1) + 0.01 * r.nextGaussian());
                gd[i] = g[i];
            }
            Map<String, float[]> params = new LinkedHashMap<>(Map.of("w", p));
            adam.update(params, Map.of("w", g));
            reference.step(ref, gd);
            for (int i = 0; i < n; i++) {
                assertEquals(ref[i], p[i], 2e-5 * Math.max(1, Math.abs(ref[i])), "step " + step + " coordinate " + i);
            }
        }
        assertEquals(200, adam.step());
    }

    @Test
    void firstStepMovesEachCoordinateByAboutLrTowardsMinusGradient() {
        // with bias correction the first step is lr·sign(g) (up to eps), plus the decay of the weight
        AdamW adam = new AdamW(AdamW.Settings.PAPER);
        float[] p = {1f, -2f, 0f};
        adam.update(new LinkedHashMap<>(Map.of("w", p)), Map.of("w", new float[] {0.5f, -3f, 1e-3f}));
        assertEquals(1 * (1 - 1e-3 * 0.05) - 1e-3, p[0], 1e-6);
        assertEquals(-2 * (1 - 1e-3 * 0.05) + 1e-3, p[1], 1e-6);
        assertEquals(-1e-3 * (1e-3 / (1e-3 + 1e-8)), p[2], 1e-7);
    }

    @Test
    void stateRoundTripGivesIdenticalContinuation() {
        AdamW a = new AdamW(AdamW.Settings.PAPER);
        float[] p = {0.3f, -0.7f};
        a.update(new LinkedHashMap<>(Map.of("w", p)), Map.of("w", new float[] {0.2f, 0.1f}));
        AdamW b = new AdamW(AdamW.Settings.PAPER);
        b.restore(a.state(), a.step());
        float[] p2 = p.clone();
        a.update(new LinkedHashMap<>(Map.of("w", p)), Map.of("w", new float[] {-0.4f, 0.9f}));
        b.update(new LinkedHashMap<>(Map.of("w", p2)), Map.of("w", new float[] {-0.4f, 0.9f}));
        assertArrayEquals(p, p2);
    }

    @Test
    void clippingScalesOnlyWhenTheGlobalNormExceedsTheLimit() {
        Map<String, float[]> g = new LinkedHashMap<>();
        g.put("a", new float[] {3f});
        g.put("b", new float[] {4f});
        assertEquals(5.0, AdamW.clipGradNorm(g, 1.0), 1e-9);
        double coef = 1.0 / (5.0 + 1e-6);
        assertEquals(3 * coef, g.get("a")[0], 1e-6);
        assertEquals(4 * coef, g.get("b")[0], 1e-6);
        Map<String, float[]> small = Map.of("a", new float[] {0.3f, 0.4f});
        assertEquals(0.5, AdamW.clipGradNorm(small, 1.0), 1e-6);
        assertArrayEquals(new float[] {0.3f, 0.4f}, small.get("a"));
    }

    @Test
    void rejectsNonsenseSettings() {
        assertThrows(HeadLabException.class, () -> new AdamW.Settings(0, 0.9, 0.999, 1e-8, 0.05));
        assertThrows(HeadLabException.class, () -> new AdamW.Settings(1e-3, 1.0, 0.999, 1e-8, 0.05));
    }
}
