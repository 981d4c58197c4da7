package org.headlab.core.estimate.llc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.headlab.core.estimate.EstimatorResult;
import org.junit.jupiter.api.Test;

/**
 * Checked against the analytic answer for independent Gaussian minibatch losses: with C·D draws of noise σ around
 * init + δ and an init loss from k batches, the draws' standard error is nβ·σ/√(C·D), the init loss's nβ·σ/√k, and
 * σ_b = σ.
 */
class LlcResolutionTest {
    static final int CHAINS = 4;
    static final int DRAWS = 200;
    static final int INIT_BATCHES = 16;
    static final double NBETA = 30;
    static final double SIGMA = 0.07;

    private static double[][] losses(double init, double delta, long seed) {
        Random r = new Random(seed);
        double[][] l = new double[CHAINS][DRAWS];
        for (double[] chain : l) {
            for (int d = 0; d < DRAWS; d++) {
                chain[d] = init + delta + SIGMA * r.nextGaussian();
            }
        }
        return l;
    }

    private static double mean(double[][] l) {
        double s = 0;
        for (double[] c : l) {
            for (double v : c) {
                s += v;
            }
        }
        return s / (CHAINS * DRAWS);
    }

    private static LlcResolution resolve(double[][] l, double init) {
        return LlcResolution.of(NBETA * (mean(l) - init), l, null, init, INIT_BATCHES, NBETA);
    }

    @Test
    void standardErrorAndBatchNoiseMatchTheIndependentGaussianCase() {
        double expected = NBETA * SIGMA / Math.sqrt(CHAINS * DRAWS);
        double sum = 0;
        int runs = 40;
        for (int s = 0; s < runs; s++) {
            LlcResolution r = resolve(losses(2.0, 0.0, s), 2.0);
            assertEquals(SIGMA, r.batchNoise(), 0.1 * SIGMA);
            assertEquals(NBETA * SIGMA / Math.sqrt(INIT_BATCHES), r.initError(), 0.1 * NBETA * SIGMA / 4);
            sum += r.standardError();
        }
        // the batch-means estimate is noisy per run (40 segment means); its average over runs is not
        assertEquals(expected, sum / runs, 0.05 * expected);
    }

    @Test
    void verdictsSeparateAResultFromTheNoiseFloorAndFromDescent() {
        double se = NBETA * SIGMA / Math.sqrt(CHAINS * DRAWS); // ≈ 0.074
        LlcResolution resolved = resolve(losses(2.0, 10 * se / NBETA, 1), 2.0);
        assertEquals(LlcResolution.Verdict.RESOLVED, resolved.verdict(), resolved.sentence());
        assertTrue(resolved.sentence().startsWith("resolved: λ̂ "), resolved.sentence());
        LlcResolution floor = resolve(losses(2.0, 0.2 * se / NBETA, 2), 2.0);
        assertEquals(LlcResolution.Verdict.NOISE_FLOOR, floor.verdict(), floor.sentence());
        assertTrue(floor.sentence().contains("not a result"), floor.sentence());
        LlcResolution down = resolve(losses(2.0, -10 * se / NBETA, 3), 2.0);
        assertEquals(LlcResolution.Verdict.NOT_A_MINIMUM, down.verdict(), down.sentence());
        assertTrue(down.belowInitFraction() > 0.6, "most draws below the init loss: " + down.belowInitFraction());
        double[][] none = losses(2.0, 0, 4);
        assertEquals(LlcResolution.Verdict.NO_ESTIMATE,
                LlcResolution.of(Double.NaN, none, new boolean[CHAINS], 2.0, INIT_BATCHES, NBETA).verdict());
    }

    @Test
    void aStoredResultWithoutTheNewMetricsGivesTheSameVerdictFromItsTraces() {
        double init = 2.0;
        double[][] l = losses(init, 0.01, 5);
        LlcResolution direct = resolve(l, init);
        double[] flat = new double[CHAINS * DRAWS];
        double[] trace = new double[CHAINS * DRAWS];
        for (int c = 0; c < CHAINS; c++) {
            for (int d = 0; d < DRAWS; d++) {
                flat[c * DRAWS + d] = l[c][d];
                trace[c * DRAWS + d] = NBETA * (l[c][d] - init);
            }
        }
        EstimatorResult stored = EstimatorResult.builder().put("llc/mean", direct.llc()).put("llc/loss_trace", flat)
                .put("llc/trace", trace).put("llc/num_chains", (long) CHAINS).put("llc/init_loss", init).build();
        LlcResolution fromStore = LlcResolution.of(stored, INIT_BATCHES);
        assertEquals(direct.verdict(), fromStore.verdict());
        assertEquals(direct.standardError(), fromStore.standardError(), 1e-9);
        assertEquals(direct.initError(), fromStore.initError(), 1e-9);
        assertEquals(direct.belowInitFraction(), fromStore.belowInitFraction(), 0.0);
    }
}
