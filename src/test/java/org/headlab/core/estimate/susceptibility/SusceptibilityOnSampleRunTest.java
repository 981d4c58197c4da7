package org.headlab.core.estimate.susceptibility;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.stat.correlation.PearsonsCorrelation;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.llc.LlcData;
import org.headlab.core.estimate.llc.LlcEstimator;
import org.headlab.core.estimate.llc.LlcResult;
import org.headlab.core.estimate.llc.SgldConfig;
import org.headlab.core.estimate.llc.SgldSampler;
import org.headlab.core.model.ParameterMask;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.session.RunSession;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * On the shipped run sample-runs/dyck, its bracket-matching head 1:0 at the last checkpoint, on the transformer's head
 * path: the susceptibility that the estimator streams (running sums, never the draws) equals the one recomputed by
 * brute force from every draw kept ({@link BruteForceSusceptibility}, two plain passes), with the chains as their own
 * reference and with a reference gap given from outside; and the token-wise BIF equals Commons Math's Pearson
 * correlation of the same stacked traces (an independent implementation).
 */
class SusceptibilityOnSampleRunTest {
    private static final Path RUN = Path.of("sample-runs", "dyck");

    @Test
    void streamedSusceptibilityAndBifEqualTheKeptDrawsRecomputedByBruteForce() {
        Assumptions.assumeTrue(Files.isDirectory(RUN), "sample run not present");
        RunSession session = RunSession.open(RUN);
        ModelConfig config = session.run().config();
        List<Integer> steps = session.run().steps();
        int step = steps.get(steps.size() - 1);
        Map<String, HostTensor> weights = session.run().weights(step);
        DatasetSlices.Slice slice = new DatasetSlices(session).slice("train");
        LlcData data = LlcData.windows(slice.name(), slice.windows(slice.windowLength()));
        int[][] probe = SusceptibilityEstimate.windows(data, SusceptibilityEstimate.probeRows(data, 3));
        SgldConfig cfg = SgldConfig.paper().withChains(3).withDraws(60).withBatchSize(16).withSeed(21);
        ParameterMask mask = ParameterMask.head(config, 1, 0, false);

        ProbeStatistics stats = new ProbeStatistics(probe, cfg.chains(), true);
        LlcResult r = LlcEstimator.estimate(config, weights, mask, data, cfg, () -> false, LlcEstimator.Path.AUTO,
                SgldSampler.Progress.NONE, stats);
        assertEquals("head", ((Map<?, ?>) r.params().get("target")).get("path"));
        boolean[] all = new boolean[cfg.chains()];
        Arrays.fill(all, true);
        for (int c = 0; c < cfg.chains(); c++) {
            assertTrue(Double.isFinite(r.llcPerChain()[c]), "chain " + c + " stays finite at the paper's settings");
            assertArrayEquals(r.lossTrace()[c], stats.samplingTrace(c), 0.0, "the sampler's own loss trace, chain " + c);
        }
        int k = stats.tokens();
        assertEquals(3 * (config.nCtx() - 1), k, "3 windows × n_ctx − 1 predicted positions");

        Susceptibility streamed = stats.susceptibility(cfg.nbeta(), null, all);
        double[] brute = BruteForceSusceptibility.devinterp(stats, null, cfg.chains());
        double scale = Arrays.stream(brute).map(Math::abs).max().orElseThrow();
        assertTrue(scale > 0, "the head's draws move the probe's losses");
        for (int t = 0; t < k; t++) {
            assertEquals(brute[t], streamed.devinterp()[t], 1e-9 * scale, "token " + t);
            assertEquals(cfg.nbeta() * brute[t], streamed.chi()[t], 1e-9 * cfg.nbeta() * scale, "χ of token " + t);
        }
        // a reference gap from outside (here: a made-up one, every token's own) enters as given
        double[] gap = new double[k];
        for (int t = 0; t < k; t++) {
            gap[t] = 0.1 * (t % 7) - 0.3;
        }
        double[] bruteGap = BruteForceSusceptibility.devinterp(stats, gap, cfg.chains());
        double[] streamedGap = stats.susceptibility(cfg.nbeta(), gap, all).devinterp();
        for (int t = 0; t < k; t++) {
            assertEquals(bruteGap[t], streamedGap[t], 1e-9 * Math.max(scale, Math.abs(bruteGap[t])), "gap, token " + t);
        }

        // the estimator the sweep runs, from the same seed (the head path is deterministic), streams the same numbers
        SusceptibilityEstimate.Result estimate = SusceptibilityEstimate.estimate(config, weights, mask, data, probe,
                cfg, null, true, () -> false);
        assertArrayEquals(streamed.chi(), estimate.susceptibility().chi(), 1e-9 * cfg.nbeta() * scale);

        List<double[]> stacked = new ArrayList<>();
        for (int c = 0; c < cfg.chains(); c++) {
            stacked.addAll(Arrays.asList(stats.tokenTrace(c)));
        }
        double[][] reference = new PearsonsCorrelation(stacked.toArray(new double[0][])).getCorrelationMatrix()
                .getData();
        double[][] bif = estimate.bif();
        int compared = 0;
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                if (Double.isFinite(reference[a][b])) {
                    assertEquals(reference[a][b], bif[a][b], 1e-9, "BIF " + a + "," + b);
                    compared++;
                }
            }
        }
        assertTrue(compared > k * k / 2, "most token pairs move together or apart: " + compared + " of " + k * k);
    }
}
