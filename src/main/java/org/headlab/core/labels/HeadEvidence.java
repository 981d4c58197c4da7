package org.headlab.core.labels;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The scores of one head at one checkpoint that a label can rest on, by name ({@link #PREVIOUS_TOKEN} …), with a
 * line saying where they came from. Scores are in [0, 1]: the mean attention weight on the key the pattern predicts.
 */
public record HeadEvidence(int layer, int head, int step, Map<String, Double> scores, String source) {
    public static final String PREVIOUS_TOKEN = "previous_token";
    public static final String CURRENT_TOKEN = "current_token";
    public static final String FIRST_TOKEN = "first_token";
    public static final String INDUCTION = "induction";
    public static final String BRACKET_MATCHING = "bracket_matching";

    public HeadEvidence {
        scores = Collections.unmodifiableMap(new LinkedHashMap<>(scores));
        source = source == null ? "" : source;
    }

    public OptionalDouble score(String name) {
        Double v = scores.get(name);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }
}
