package org.headlab.core.labels;

/**
 * One user edit of a label set, as a value: the unit of undo/redo in the label panel and of {@code labels --set}
 * on the command line. Every edit is deterministic (provenance is fixed when the edit is made), so redoing it gives
 * the same set.
 */
public sealed interface LabelEdit {
    LabelSet applyTo(LabelSet set);

    /** A short phrase for menus and the status bar ("assign induction to 1:2"). */
    String description();

    record Assign(HeadLabel label) implements LabelEdit {
        @Override
        public LabelSet applyTo(LabelSet set) {
            return set.with(label);
        }

        @Override
        public String description() {
            return "assign " + label.classId() + " to " + label.headName();
        }
    }

    record Remove(HeadLabel label) implements LabelEdit {
        @Override
        public LabelSet applyTo(LabelSet set) {
            return set.without(label);
        }

        @Override
        public String description() {
            return "remove the label of " + label.headName();
        }
    }

    record EditNote(HeadLabel label, String note) implements LabelEdit {
        @Override
        public LabelSet applyTo(LabelSet set) {
            return set.replace(label, label.withNote(note));
        }

        @Override
        public String description() {
            return "edit the note of " + label.headName();
        }
    }

    record ChangeRange(HeadLabel label, Integer fromStep, Integer toStep) implements LabelEdit {
        @Override
        public LabelSet applyTo(LabelSet set) {
            return set.replace(label, label.withRange(fromStep, toStep));
        }

        @Override
        public String description() {
            return "change the steps of " + label.headName();
        }
    }

    record AddClass(LabelClass labelClass) implements LabelEdit {
        @Override
        public LabelSet applyTo(LabelSet set) {
            return set.withClass(labelClass);
        }

        @Override
        public String description() {
            return "add class " + labelClass.displayName();
        }
    }
}
