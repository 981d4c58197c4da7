package org.headlab.core.labels;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.Head;

/**
 * The labels of one run and the user's classes, immutable: every edit returns a new set, which is what makes undo
 * a matter of keeping the old one. For one head, labels never overlap in steps: {@link #with} replaces the labels
 * of that head whose range meets the new label's, so "which label holds for head h at step s" has one answer.
 */
public final class LabelSet {
    private static final LabelSet EMPTY = new LabelSet(List.of(), List.of());
    private static final Comparator<HeadLabel> ORDER = Comparator.comparingInt(HeadLabel::layer)
            .thenComparingInt(HeadLabel::head)
            .thenComparing(l -> l.fromStep() == null ? Integer.MIN_VALUE : l.fromStep());

    private final List<HeadLabel> labels;
    private final List<LabelClass> userClasses;

    private LabelSet(List<HeadLabel> labels, List<LabelClass> userClasses) {
        List<HeadLabel> sorted = new ArrayList<>(labels);
        sorted.sort(ORDER);
        this.labels = List.copyOf(sorted);
        this.userClasses = List.copyOf(userClasses);
    }

    public static LabelSet empty() {
        return EMPTY;
    }

    /** A set from stored parts; checks that every label names a known class and no head has overlapping labels. */
    public static LabelSet of(List<HeadLabel> labels, List<LabelClass> userClasses) {
        LabelSet set = new LabelSet(List.of(), List.of());
        for (LabelClass c : userClasses) {
            set = set.withClass(c);
        }
        for (int i = 0; i < labels.size(); i++) {
            HeadLabel l = labels.get(i);
            if (set.classById(l.classId()).isEmpty()) {
                throw new HeadLabException("labels[" + i + "].class_id: '" + l.classId()
                        + "' is neither a built-in class nor one of the file's classes");
            }
            for (HeadLabel other : set.forHead(l.asHead())) {
                if (other.overlaps(l.fromStep(), l.toStep())) {
                    throw new HeadLabException("labels[" + i + "]: head " + l.headName() + " already has a label for "
                            + other.rangeText());
                }
            }
            set = new LabelSet(append(set.labels, l), set.userClasses);
        }
        return set;
    }

    public List<HeadLabel> labels() {
        return labels;
    }

    public List<LabelClass> userClasses() {
        return userClasses;
    }

    /** Built-ins first (in key order), then the user's classes in the order they were added. */
    public List<LabelClass> classes() {
        List<LabelClass> all = new ArrayList<>(LabelClass.BUILT_INS);
        all.addAll(userClasses);
        return all;
    }

    public Optional<LabelClass> classById(String id) {
        return classes().stream().filter(c -> c.id().equals(id)).findFirst();
    }

    /** The label that holds for {@code head} at checkpoint {@code step}, if any. */
    public Optional<HeadLabel> at(Head head, Integer step) {
        return labels.stream().filter(l -> l.isSameHead(head) && l.holdsAt(step)).findFirst();
    }

    /** All labels of one head, in step order. */
    public List<HeadLabel> forHead(Head head) {
        return labels.stream().filter(l -> l.isSameHead(head)).toList();
    }

    /** Class colour per head at {@code step} ("L:H" → #rrggbb), for colouring a head grid. */
    public Map<String, String> coloursAt(Integer step) {
        Map<String, String> m = new LinkedHashMap<>();
        for (HeadLabel l : labels) {
            if (l.holdsAt(step)) {
                classById(l.classId()).ifPresent(c -> m.put(l.headName(), c.color()));
            }
        }
        return m;
    }

    /** This set with {@code label} added; labels of the same head whose steps overlap it are replaced. */
    public LabelSet with(HeadLabel label) {
        if (classById(label.classId()).isEmpty()) {
            throw new HeadLabException("unknown label class '" + label.classId() + "'");
        }
        List<HeadLabel> kept = new ArrayList<>();
        for (HeadLabel l : labels) {
            if (!(l.isSameHead(label.asHead()) && l.overlaps(label.fromStep(), label.toStep()))) {
                kept.add(l);
            }
        }
        kept.add(label);
        return new LabelSet(kept, userClasses);
    }

    /** This set without {@code label} (compared by value). */
    public LabelSet without(HeadLabel label) {
        List<HeadLabel> kept = new ArrayList<>(labels);
        kept.remove(label);
        return new LabelSet(kept, userClasses);
    }

    /** This set with {@code old} replaced by {@code replacement} (other overlapping labels of the head replaced too). */
    public LabelSet replace(HeadLabel old, HeadLabel replacement) {
        return without(old).with(replacement);
    }

    /** This set with a user class added; an existing id is refused (built-ins cannot be redefined). */
    public LabelSet withClass(LabelClass c) {
        if (classById(c.id()).isPresent()) {
            throw new HeadLabException("a label class with id '" + c.id() + "' already exists");
        }
        return new LabelSet(labels, append(userClasses, c));
    }

    public boolean isEmpty() {
        return labels.isEmpty() && userClasses.isEmpty();
    }

    private static <T> List<T> append(List<T> list, T item) {
        List<T> out = new ArrayList<>(list);
        out.add(item);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelSet s && s.labels.equals(labels) && s.userClasses.equals(userClasses);
    }

    @Override
    public int hashCode() {
        return labels.hashCode() * 31 + userClasses.hashCode();
    }

    @Override
    public String toString() {
        return "LabelSet" + labels + " classes " + userClasses;
    }
}
