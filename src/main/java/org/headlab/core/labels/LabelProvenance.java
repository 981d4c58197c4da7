package org.headlab.core.labels;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who labelled a head, when, and what the evidence said at that moment, so that a label can be judged later
 * against newer scores.
 *
 * @param who the operating-system user name
 * @param when ISO-8601 instant, e.g. {@code 2025-03-01T12:00:00Z}
 * @param evidence score name → value at labelling time (empty when labelled without evidence, e.g. from the CLI)
 * @param source where the evidence came from (e.g. "attention map at step 100 on '([])()'")
 */
public record LabelProvenance(String who, String when, Map<String, Double> evidence, String source) {

    public LabelProvenance {
        who = who == null ? "" : who;
        when = when == null ? "" : when;
        evidence = evidence == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(evidence));
        source = source == null ? "" : source;
    }

    /** Provenance for a label made now by the current user. */
    public static LabelProvenance now(Clock clock, HeadEvidence evidence) {
        return new LabelProvenance(System.getProperty("user.name", ""), Instant.now(clock).toString(),
                evidence == null ? Map.of() : evidence.scores(), evidence == null ? "" : evidence.source());
    }

    static LabelProvenance unknown() {
        return new LabelProvenance("", "", Map.of(), "");
    }
}
