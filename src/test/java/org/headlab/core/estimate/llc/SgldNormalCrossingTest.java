package org.headlab.core.estimate.llc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The sampler algorithm (shared loop + shared SGLD update) on devinterp's own self-checks, in Java doubles:
 * normal-crossing accuracy against the theoretical RLCT 1/(2·max k) (devinterp sampler_accuracy_test), the
 * restriction equality of rllc_test, MALA → 1 for ε → 0 on a full batch, online == offline mean, determinism, and
 * the bookkeeping of the estimate.
 */
class SgldNormalCrossingTest {

    /**
     * devinterp's exact settings (10 chains × 5000 draws, n 1000, ε 4e-4, nβ n/ln n, γ 0) and its criterion: the
     * theory lies within llc/mean ± 3.5·llc/std. The criterion is statistical, not a guarantee: over seeds 1–6 and
     * 42 (35 runs) one fell outside (seed 42, powers (0,1): 0.560 ± 0.014, an unusually small chain spread; at
     * other seeds that case gives std 0.022–0.031). Regular directions carry the known SGLD discretisation bias:
     * at ε 4e-4 the sampled variance is inflated by 1/(1 − εk/4) ≈ 1.13 (k = 2nβ·E[x²] ≈ 1158), so (0,1) reads
     * ≈ 0.55, as devinterp's would.
     */
    @ParameterizedTest(name = "powers {0} → {1}")
    @CsvSource({"0;1, 0.5", "1;1, 0.5", "0;2, 0.25", "1;2, 0.25", "2;2, 0.25", "1;3, 0.1666667"})
    void normalCrossingMatchesTheory(String powers, double theory) {
        int[] k = java.util.Arrays.stream(powers.split(";")).mapToInt(Integer::parseInt).toArray();
        assertEquals(theory, NormalCrossing.theory(k), 1e-6);
        LlcResult r = NormalCrossing.estimate(k, NormalCrossing.devinterpConfig(1), () -> false);
        assertTrue(r.diverged().isEmpty());
        assertTrue(Math.abs(r.llcMean() - theory) <= 3.5 * r.llcStd(),
                "estimate " + r.llcMean() + " ± " + r.llcStd() + " vs theory " + theory);
        // and not trivially so: the std is a real spread, smaller than the value checked
        assertTrue(r.llcStd() > 0 && r.llcStd() < theory, "std " + r.llcStd());
    }

    @Test
    void onlineTraceMeanEqualsOfflineMean() {
        LlcResult r = NormalCrossing.estimate(new int[] {1, 2}, NormalCrossing.devinterpConfig(3).withDraws(300),
                () -> false);
        double s = 0;
        int n = 0;
        for (double[] row : r.llcTrace()) {
            for (double v : row) {
                s += v;
                n++;
            }
        }
        assertEquals(r.llcMean(), s / n, 1e-9);
        assertEquals(r.llcMean(), SgldSampler.mean(r.llcMeans()), 1e-9);
        for (int c = 0; c < r.llcPerChain().length; c++) {
            assertEquals(r.llcPerChain()[c], r.params().get("nbeta") instanceof Double nb
                    ? nb * (SgldSampler.mean(r.lossTrace()[c]) - r.initLoss()) : Double.NaN, 1e-9);
        }
    }

    @Test
    void sameSeedSameNumbersOtherSeedOtherNumbers() {
        SgldConfig cfg = NormalCrossing.devinterpConfig(7).withDraws(200).withChains(3);
        LlcResult a = NormalCrossing.estimate(new int[] {1, 1}, cfg, () -> false);
        LlcResult b = NormalCrossing.estimate(new int[] {1, 1}, cfg, () -> false);
        LlcResult c = NormalCrossing.estimate(new int[] {1, 1}, cfg.withSeed(8), () -> false);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(a.lossTrace()[i], b.lossTrace()[i]);
        }
        assertTrue(a.llcMean() != c.llcMean());
        // chains are independent streams: not copies of one another
        assertTrue(a.lossTrace()[0][5] != a.lossTrace()[1][5]);
    }

    /** devinterp rllc_test: a 3-weight model restricted to 2 coords ≡ the 2-weight model (noise 0, 1 chain). */
    @Test
    void restrictedModelEqualsTheSmallerModel() {
        SgldConfig cfg = new SgldConfig(1e-4, 1, SgldConfig.defaultNbeta(1000), 0, 1, 1000, 0, 1000, 1, 5, true);
        try (NormalCrossing big = new NormalCrossing(new int[] {1, 2, 3}, new double[] {0.5, 0.3, 1.0},
                new int[] {0, 1}, 1000, 11, 1);
                NormalCrossing small = new NormalCrossing(new int[] {1, 2}, new double[] {0.5, 0.3},
                        new int[] {0, 1}, 1000, 11, 1)) {
            LlcResult rb = SgldSampler.sample(big, cfg, () -> false);
            LlcResult rs = SgldSampler.sample(small, cfg, () -> false);
            assertArrayEquals(rs.lossTrace()[0], rb.lossTrace()[0], 1e-12);
            assertEquals(rs.llcMean(), rb.llcMean(), 1e-9);
            assertEquals(1.0, big.weights(0)[2], 0.0, "the frozen coordinate never moves");
            assertTrue(Math.abs(big.weights(0)[0] - 0.5) > 1e-6, "the sampled ones do");
        }
        // and restricting matters when the frozen coordinate does: sampling all 3 gives another estimate
        try (NormalCrossing all = new NormalCrossing(new int[] {1, 2, 3}, new double[] {0.5, 0.3, 1.0},
                new int[] {0, 1, 2}, 1000, 11, 1);
                NormalCrossing two = new NormalCrossing(new int[] {1, 2, 3}, new double[] {0.5, 0.3, 1.0},
                        new int[] {0, 1}, 1000, 11, 1)) {
            assertTrue(Math.abs(SgldSampler.sample(all, cfg, () -> false).llcMean()
                    - SgldSampler.sample(two, cfg, () -> false).llcMean()) > 1e-6);
        }
    }

    @Test
    void frozenCoordinatesStayBitIdentical() {
        SgldConfig cfg = new SgldConfig(1e-3, 10, 30, 3.0, 2, 2000, 0, 100, 1, 9, true);
        double[] centre = {0.123456789, -0.7, 0.1 + 0.2};
        try (NormalCrossing t = new NormalCrossing(new int[] {1, 1, 1}, centre, new int[] {1}, 500, 1, 2)) {
            SgldSampler.sample(t, cfg, () -> false);
            for (int c = 0; c < 2; c++) {
                assertEquals(Double.doubleToRawLongBits(centre[0]), Double.doubleToRawLongBits(t.weights(c)[0]));
                assertEquals(Double.doubleToRawLongBits(centre[2]), Double.doubleToRawLongBits(t.weights(c)[2]));
            }
        }
    }

    /** Full batch: U(a) and U(b) use the same data, so acceptance → 1 as ε → 0 (§11). */
    @Test
    void malaAcceptanceTendsToOneForTinySteps() {
        SgldConfig base = NormalCrossing.devinterpConfig(1).withChains(2).withDraws(300);
        double small = NormalCrossing.estimate(new int[] {1, 2}, base.withEpsilon(1e-8), () -> false).malaMean();
        double large = NormalCrossing.estimate(new int[] {1, 2}, base.withEpsilon(2e-3), () -> false).malaMean();
        assertTrue(small > 0.999, "acceptance at ε 1e-8: " + small);
        assertTrue(large < small, "acceptance at ε 2e-3 (" + large + ") should be lower");
    }

    /** A hand-computed step on a 2-vector: drift, noise scale, the mask and the MALA norms. */
    @Test
    void sgldUpdateMatchesAHandComputedStep() {
        SgldUpdate u = new SgldUpdate(0.01, 2.0, 10.0, 1.0);
        double[] w = {1.0, 2.0, 3.0};
        double[] w0 = {0.5, 2.0, 4.0};
        double[] g = {0.3, -0.2, 9.0};
        double[] prev = {Double.NaN, 0.05};
        SgldUpdate.StepTerms t = u.step(w, w0, g, new double[] {1.5, -1.0}, new int[] {0, 1}, prev);
        // coordinate 0: drift = 10·0.3 + 2·0.5 = 4; Δ = −0.005·4 + 0.1·1.5 = 0.13
        // coordinate 1: drift = 10·(−0.2) + 0 = −2; Δ = −0.005·(−2) + 0.1·(−1) = −0.09
        assertEquals(1.13, w[0], 1e-15);
        assertEquals(1.91, w[1], 1e-15);
        assertEquals(3.0, w[2], 0.0, "not in the mask");
        assertEquals(0.25, t.locSq(), 1e-15);
        assertEquals(0.15 * 0.15 + 0.1 * 0.1, t.fwdSq(), 1e-15); // = ε σ²‖ξ‖²
        assertArrayEquals(new double[] {0.13, -0.09}, prev, 1e-15);
    }

    @Test
    void divergingChainsAreReportedAndExcluded() {
        // a huge step with strong localisation overshoots: |1 − εγ/2| > 1 explodes geometrically
        SgldConfig cfg = new SgldConfig(1.0, 10, 10, 1, 3, 400, 0, 100, 1, 4, true);
        LlcResult r = NormalCrossing.estimate(new int[] {1, 1}, cfg, () -> false);
        assertEquals(3, r.diverged().size(), r.toMap().toString());
        assertTrue(r.diverged().get(0).draw() > 0);
        assertTrue(Double.isNaN(r.llcMean()));
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("diverged")));
        Map<String, Object> m = r.toMap();
        assertEquals(null, m.get("llc/mean"));
        assertTrue(((List<?>) m.get("diverged")).size() == 3);
    }

    @Test
    void oneDivergedChainIsExcludedFromTheMean() {
        double[][] loss = {{1.0, 1.2}, {1.1, 1.3}, {1.0, Double.NaN}};
        boolean[] included = {true, true, false};
        LlcResult r = SgldSampler.summarize(SgldConfig.paper(), 1.0, loss, null, included,
                List.of(new LlcResult.Divergence(2, 1, 1)), Map.of());
        // λ̂_0 = 30·0.1 = 3, λ̂_1 = 30·0.2 = 6
        assertEquals(4.5, r.llcMean(), 1e-12);
        assertEquals(Math.sqrt(4.5), r.llcStd(), 1e-12);
        assertTrue(Double.isNaN(r.llcPerChain()[2]));
        assertEquals(2, r.includedChains());
    }

    @Test
    void cancelStopsWithinOneStep() {
        AtomicInteger polls = new AtomicInteger();
        SgldConfig cfg = NormalCrossing.devinterpConfig(1);
        assertThrows(CancellationException.class,
                () -> NormalCrossing.estimate(new int[] {1, 1}, cfg, () -> polls.incrementAndGet() > 10));
        assertEquals(11, polls.get(), "polled once per step, stopped at the first poll that said cancel");
    }
}
