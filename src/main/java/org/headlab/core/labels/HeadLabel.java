package org.headlab.core.labels;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.Head;

/**
 * What a user said about one head: its class, for which checkpoints it holds, a note, and who said it when on
 * which evidence. Immutable; edits make a new label. The head is kept as two ints, {@code layer} and {@code head},
 * because that is how labels.json writes it; {@link #asHead} gives it as a {@link Head}.
 *
 * @param fromStep first checkpoint step (inclusive) the label holds for; null = from the start of training
 * @param toStep last checkpoint step (inclusive); null = to the end of training
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HeadLabel(int layer, int head, String classId, Integer fromStep, Integer toStep, String note,
        LabelProvenance provenance) {

    public HeadLabel {
        if (layer < 0 || head < 0) {
            throw new HeadLabException("head " + layer + ":" + head + " must have a layer and head ≥ 0");
        }
        if (classId == null || classId.isBlank()) {
            throw new HeadLabException("label of head " + layer + ":" + head + " has no class_id");
        }
        if (fromStep != null && toStep != null && fromStep > toStep) {
            throw new HeadLabException("label of head " + layer + ":" + head + ": from_step " + fromStep
                    + " is after to_step " + toStep);
        }
        note = note == null ? "" : note;
        provenance = provenance == null ? LabelProvenance.unknown() : provenance;
    }

    public HeadLabel(Head head, String classId, Integer fromStep, Integer toStep, String note,
            LabelProvenance provenance) {
        this(head.layer(), head.head(), classId, fromStep, toStep, note, provenance);
    }

    /** The labelled head. */
    @JsonIgnore
    public Head asHead() {
        return new Head(layer, head);
    }

    /** Whether this label holds at checkpoint {@code step}; a null step (no checkpoint) matches only open labels. */
    public boolean holdsAt(Integer step) {
        if (step == null) {
            return fromStep == null && toStep == null;
        }
        return (fromStep == null || fromStep <= step) && (toStep == null || step <= toStep);
    }

    /** Whether the step ranges of the two labels share a step (both as closed intervals, null = unbounded). */
    public boolean overlaps(Integer from, Integer to) {
        long a0 = fromStep == null ? Long.MIN_VALUE : fromStep;
        long a1 = toStep == null ? Long.MAX_VALUE : toStep;
        long b0 = from == null ? Long.MIN_VALUE : from;
        long b1 = to == null ? Long.MAX_VALUE : to;
        return a0 <= b1 && b0 <= a1;
    }

    @JsonIgnore
    public boolean isSameHead(Head h) {
        return layer == h.layer() && head == h.head();
    }

    /** {@code L:H} as on the command line. */
    @JsonIgnore
    public String headName() {
        return asHead().toString();
    }

    /** "all checkpoints", "steps 100–400", "from step 100", "up to step 400". */
    @JsonIgnore
    public String rangeText() {
        if (fromStep == null && toStep == null) {
            return "all checkpoints";
        }
        if (fromStep == null) {
            return "up to step " + toStep;
        }
        if (toStep == null) {
            return "from step " + fromStep;
        }
        return fromStep.equals(toStep) ? "step " + fromStep : "steps " + fromStep + "–" + toStep;
    }

    public HeadLabel withClassId(String id) {
        return new HeadLabel(layer, head, id, fromStep, toStep, note, provenance);
    }

    public HeadLabel withNote(String text) {
        return new HeadLabel(layer, head, classId, fromStep, toStep, text, provenance);
    }

    public HeadLabel withRange(Integer from, Integer to) {
        return new HeadLabel(layer, head, classId, from, to, note, provenance);
    }
}
