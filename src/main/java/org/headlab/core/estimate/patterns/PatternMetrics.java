package org.headlab.core.estimate.patterns;

/** The pattern scores' metric names, written once (as {@code LlcMetrics} for the rLLC; {@code MetricNamesTest}). */
public final class PatternMetrics {
    private PatternMetrics() {
    }

    /** Every pattern score's name starts so. */
    public static final String PREFIX = "patterns/";
    public static final String PREVIOUS_TOKEN = PREFIX + "previous_token";
    public static final String CURRENT_TOKEN = PREFIX + "current_token";
    public static final String INDUCTION = PREFIX + "induction";
    public static final String BRACKET_MATCHING = PREFIX + "bracket_matching";
    public static final String DEPTH_TRACKING = PREFIX + "depth_tracking";
    public static final String MULTIGRAM = PREFIX + "multigram";
}
