package org.headlab.core.estimate.llc;

import java.util.ArrayList;
import java.util.List;

/**
 * The λ̂ arrays that are functions of the loss trace: the online trace nβ·(L[c,d] − init loss) and its per-draw mean
 * and std over the chains that did not diverge (a diverged chain's losses are NaN from its divergence on), exactly
 * as {@link SgldSampler#summarize} computes them. Portable result files leave them out and rebuild them here
 * (ADR 0007): they are more than half of an rLLC result's bytes.
 */
public final class LlcTraces {
    /** The metrics this class can rebuild from {@code llc/loss_trace}, {@code llc/init_loss} and nβ. */
    public static final List<String> DERIVED = List.of("llc/trace", "llc/means", "llc/stds");

    private LlcTraces() {
    }

    /** {trace (flattened [chain][draw]), means [draw], stds [draw]} of a flattened loss trace. */
    public static double[][] derive(double[] lossFlat, int chains, double initLoss, double nbeta) {
        int draws = chains == 0 ? 0 : lossFlat.length / chains;
        double[] trace = new double[lossFlat.length];
        boolean[] included = new boolean[chains];
        for (int c = 0; c < chains; c++) {
            included[c] = draws > 0;
            for (int d = 0; d < draws; d++) {
                trace[c * draws + d] = nbeta * (lossFlat[c * draws + d] - initLoss);
                included[c] &= Double.isFinite(lossFlat[c * draws + d]);
            }
        }
        double[] means = new double[draws];
        double[] stds = new double[draws];
        for (int d = 0; d < draws; d++) {
            List<Double> col = new ArrayList<>();
            for (int c = 0; c < chains; c++) {
                if (included[c]) {
                    col.add(trace[c * draws + d]);
                }
            }
            means[d] = SgldSampler.mean(col);
            stds[d] = SgldSampler.std(col);
        }
        return new double[][] {trace, means, stds};
    }
}
