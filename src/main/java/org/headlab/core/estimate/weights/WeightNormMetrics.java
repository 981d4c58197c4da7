package org.headlab.core.estimate.weights;

import java.util.Locale;

/** The weight-norm estimator's metric names: {@code weight_norm/q}, {@code /k}, {@code /v}, {@code /o}. */
public final class WeightNormMetrics {
    private WeightNormMetrics() {
    }

    /** The Frobenius norm of the head's slice of W_{@code matrix} (Q, K, V or O). */
    public static String of(String matrix) {
        return WeightNormEstimator.ID + "/" + matrix.toLowerCase(Locale.ROOT);
    }
}
