package org.headlab.core.estimate.llc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Geweke z and Gelman–Rubin R̂ against hand-computed values on short known sequences, and their behaviour on
 * simulated chains whose truth is known: i.i.d. normal draws (|z| small, calibrated to the normal; R̂ ≈ 1),
 * chains at different levels (R̂ ≫ 1) and a drifting chain (z ≪ 0).
 */
class ConvergenceTest {
    private static final boolean[] ALL4 = {true, true, true, true};

    /**
     * x = 1..20: first 10 % = {1, 2} (batches of 1: Var(mean) = s²/2 = 0.5/2 = 0.25), last 50 % = {11..20}
     * (batches of ⌊√10⌋ = 3: means 12, 15, 18, draw 20 dropped; s² = 9, Var = 9/3 = 3); means 1.5 and 15.5.
     * z = −14/√3.25 by hand.
     */
    @Test
    void gewekeOfAKnownSequenceByHand() {
        double[] x = new double[20];
        for (int i = 0; i < 20; i++) {
            x[i] = i + 1;
        }
        assertEquals(0.25, Convergence.varianceOfMean(x, 0, 2), 1e-12);
        assertEquals(3.0, Convergence.varianceOfMean(x, 10, 20), 1e-12);
        assertEquals(-14 / Math.sqrt(3.25), Convergence.geweke(x, 0.1, 0.5), 1e-12);
    }

    /**
     * Chains {1,2,3} and {3,4,5}: means 2 and 4, W = (1 + 1)/2 = 1, B = 3·((2−3)² + (4−3)²)/1 = 6,
     * var⁺ = (2/3)·1 + 6/3 = 8/3, R̂ = √(8/3) by hand.
     */
    @Test
    void gelmanRubinOfKnownChainsByHand() {
        assertEquals(Math.sqrt(8.0 / 3.0), Convergence.gelmanRubin(new double[][] {{1, 2, 3}, {3, 4, 5}}), 1e-12);
        assertEquals(Double.NaN, Convergence.gelmanRubin(new double[][] {{1, 2, 3}}));
    }

    @Test
    void iidNormalDrawsAreConverged() {
        SplittableRandom r = new SplittableRandom(11);
        double[][] loss = new double[4][2000];
        for (double[] c : loss) {
            for (int d = 0; d < c.length; d++) {
                c[d] = 3 + 0.2 * r.nextGaussian();
            }
        }
        Convergence cv = Convergence.of(loss, ALL4);
        assertTrue(cv.converged(), cv.reason());
        assertEquals(1.0, cv.rHat(), 0.01);
        assertTrue(cv.maxAbsZ() < Convergence.Z_MAX, Arrays.toString(cv.gewekeZ()));
        assertEquals("", cv.reason());
    }

    /** Under the null (i.i.d. draws) z is standard normal: about 5 % of chains have |z| > 1.96. */
    @Test
    void gewekeZIsCalibratedOnIidDraws() {
        SplittableRandom r = new SplittableRandom(5);
        int chains = 2000;
        int beyond = 0;
        double sumSq = 0;
        for (int c = 0; c < chains; c++) {
            double[] x = new double[400];
            for (int d = 0; d < x.length; d++) {
                x[d] = r.nextGaussian();
            }
            double z = Convergence.geweke(x, 0.1, 0.5);
            beyond += Math.abs(z) > 1.96 ? 1 : 0;
            sumSq += z * z;
        }
        double frac = (double) beyond / chains;
        // batch means with few batches (6 in the first 10 %) have heavier tails than the normal: a t with 5
        // degrees of freedom gives P(|t| > 1.96) ≈ 0.107, so the fraction lies between the normal's and that
        assertTrue(frac > 0.03 && frac < 0.13, "fraction beyond 1.96: " + frac);
        assertTrue(sumSq / chains > 0.8 && sumSq / chains < 1.8, "E[z²] " + sumSq / chains);
    }

    @Test
    void chainsAtDifferentLevelsGiveALargeRHat() {
        SplittableRandom r = new SplittableRandom(3);
        double[][] loss = new double[4][200];
        for (int c = 0; c < 4; c++) {
            for (int d = 0; d < 200; d++) {
                loss[c][d] = c + 0.1 * r.nextGaussian();
            }
        }
        Convergence cv = Convergence.of(loss, ALL4);
        assertTrue(cv.rHat() > 5, "R̂ " + cv.rHat());
        assertFalse(cv.converged());
        assertTrue(cv.reason().startsWith("R̂ "), cv.reason());
    }

    /** A chain still climbing away from w* (loss rising linearly) has its first 10 % far below its last half. */
    @Test
    void aDriftingChainFailsGeweke() {
        SplittableRandom r = new SplittableRandom(4);
        double[][] loss = new double[4][200];
        for (int c = 0; c < 4; c++) {
            for (int d = 0; d < 200; d++) {
                loss[c][d] = 2 + 0.1 * r.nextGaussian() + (c == 2 ? 0.01 * d : 0);
            }
        }
        boolean[] included = ALL4;
        Convergence cv = Convergence.of(loss, included);
        assertTrue(cv.gewekeZ()[2] < -Convergence.Z_MAX, Arrays.toString(cv.gewekeZ()));
        assertFalse(cv.converged());
        assertTrue(cv.reason().contains("chain 2 Geweke z"), cv.reason());
    }

    @Test
    void excludedChainsAndShortTracesAreReported() {
        double[][] loss = {{1, 2, 3, 4, 5}, {1, 2, 3, 4, 5}};
        Convergence cv = Convergence.of(loss, new boolean[] {true, false});
        assertTrue(Double.isNaN(cv.gewekeZ()[1]));
        assertTrue(Double.isNaN(cv.rHat()));
        assertFalse(cv.converged());
        assertTrue(cv.reason().contains("too few draws") && cv.reason().contains("at least 2 chains"), cv.reason());
    }
}
