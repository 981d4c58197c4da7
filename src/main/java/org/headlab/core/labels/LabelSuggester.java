package org.headlab.core.labels;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Suggests a class from a head's scores, as scored rules (JMC style): each rule names the score it reads and the
 * threshold it needs. It only ever returns suggestions; applying one is the user's decision (the label panel's
 * Accept button), never this class's.
 */
public final class LabelSuggester {
    /** A rule: if score {@code scoreName} ≥ {@code threshold}, suggest {@code classId}. */
    public record Rule(String scoreName, double threshold, String classId) {
    }

    /** What a rule found: the class, the score that triggered it and its value. */
    public record Suggestion(String classId, String scoreName, double score, double threshold) {
        public String reason() {
            return String.format(java.util.Locale.ROOT, "%s %.2f ≥ %.2f", scoreName, score, threshold);
        }
    }

    /** The default rules; the first-token rule needs more, since early queries put much weight on BOS anyway. */
    public static final List<Rule> DEFAULT_RULES = List.of(
            new Rule(HeadEvidence.BRACKET_MATCHING, 0.4, LabelClass.BRACKET_MATCHING.id()),
            new Rule(HeadEvidence.INDUCTION, 0.4, LabelClass.INDUCTION.id()),
            new Rule(HeadEvidence.PREVIOUS_TOKEN, 0.4, LabelClass.PREVIOUS_TOKEN.id()),
            new Rule(HeadEvidence.CURRENT_TOKEN, 0.4, LabelClass.CURRENT_TOKEN.id()),
            new Rule(HeadEvidence.FIRST_TOKEN, 0.6, LabelClass.POSITIONAL.id()));

    private final List<Rule> rules;

    public LabelSuggester() {
        this(DEFAULT_RULES);
    }

    public LabelSuggester(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** Every rule that fires, strongest first (by how far the score is above its threshold, relatively). */
    public List<Suggestion> all(HeadEvidence evidence) {
        List<Suggestion> out = new ArrayList<>();
        if (evidence == null) {
            return out;
        }
        for (Rule r : rules) {
            evidence.score(r.scoreName()).ifPresent(v -> {
                if (v >= r.threshold()) {
                    out.add(new Suggestion(r.classId(), r.scoreName(), v, r.threshold()));
                }
            });
        }
        out.sort(Comparator.comparingDouble((Suggestion s) -> s.score() / s.threshold()).reversed());
        return out;
    }

    /** The strongest suggestion, or empty when no score is confident enough. */
    public Optional<Suggestion> suggest(HeadEvidence evidence) {
        return all(evidence).stream().findFirst();
    }
}
