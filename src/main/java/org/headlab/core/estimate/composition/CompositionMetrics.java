package org.headlab.core.estimate.composition;

/** The composition scores' metric names, written once (as {@code LlcMetrics} for the rLLC; {@code MetricNamesTest}). */
public final class CompositionMetrics {
    private CompositionMetrics() {
    }

    public static final String PREFIX = "composition/";
    public static final String Q = PREFIX + "q";
    public static final String K = PREFIX + "k";
    public static final String V = PREFIX + "v";
    public static final String N_LAYERS = PREFIX + "n_layers";
    public static final String N_HEADS = PREFIX + "n_heads";

    /** The [sender][receiver] scores of {@code kind} (q, k or v). */
    public static String scores(String kind) {
        return PREFIX + kind;
    }

    /** The random-matrix baseline's mean for {@code kind}. */
    public static String baselineMean(String kind) {
        return PREFIX + "baseline_" + kind + "_mean";
    }

    /** The random-matrix baseline's standard deviation for {@code kind}. */
    public static String baselineStd(String kind) {
        return PREFIX + "baseline_" + kind + "_std";
    }
}
