package org.headlab.core.labels;

import java.util.Optional;

/**
 * Where the label panel and the suggester get a head's scores from. Today: {@link AttentionEvidence}, computed from
 * the attention maps already on screen. The seam for the pattern estimators (org.headlab.core.estimate.patterns):
 * an implementation that reads their stored results for (head, step) from the run's result store, falling back to
 * the on-screen maps where nothing is stored. Callers only see this interface.
 */
@FunctionalInterface
public interface EvidenceSource {
    /** The scores of head {@code layer:head} at checkpoint {@code step}, or empty if this source has none. */
    Optional<HeadEvidence> evidence(int layer, int head, int step);

    EvidenceSource NONE = (l, h, s) -> Optional.empty();

    /** This source, and where it has nothing, {@code fallback}. */
    default EvidenceSource orElse(EvidenceSource fallback) {
        return (l, h, s) -> {
            Optional<HeadEvidence> e = evidence(l, h, s);
            return e.isPresent() ? e : fallback.evidence(l, h, s);
        };
    }
}
