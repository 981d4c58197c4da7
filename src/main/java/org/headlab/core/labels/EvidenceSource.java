package org.headlab.core.labels;

import java.util.Optional;
import org.headlab.core.estimate.Head;

/**
 * Where the label panel and the suggester get a head's scores from. Today: {@link AttentionEvidence}, computed from
 * the attention maps already on screen. The seam for the pattern estimators (org.headlab.core.estimate.patterns):
 * an implementation that reads their stored results for (head, step) from the run's result store, falling back to
 * the on-screen maps where nothing is stored. Callers only see this interface.
 */
@FunctionalInterface
public interface EvidenceSource {
    /** The scores of {@code head} at checkpoint {@code step}, or empty if this source has none. */
    Optional<HeadEvidence> evidence(Head head, int step);

    EvidenceSource NONE = (h, s) -> Optional.empty();

    /** This source, and where it has nothing, {@code fallback}. */
    default EvidenceSource orElse(EvidenceSource fallback) {
        return (h, s) -> {
            Optional<HeadEvidence> e = evidence(h, s);
            return e.isPresent() ? e : fallback.evidence(h, s);
        };
    }
}
