package org.headlab.ui.labels;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.headlab.core.estimate.Head;
import org.headlab.core.jobs.JobExecutor;
import org.headlab.core.labels.HeadEvidence;
import org.headlab.core.labels.HeadLabel;
import org.headlab.core.labels.LabelSet;
import org.headlab.core.labels.LabelStore;
import org.headlab.testing.FixtureRuns;
import org.headlab.ui.Selection;
import org.headlab.ui.workbench.WorkbenchViewModel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Labelling without a window: edits, undo/redo sequences, dirty state, evidence and suggestions, save. */
class LabelsViewModelTest {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-01T12:00:00Z"), ZoneOffset.UTC);
    static final List<Integer> STEPS = List.of(0, 10, 100, 1000);

    @TempDir
    Path run;

    Selection selection;
    LabelsViewModel vm;

    @BeforeEach
    void setUp() {
        selection = new Selection();
        vm = new LabelsViewModel(selection, JobExecutor.sameThread(), Runnable::run, CLOCK);
        vm.setRun(run, STEPS, new LabelStore.Loaded(LabelSet.empty(), Optional.empty()));
        selection.stepProperty().set(100);
        selection.headProperty().set(new Head(1, 2));
    }

    String currentClass() {
        HeadLabel l = vm.currentProperty().get();
        return l == null ? null : l.classId();
    }

    @Test
    void assignChangeUndoRedoWalksBackAndForth() {
        assertTrue(vm.assignKey(1));
        assertEquals("previous-token", currentClass());
        vm.assign("induction");
        vm.editNote("copies the token after the last occurrence");
        vm.changeRangeByIndex(2, 3);
        HeadLabel l = vm.currentProperty().get();
        assertEquals(100, l.fromStep());
        assertNull(l.toStep(), "the last checkpoint means open-ended");
        assertEquals(1, vm.allLabels().size());
        assertEquals("#d62728", vm.headColoursProperty().get().get("1:2"));
        assertTrue(vm.dirtyProperty().get());

        vm.undo(); // range
        assertNull(vm.currentProperty().get().fromStep());
        vm.undo(); // note
        assertEquals("", vm.currentProperty().get().note());
        vm.undo(); // class
        assertEquals("previous-token", currentClass());
        vm.undo(); // assign
        assertNull(currentClass());
        assertFalse(vm.canUndoProperty().get());
        assertFalse(vm.dirtyProperty().get(), "back at the loaded state");

        vm.redo();
        vm.redo();
        assertEquals("induction", currentClass());
        assertTrue(vm.canRedoProperty().get());
        vm.assignKey(7); // a new edit drops the redo branch
        assertEquals("other", currentClass());
        assertFalse(vm.canRedoProperty().get());
        vm.removeCurrent();
        assertNull(currentClass());
        vm.undo();
        assertEquals("other", currentClass());
    }

    @Test
    void aLabelOnlyHoldsForItsRangeAndANewOneFillsTheGap() {
        vm.assign("previous-token");
        vm.changeRangeByIndex(0, 1); // steps ..10
        assertNull(currentClass(), "step 100 is outside");
        assertEquals(Map.of(), vm.headColoursProperty().get());
        vm.assign("induction"); // at step 100: from 11 on
        HeadLabel ind = vm.currentProperty().get();
        assertEquals(11, ind.fromStep());
        assertNull(ind.toStep());
        selection.stepProperty().set(10);
        assertEquals("previous-token", currentClass());
        assertEquals(2, vm.allLabels().size());
        assertEquals(2, vm.rangeIndices(ind)[0], "11 maps to the first checkpoint at or after it");
    }

    @Test
    void aUserClassGetsTheNextKeyAndIsUndoable() {
        vm.addUserClass("Depth counter", "#17becf");
        assertEquals(8, vm.classes().size());
        assertTrue(vm.assignKey(8));
        assertEquals("depth-counter", currentClass());
        vm.undo();
        vm.undo();
        assertEquals(7, vm.classes().size());
        assertFalse(vm.assignKey(8));
        vm.addUserClass("Induction", "#000000");
        assertTrue(vm.errorProperty().get().contains("already exists"), vm.errorProperty().get());
    }

    @Test
    void theClustersSuggestionIsOfferedForTheSelectedHeadAndOnlyAppliedWhenAccepted() {
        assertEquals("", vm.clusterSuggestionProperty().get());
        vm.setClusterSuggestions(Map.of("1:2", new String[] {"Induction", "2 of 3 labelled cluster-mates"}));
        assertEquals("Induction (2 of 3 labelled cluster-mates)", vm.clusterSuggestionProperty().get());
        assertNull(vm.currentProperty().get(), "never applied silently");
        selection.headProperty().set(new Head(0, 1));
        assertEquals("", vm.clusterSuggestionProperty().get(), "nothing suggested for another head");
        vm.acceptClusterSuggestion();
        assertNull(vm.currentProperty().get());
        selection.headProperty().set(new Head(1, 2));
        vm.acceptClusterSuggestion();
        assertEquals("induction", currentClass());
        vm.setClusterSuggestions(Map.of());
        assertEquals("", vm.clusterSuggestionProperty().get(), "gone with the clustering");
    }

    @Test
    void theSuggestionComesFromTheEvidenceAndIsOnlyAppliedWhenAccepted() {
        vm.setEvidenceSource((h, s) -> Optional.of(new HeadEvidence(h, s,
                Map.of(HeadEvidence.PREVIOUS_TOKEN, 0.92, HeadEvidence.CURRENT_TOKEN, 0.03), "test")));
        assertNotNull(vm.suggestionProperty().get());
        assertEquals("previous-token", vm.suggestionProperty().get().classId());
        assertNull(vm.currentProperty().get(), "never applied silently");
        vm.acceptSuggestion();
        HeadLabel l = vm.currentProperty().get();
        assertEquals("previous-token", l.classId());
        assertEquals(0.92, l.provenance().evidence().get(HeadEvidence.PREVIOUS_TOKEN));
        assertEquals("2025-03-01T12:00:00Z", l.provenance().when());
        assertEquals(System.getProperty("user.name"), l.provenance().who());
    }

    @Test
    void saveWritesTheFileAndClearsDirtyAndAnUnreadableFileIsMovedAside() throws Exception {
        Files.writeString(LabelStore.file(run), "{broken");
        vm.setRun(run, STEPS, LabelStore.load(run));
        assertTrue(vm.errorProperty().get().contains("labels.json"), vm.errorProperty().get());
        vm.assign("positional");
        assertTrue(vm.dirtyProperty().get());
        vm.save();
        assertFalse(vm.dirtyProperty().get());
        assertEquals(vm.labels(), LabelStore.read(run));
        try (var files = Files.list(run)) {
            assertEquals(1, files.filter(p -> p.getFileName().toString().startsWith("labels.unreadable-")).count());
        }
    }

    @Test
    void theWorkbenchLoadsLabelsWithTheRunAndComputesEvidenceFromTheMaps(@TempDir Path parent) {
        Path dir = FixtureRuns.brackets(parent, "brackets");
        LabelStore.save(dir, LabelSet.empty().with(new HeadLabel(0, 1, "induction", null, null, "x", null)));
        WorkbenchViewModel w = new WorkbenchViewModel(JobExecutor.sameThread(),
                org.headlab.core.jobs.WorkerPool.callerRuns(), Runnable::run, java.time.Clock.systemUTC());
        w.openRun(dir);
        w.selectHead(new Head(0, 1));
        assertEquals("induction", w.labels().currentProperty().get().classId());
        HeadEvidence e = w.labels().evidenceProperty().get();
        assertNotNull(e);
        assertTrue(e.scores().keySet().containsAll(List.of(HeadEvidence.PREVIOUS_TOKEN, HeadEvidence.CURRENT_TOKEN,
                HeadEvidence.BRACKET_MATCHING)), e.scores().toString());
    }
}
