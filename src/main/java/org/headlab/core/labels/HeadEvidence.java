package org.headlab.core.labels;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.patterns.PatternMetrics;

/**
 * The scores of one head at one checkpoint that a label can rest on, by name ({@link #PREVIOUS_TOKEN} …), with a
 * line saying where they came from. Scores are in [0, 1]: the mean attention weight on the key the pattern predicts.
 */
public record HeadEvidence(Head head, int step, Map<String, Double> scores, String source) {
    // the stored pattern scores' names without their family prefix, so that stored scores and the map's agree
    public static final String PREVIOUS_TOKEN = bare(PatternMetrics.PREVIOUS_TOKEN);
    public static final String CURRENT_TOKEN = bare(PatternMetrics.CURRENT_TOKEN);
    /** Evidence only (the map's attention on position 0); no stored score has it. */
    public static final String FIRST_TOKEN = "first_token";
    public static final String INDUCTION = bare(PatternMetrics.INDUCTION);
    public static final String BRACKET_MATCHING = bare(PatternMetrics.BRACKET_MATCHING);

    public HeadEvidence {
        scores = Collections.unmodifiableMap(new LinkedHashMap<>(scores));
        source = source == null ? "" : source;
    }

    private static String bare(String metric) {
        return metric.substring(PatternMetrics.PREFIX.length());
    }

    public OptionalDouble score(String name) {
        Double v = scores.get(name);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }
}
