package org.headlab.core.estimate.loss;

/** The loss estimator's metric names, written once (as {@code LlcMetrics} for the rLLC; {@code MetricNamesTest}). */
public final class LossMetrics {
    private LossMetrics() {
    }

    public static final String MEAN = "loss/mean";
    public static final String TOKENS = "loss/tokens";
    public static final String PER_WINDOW = "loss/per_window";
}
