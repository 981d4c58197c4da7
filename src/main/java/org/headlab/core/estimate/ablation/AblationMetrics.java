package org.headlab.core.estimate.ablation;

import java.util.regex.Pattern;

/**
 * The ablation estimator's metric names, written once (as {@code LlcMetrics} for the rLLC; {@code MetricNamesTest}):
 * one family per ablation kind (zero, mean, resample), {@code ablation/<kind>/delta_loss} and its companions.
 */
public final class AblationMetrics {
    /** Every ablation metric's name starts so. */
    public static final String PREFIX = "ablation/";
    private static final Pattern DELTA_LOSS = Pattern.compile(Pattern.quote(PREFIX) + "[^/]+/delta_loss");

    private AblationMetrics() {
    }

    /** The loss increase when the head is ablated the {@code kind} way. */
    public static String deltaLoss(String kind) {
        return PREFIX + kind + "/delta_loss";
    }

    /** The increase over the clean loss. */
    public static String normalized(String kind) {
        return PREFIX + kind + "/normalized";
    }

    /** The ablated loss. */
    public static String loss(String kind) {
        return PREFIX + kind + "/loss";
    }

    /** The clean loss the increase is taken from. */
    public static String cleanLoss(String kind) {
        return PREFIX + kind + "/clean_loss";
    }

    /** Whether {@code key} is the loss increase of some ablation kind. */
    public static boolean isDeltaLoss(String key) {
        return DELTA_LOSS.matcher(key).matches();
    }
}
