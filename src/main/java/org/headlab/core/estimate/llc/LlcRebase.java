package org.headlab.core.estimate.llc;

import java.util.List;
import java.util.Map;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.EstimatorResult;

/**
 * A stored rLLC result with another init loss (ADR 0014). The SGLD draws do not depend on L(w*), so a result whose
 * init loss came from the first batches of a slice becomes, with the slice's exact loss in its place, the result an
 * {@code init_batches = 0} estimate with the same seed and settings would have stored: every metric that reads the
 * init loss (λ̂, its chains and traces, the share of draws below it, the verdict and its error) is recomputed from the
 * stored loss trace by the sampler's own summary; the rest (MALA acceptance, slice size) is kept.
 */
public final class LlcRebase {
    private LlcRebase() {
    }

    /**
     * {@code stored} with init loss {@code initLoss}; {@code cfg} the settings it was computed with, its init batches
     * those of the new init loss (0: the whole slice).
     */
    public static EstimatorResult withInitLoss(EstimatorResult stored, SgldConfig cfg, double initLoss) {
        var m = stored.metrics();
        if (!m.containsKey(LlcMetrics.LOSS_TRACE) || !m.containsKey(LlcMetrics.NUM_CHAINS)) {
            throw new HeadLabException("an rLLC result without its loss trace cannot take another init loss");
        }
        double[] flat = stored.array(LlcMetrics.LOSS_TRACE);
        int chains = (int) stored.number(LlcMetrics.NUM_CHAINS);
        if (chains < 1 || flat.length % chains != 0) {
            throw new HeadLabException("an rLLC loss trace of " + flat.length + " draws is not " + chains + " chains");
        }
        if (m.containsKey("llc/diverged_chains") && stored.number("llc/diverged_chains") > 0) {
            throw new HeadLabException("an rLLC result with diverged chains cannot take another init loss (which"
                    + " chains diverged is not stored)");
        }
        int draws = flat.length / chains;
        double[][] loss = new double[chains][draws];
        boolean[] included = new boolean[chains];
        for (int c = 0; c < chains; c++) {
            System.arraycopy(flat, c * draws, loss[c], 0, draws);
            included[c] = true;
        }
        LlcResult r = SgldSampler.summarize(cfg, initLoss, loss, null, included, List.of(), Map.of());
        EstimatorResult recomputed = LlcSweepEstimator.metrics(r, (long) stored.number("llc/windows"),
                (long) stored.number("llc/window_length"));
        return EstimatorResult.builder().putAll(recomputed).putMissing(stored).build();
    }
}
