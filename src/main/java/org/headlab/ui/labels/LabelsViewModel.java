package org.headlab.ui.labels;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.Head;
import org.headlab.core.jobs.JobExecutor;
import org.headlab.core.labels.EvidenceSource;
import org.headlab.core.labels.HeadEvidence;
import org.headlab.core.labels.HeadLabel;
import org.headlab.core.labels.LabelClass;
import org.headlab.core.labels.LabelEdit;
import org.headlab.core.labels.LabelProvenance;
import org.headlab.core.labels.LabelSet;
import org.headlab.core.labels.LabelStore;
import org.headlab.core.labels.LabelSuggester;
import org.headlab.ui.Selection;

/**
 * The label panel's state and actions, without controls: the labels of the open run, the selected head's label at
 * the selected checkpoint, its evidence and the suggestion, and every edit as a {@link LabelEdit} on an undo/redo
 * stack. The set is immutable, so an undo entry is the edit plus the set before it; "dirty" is "differs from what
 * was last loaded or saved", so undoing back to the saved state is clean again.
 *
 * <p>Saving goes through the job executor, although the file is tiny: the atomic write forces the bytes to disk
 * (fsync) before the rename, which can take far longer than a frame on a slow or network disk, and the rule is that
 * nothing blocks the FX thread. Edits made while a save is in flight stay dirty.
 */
public final class LabelsViewModel {
    private final Selection selection;
    private final JobExecutor jobs;
    private final Consumer<Runnable> uiThread;
    private final Clock clock;
    private final LabelSuggester suggester = new LabelSuggester();

    private final ObjectProperty<LabelSet> labels = new SimpleObjectProperty<>(this, "labels", LabelSet.empty());
    private final ObservableList<HeadLabel> allLabels = FXCollections.observableArrayList();
    private final ObservableList<LabelClass> classes = FXCollections.observableArrayList(LabelClass.BUILT_INS);
    private final ObjectProperty<HeadLabel> current = new SimpleObjectProperty<>(this, "current");
    private final ObjectProperty<HeadEvidence> evidence = new SimpleObjectProperty<>(this, "evidence");
    private final ObjectProperty<LabelSuggester.Suggestion> suggestion = new SimpleObjectProperty<>(this, "suggestion");
    /** head "L:H" → {class name, support}: what the Curves tab's clusters suggest (empty: no clustering shown). */
    private Map<String, String[]> clusterSuggestions = Map.of();
    private final javafx.beans.property.StringProperty clusterSuggestion =
            new javafx.beans.property.SimpleStringProperty(this, "clusterSuggestion", "");
    private final ObjectProperty<Map<String, String>> headColours = new SimpleObjectProperty<>(this, "headColours",
            Map.of());
    private final BooleanProperty dirty = new SimpleBooleanProperty(this, "dirty", false);
    private final BooleanProperty canUndo = new SimpleBooleanProperty(this, "canUndo", false);
    private final BooleanProperty canRedo = new SimpleBooleanProperty(this, "canRedo", false);
    private final BooleanProperty hasRun = new SimpleBooleanProperty(this, "hasRun", false);
    private final StringProperty error = new SimpleStringProperty(this, "error", "");
    private final StringProperty message = new SimpleStringProperty(this, "message", "");

    private record Done(LabelEdit edit, LabelSet before) {
    }

    private final Deque<Done> undo = new ArrayDeque<>();
    private final Deque<LabelEdit> redo = new ArrayDeque<>();
    private LabelSet saved = LabelSet.empty();
    private Path runDir;
    private List<Integer> steps = List.of();
    private boolean fileUnreadable;
    private EvidenceSource evidenceSource = EvidenceSource.NONE;

    public LabelsViewModel(Selection selection, JobExecutor jobs, Consumer<Runnable> uiThread, Clock clock) {
        this.selection = selection;
        this.jobs = jobs;
        this.uiThread = uiThread;
        this.clock = clock;
        selection.headProperty().addListener((o, a, b) -> refresh());
        selection.stepProperty().addListener((o, a, b) -> refresh());
    }

    // ---- state -----------------------------------------------------------------------------------------------

    public ReadOnlyObjectProperty<LabelSet> labelsProperty() {
        return labels;
    }

    public LabelSet labels() {
        return labels.get();
    }

    /** Every label of the run, in head order (for the list). */
    public ObservableList<HeadLabel> allLabels() {
        return allLabels;
    }

    /** Built-in classes (keys 1–7) then user classes (keys 8, 9). */
    public ObservableList<LabelClass> classes() {
        return classes;
    }

    /** The selected head's label at the selected checkpoint, or null. */
    public ReadOnlyObjectProperty<HeadLabel> currentProperty() {
        return current;
    }

    public ReadOnlyObjectProperty<HeadEvidence> evidenceProperty() {
        return evidence;
    }

    public ReadOnlyObjectProperty<LabelSuggester.Suggestion> suggestionProperty() {
        return suggestion;
    }

    /** "L:H" → #rrggbb of the class holding at the selected checkpoint, for the head grid. */
    public ReadOnlyObjectProperty<Map<String, String>> headColoursProperty() {
        return headColours;
    }

    public ReadOnlyBooleanProperty dirtyProperty() {
        return dirty;
    }

    public ReadOnlyBooleanProperty canUndoProperty() {
        return canUndo;
    }

    public ReadOnlyBooleanProperty canRedoProperty() {
        return canRedo;
    }

    public ReadOnlyBooleanProperty hasRunProperty() {
        return hasRun;
    }

    public ReadOnlyStringProperty errorProperty() {
        return error;
    }

    /** What the last action did ("Assigned induction to 1:2", "Saved 3 labels"). */
    public ReadOnlyStringProperty messageProperty() {
        return message;
    }

    public List<Integer> steps() {
        return steps;
    }

    public Optional<LabelClass> classOf(HeadLabel label) {
        return label == null ? Optional.empty() : labels.get().classById(label.classId());
    }

    // ---- run and evidence ------------------------------------------------------------------------------------

    /** Shows the labels {@link LabelStore#load} found for the run in {@code dir}; clears the undo history. */
    public void setRun(Path dir, List<Integer> runSteps, LabelStore.Loaded loaded) {
        runDir = dir;
        steps = List.copyOf(runSteps);
        fileUnreadable = loaded.error().isPresent();
        error.set(loaded.error().map(e -> e + " — labels start empty; saving moves the file aside").orElse(""));
        undo.clear();
        redo.clear();
        saved = loaded.labels();
        hasRun.set(true);
        show(loaded.labels());
        message.set(loaded.labels().labels().isEmpty() ? "" : loaded.labels().labels().size() + " labels loaded");
    }

    /** Where the evidence comes from (see EvidenceSource: today the maps on screen, later the stored scores). */
    public void setEvidenceSource(EvidenceSource source) {
        evidenceSource = source == null ? EvidenceSource.NONE : source;
        refresh();
    }

    // ---- edits -------------------------------------------------------------------------------------------------

    /**
     * Labels the selected head with {@code classId} at the selected checkpoint. An existing label there changes
     * class (keeping its steps and note); otherwise the new label covers the steps between this head's other
     * labels (all checkpoints if it has none).
     */
    public void assign(String classId) {
        Head h = selection.head();
        Integer step = selection.state().step();
        if (!hasRun.get() || h == null) {
            return;
        }
        LabelSet set = labels.get();
        LabelProvenance provenance = LabelProvenance.now(clock, evidence.get());
        HeadLabel existing = current.get();
        HeadLabel label;
        if (existing != null) {
            if (existing.classId().equals(classId)) {
                return;
            }
            label = new HeadLabel(h, classId, existing.fromStep(), existing.toStep(),
                    existing.note(), provenance);
        } else {
            Integer from = null;
            Integer to = null;
            for (HeadLabel other : set.forHead(h)) {
                if (step != null && other.toStep() != null && other.toStep() < step
                        && (from == null || other.toStep() + 1 > from)) {
                    from = other.toStep() + 1;
                }
                if (step != null && other.fromStep() != null && other.fromStep() > step
                        && (to == null || other.fromStep() - 1 < to)) {
                    to = other.fromStep() - 1;
                }
            }
            label = new HeadLabel(h, classId, from, to, "", provenance);
        }
        apply(new LabelEdit.Assign(label));
    }

    /** Number key {@code n} (1-based) → the n-th class of {@link #classes()}; false if there is none. */
    public boolean assignKey(int n) {
        if (n < 1 || n > classes.size()) {
            return false;
        }
        assign(classes.get(n - 1).id());
        return true;
    }

    /**
     * What the clusters of the shown curves suggest per head (HeadClusters.suggestions: the class most cluster-mates
     * carry, for heads unlabelled or "other"); offered for the selected head, applied only by
     * {@link #acceptClusterSuggestion}.
     */
    public void setClusterSuggestions(Map<String, String[]> byHead) {
        clusterSuggestions = byHead == null ? Map.of() : Map.copyOf(byHead);
        refresh();
    }

    /** "Depth tracking (3 of 5 labelled cluster-mates)" for the selected head, or empty. */
    public javafx.beans.property.ReadOnlyStringProperty clusterSuggestionProperty() {
        return clusterSuggestion;
    }

    /** Assigns the class the clusters suggest for the selected head (nothing when they suggest none). */
    public void acceptClusterSuggestion() {
        Head h = selection.head();
        String[] s = h == null ? null : clusterSuggestions.get(h.toString());
        if (s != null) {
            classes.stream().filter(c -> c.displayName().equals(s[0])).findFirst().ifPresent(c -> assign(c.id()));
        }
    }

    /** Assigns the suggested class; the only way a suggestion becomes a label. */
    public void acceptSuggestion() {
        LabelSuggester.Suggestion s = suggestion.get();
        if (s != null) {
            assign(s.classId());
        }
    }

    public void removeCurrent() {
        if (current.get() != null) {
            apply(new LabelEdit.Remove(current.get()));
        }
    }

    public void editNote(String note) {
        HeadLabel l = current.get();
        String text = note == null ? "" : note;
        if (l != null && !l.note().equals(text)) {
            apply(new LabelEdit.EditNote(l, text));
        }
    }

    /** Sets the steps of the current label; null = open-ended. */
    public void changeRange(Integer fromStep, Integer toStep) {
        HeadLabel l = current.get();
        if (l != null && !(java.util.Objects.equals(l.fromStep(), fromStep)
                && java.util.Objects.equals(l.toStep(), toStep))) {
            apply(new LabelEdit.ChangeRange(l, fromStep, toStep));
        }
    }

    /** Sets the steps by checkpoint index (the range slider's units); the first/last index means open-ended. */
    public void changeRangeByIndex(int fromIndex, int toIndex) {
        if (steps.isEmpty()) {
            return;
        }
        int lo = Math.max(0, Math.min(fromIndex, toIndex));
        int hi = Math.min(steps.size() - 1, Math.max(fromIndex, toIndex));
        changeRange(lo == 0 ? null : steps.get(lo), hi == steps.size() - 1 ? null : steps.get(hi));
    }

    /** The checkpoint indices [from, to] a label covers, for the range slider. */
    public int[] rangeIndices(HeadLabel label) {
        int n = steps.size();
        if (label == null || n == 0) {
            return new int[] {0, Math.max(0, n - 1)};
        }
        int lo = 0;
        while (lo < n - 1 && label.fromStep() != null && steps.get(lo) < label.fromStep()) {
            lo++;
        }
        int hi = n - 1;
        while (hi > 0 && label.toStep() != null && steps.get(hi) > label.toStep()) {
            hi--;
        }
        return new int[] {lo, Math.max(lo, hi)};
    }

    /** Adds a user class ("Depth counter", "#17becf"); it gets the next number key. */
    public void addUserClass(String displayName, String colorHex) {
        try {
            apply(new LabelEdit.AddClass(LabelClass.user(displayName, colorHex)));
        } catch (HeadLabException e) {
            error.set(e.getMessage());
        }
    }

    public void undo() {
        Done d = undo.poll();
        if (d != null) {
            redo.push(d.edit());
            show(d.before());
            message.set("Undid: " + d.edit().description());
        }
    }

    public void redo() {
        LabelEdit e = redo.poll();
        if (e != null) {
            LabelSet before = labels.get();
            undo.push(new Done(e, before));
            show(e.applyTo(before));
            message.set("Redid: " + e.description());
        }
    }

    /** What a save did: the unreadable file it moved aside, if any, and the labels it wrote. */
    private record Saved(Optional<Path> aside, LabelSet written) {
    }

    /**
     * Writes labels.json atomically on the job executor, merged under its lock with whatever another writer (a script,
     * the CLI) saved since this window read it: this window's edits since then are applied to the file as it is now
     * ({@link LabelStore#merge}); an unreadable old file is moved aside first.
     */
    public void save() {
        if (runDir == null) {
            return;
        }
        LabelSet snapshot = labels.get();
        LabelSet base = saved;
        Path dir = runDir;
        boolean moveAside = fileUnreadable;
        jobs.submit("save labels", () -> {
            Optional<Path> aside = moveAside ? LabelStore.moveAside(dir) : Optional.empty();
            return new Saved(aside, LabelStore.update(dir, current -> LabelStore.merge(base, snapshot, current)));
        }).whenComplete((result, failure) -> uiThread.accept(() -> {
            if (failure != null) {
                error.set(org.headlab.ui.LatestRequest.messageOf(failure));
                return;
            }
            if (dir.equals(runDir)) {
                Optional<Path> aside = result.aside();
                LabelSet written = result.written();
                saved = written;
                fileUnreadable = false;
                error.set(aside.map(p -> "The unreadable labels.json was kept as " + p.getFileName()).orElse(""));
                if (labels.get().equals(snapshot) && !written.equals(snapshot)) {
                    show(written); // another writer's labels, merged in: shown now
                }
                dirty.set(!labels.get().equals(saved));
                message.set("Saved " + written.labels().size() + " labels to " + LabelStore.FILE
                        + (written.equals(snapshot) ? "" : " (merged with labels saved meanwhile by another writer)"));
            }
        }));
    }

    private void apply(LabelEdit edit) {
        LabelSet before = labels.get();
        LabelSet after;
        try {
            after = edit.applyTo(before);
        } catch (HeadLabException e) {
            error.set(e.getMessage());
            return;
        }
        undo.push(new Done(edit, before));
        redo.clear();
        show(after);
        message.set(Character.toUpperCase(edit.description().charAt(0)) + edit.description().substring(1));
    }

    private void show(LabelSet set) {
        labels.set(set);
        allLabels.setAll(set.labels());
        if (!classes.equals(set.classes())) {
            classes.setAll(set.classes());
        }
        dirty.set(!set.equals(saved));
        canUndo.set(!undo.isEmpty());
        canRedo.set(!redo.isEmpty());
        refresh();
    }

    private void refresh() {
        Head h = selection.head();
        Integer step = selection.state().step();
        LabelSet set = labels.get();
        current.set(h == null ? null : set.at(h, step).orElse(null));
        HeadEvidence e = h == null || step == null ? null
                : evidenceSource.evidence(h, step).orElse(null);
        evidence.set(e);
        suggestion.set(suggester.suggest(e).orElse(null));
        String[] cs = h == null ? null : clusterSuggestions.get(h.toString());
        clusterSuggestion.set(cs == null ? "" : cs[0] + " (" + cs[1] + ")");
        headColours.set(set.coloursAt(step));
    }
}
