package org.headlab.core.estimate.llc;

/**
 * The names of the rLLC's stored metrics (the estimator writes them, {@link LlcSweepEstimator#metrics}; every reader —
 * curves, figures, diagnostics, clustering — reads them through these constants instead of repeating the strings).
 * The full-model LLC ({@code llc_full}) writes the same names.
 */
public final class LlcMetrics {
    /** λ̂, the mean over chains. */
    public static final String MEAN = "llc/mean";
    /** The standard deviation of λ̂ over chains. */
    public static final String STD = "llc/std";
    /** The standard error of λ̂ from the draws (batch means). */
    public static final String SE = "llc/se";
    /** The part of the error the init loss adds, shared by every head of a checkpoint. */
    public static final String SE_INIT = "llc/se_init";
    /** The verdict ({@link LlcResolution}): 0 resolved, 1 noise floor, 2 not a minimum, 3 no estimate. */
    public static final String RESOLUTION = "llc/resolution";
    /** The loss at the checkpoint's weights, the reference of every draw. */
    public static final String INIT_LOSS = "llc/init_loss";
    /** The loss of every draw, [chain][draw] flattened row-major. */
    public static final String LOSS_TRACE = "llc/loss_trace";
    /** λ̂ of every draw, [chain][draw] flattened row-major (derived from the loss trace; {@link LlcTraces}). */
    public static final String TRACE = "llc/trace";
    /** How many chains were run. */
    public static final String NUM_CHAINS = "llc/num_chains";

    private LlcMetrics() {
    }
}
