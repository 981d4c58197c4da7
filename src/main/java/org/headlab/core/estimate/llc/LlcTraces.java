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

    /** The online trace [chain][draw] and its per-draw mean and std over the included chains. */
    public record Derived(double[][] trace, double[] means, double[] stds) {
    }

    /** What the sampler reports from its loss matrix: nβ·(L − init) per draw, mean and std over included chains. */
    static Derived of(double[][] loss, boolean[] included, double initLoss, double nbeta) {
        int chains = loss.length;
        int draws = chains == 0 ? 0 : loss[0].length;
        double[][] trace = new double[chains][draws];
        for (int c = 0; c < chains; c++) {
            for (int d = 0; d < draws; d++) {
                trace[c][d] = nbeta * (loss[c][d] - initLoss);
            }
        }
        double[] means = new double[draws];
        double[] stds = new double[draws];
        for (int d = 0; d < draws; d++) {
            List<Double> col = new ArrayList<>();
            for (int c = 0; c < chains; c++) {
                if (included[c]) {
                    col.add(trace[c][d]);
                }
            }
            means[d] = SgldSampler.mean(col);
            stds[d] = SgldSampler.std(col);
        }
        return new Derived(trace, means, stds);
    }

    /**
     * {trace (flattened [chain][draw]), means [draw], stds [draw]} of a flattened loss trace; a chain is included
     * when every one of its losses is finite (a diverged chain is NaN from its divergence on).
     */
    public static double[][] derive(double[] lossFlat, int chains, double initLoss, double nbeta) {
        int draws = chains == 0 ? 0 : lossFlat.length / chains;
        double[][] loss = new double[chains][];
        boolean[] included = new boolean[chains];
        for (int c = 0; c < chains; c++) {
            loss[c] = java.util.Arrays.copyOfRange(lossFlat, c * draws, (c + 1) * draws);
            included[c] = draws > 0 && java.util.Arrays.stream(loss[c]).allMatch(Double::isFinite);
        }
        Derived d = of(loss, included, initLoss, nbeta);
        double[] flat = new double[chains * draws];
        for (int c = 0; c < chains; c++) {
            System.arraycopy(d.trace()[c], 0, flat, c * draws, draws);
        }
        return new double[][] {flat, d.means(), d.stds()};
    }
}
