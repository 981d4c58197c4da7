package org.headlab.ui.workbench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.headlab.core.estimate.Head;
import org.headlab.core.jobs.JobExecutor;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.Run;
import org.headlab.core.session.AttentionResult;
import org.headlab.core.session.InputKind;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.BeforeEach;
import org.headlab.testing.HeldJobs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main window's logic without a window: same-thread jobs, results applied at once. */
class WorkbenchViewModelTest {
    @TempDir
    Path tmp;

    WorkbenchViewModel vm;
    Path runDir;

    @BeforeEach
    void open() {
        runDir = FixtureRuns.brackets(tmp, "brackets");
        vm = new WorkbenchViewModel(JobExecutor.sameThread(),
                org.headlab.core.jobs.WorkerPool.callerRuns(), Runnable::run, java.time.Clock.systemUTC());
        vm.openRun(runDir);
    }

    @Test
    void openingARunSelectsTheLastCheckpointAndShowsAMapOfTheSampleInput() {
        assertEquals(FixtureRuns.STEPS, vm.steps());
        assertEquals(100, vm.selection().stepProperty().get());
        assertEquals("([])()", vm.selection().inputProperty().get(), "first line of the run's dataset");
        AttentionResult r = vm.attentionProperty().get();
        assertNotNull(r);
        assertEquals(100, r.step());
        assertEquals(7, r.length(), "BOS + 6 characters");
        assertEquals("", vm.errorProperty().get());
        assertTrue(vm.statusProperty().get().contains("3 checkpoints"), vm.statusProperty().get());
    }

    /**
     * A checkpoint replaced while the window shows its run (issue 19). The window has read every checkpoint's weights
     * already (the composition view scores them all on open), so it keeps showing the weights as they were, which
     * match the hash their stored results carry, and says that the file changed; a checkpoint not yet read is
     * refused with the same line (CheckpointReplacedTest). Reopening reads the new file.
     */
    @Test
    void aCheckpointReplacedUnderTheWindowIsShownAsOpenedAndSaidSo() throws Exception {
        Run run = Run.open(runDir);
        java.nio.file.Path zero = run.checkpoint(0).path();
        float[][][][] asOpened;
        try (Transformer t = Transformer.create(run.config(), run.weights(0))) {
            vm.selectStepIndex(0);
            asOpened = t.attentionPatterns(vm.attentionProperty().get().tokenIds());
        }
        vm.selectStepIndex(2);
        java.nio.file.Path fresh = tmp.resolve("fresh.safetensors");
        java.nio.file.Files.copy(run.checkpoint(10).path(), fresh);
        java.nio.file.Files.move(fresh, zero, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        vm.selectStepIndex(0);
        assertTrue(vm.errorProperty().get().startsWith(zero + " changed on disk since the run was opened"),
                vm.errorProperty().get());
        assertTrue(vm.errorProperty().get().endsWith("reopen the run to see the new file"), vm.errorProperty().get());
        assertArrayEquals(asOpened[0][1][3], vm.attentionProperty().get().pattern(0, 1)[3], 0f,
                "the weights as opened");
        vm.selectStepIndex(1);
        assertEquals("", vm.errorProperty().get(), "an unchanged checkpoint");
        vm.openRun(runDir); // reopened: the replaced file is read as it is now
        vm.selectStepIndex(0);
        assertEquals("", vm.errorProperty().get());
        try (Transformer t = Transformer.create(run.config(), run.weights(10))) {
            assertArrayEquals(t.attentionPatterns(vm.attentionProperty().get().tokenIds())[0][1][3],
                    vm.attentionProperty().get().pattern(0, 1)[3], 0f, "step 0 now holds step 10's weights");
        }
    }

    @Test
    void movingTheCheckpointRecomputesWithThatCheckpointsWeights() {
        vm.selectStepIndex(0);
        AttentionResult r = vm.attentionProperty().get();
        assertEquals(0, r.step());
        // independent of the view model: the same model run directly on the same checkpoint
        Run run = Run.open(runDir);
        try (Transformer t = Transformer.create(run.config(), run.weights(0))) {
            float[][][][] direct = t.attentionPatterns(r.tokenIds());
            for (int l = 0; l < direct.length; l++) {
                for (int h = 0; h < direct[l].length; h++) {
                    for (int q = 0; q < direct[l][h].length; q++) {
                        assertArrayEquals(direct[l][h][q], r.pattern(l, h)[q], 0f);
                    }
                }
            }
        }
    }

    @Test
    void aBadInputIsShownAsAnErrorAndKeepsThePreviousMap() {
        AttentionResult before = vm.attentionProperty().get();
        vm.selection().inputProperty().set("(q)");
        assertTrue(vm.errorProperty().get().contains("q"), vm.errorProperty().get());
        assertEquals(before, vm.attentionProperty().get());
        vm.selection().inputProperty().set("()");
        assertEquals("", vm.errorProperty().get());
        assertEquals(3, vm.attentionProperty().get().length());
    }

    @Test
    void generatingADyckInputFillsTheInputWithSomethingTheTokenizerAccepts() {
        vm.generateInput(InputKind.DYCK);
        String input = vm.selection().inputProperty().get();
        assertTrue(input.matches("[()\\[\\]]+"), input);
        assertEquals("", vm.errorProperty().get());
        assertEquals(input, vm.attentionProperty().get().text());
    }

    @Test
    void openingAFolderThatIsNoRunSaysSoAndKeepsTheOpenRun() {
        vm.openRun(tmp.resolve("missing"));
        assertTrue(vm.errorProperty().get().contains("missing"), vm.errorProperty().get());
        assertEquals(FixtureRuns.STEPS, vm.steps());
    }

    @Test
    void exportingTheShownMapWritesTheFigureItsDataAndItsProvenance() throws Exception {
        vm.selectHead(new Head(1, 3));
        Path svg = tmp.resolve("head.svg");
        vm.exportAttention(svg, false);
        assertEquals("", vm.errorProperty().get());
        assertTrue(java.nio.file.Files.readString(svg).contains("<svg"));
        Path csv = tmp.resolve("head.csv");
        assertTrue(java.nio.file.Files.size(csv) > 0);
        var provenance = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(tmp.resolve("head.provenance.json").toFile());
        assertTrue(provenance.toString().contains("\"1:3\""), provenance.toString());
        assertTrue(provenance.toString().contains(Run.open(runDir).contentHash(100)), "checkpoint hash recorded");
    }

    @Test
    void exportingTheFigureSetWritesWhatTheStoreAllowsAndSaysWhatIsMissing() throws Exception {
        // the fixture run has only what opening it stored (the composition view's scores at every checkpoint): the
        // set is the attention maps at the shown step and the composition curves (q, k, v), and the status names
        // the sweeps that make the rest, as `figures RUN --out DIR` does
        Path out = tmp.resolve("figure-set");
        vm.exportFigureSet(out);
        assertEquals("", vm.errorProperty().get());
        String status = vm.statusProperty().get();
        assertTrue(status.startsWith("Wrote 4 figures (21 files with data and provenance) to " + out), status);
        assertTrue(status.contains("missing llc (") && status.contains("headlab sweep " + runDir + " --estimators llc"),
                status);
        for (String ext : java.util.List.of("pdf", "png", "svg", "csv", "provenance.json")) {
            assertTrue(java.nio.file.Files.size(out.resolve("attention-step100-all-heads." + ext)) > 0, ext);
        }
        var index = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("index.json").toFile());
        assertEquals(4, index.path("figures").size(), index.toString());
        assertTrue(index.path("missing").size() >= 4, index.toString());
    }

    @Test
    void openingOnAChosenStepShowsItAndAMissingStepSaysSo() {
        vm.openRun(runDir, 10);
        assertEquals(10, vm.attentionProperty().get().step());
        assertEquals("", vm.errorProperty().get());
        vm.openRun(runDir, 55);
        assertTrue(vm.statusProperty().get().startsWith("No checkpoint at step 55: showing step 100"),
                vm.statusProperty().get());
        assertEquals(100, vm.attentionProperty().get().step());
    }

    @Test
    void comparingWithAnotherCheckpointComputesBothMapsOnTheSameInput() {
        vm.compareStepProperty().set(0);
        AttentionResult now = vm.attentionProperty().get();
        AttentionResult then = vm.comparisonProperty().get();
        assertEquals(100, now.step());
        assertEquals(0, then.step());
        assertArrayEquals(now.tokenIds(), then.tokenIds());
        vm.compareStepProperty().set(null);
        assertEquals(null, vm.comparisonProperty().get());
    }

    @Test
    void selectingAHeadIsSharedThroughTheSelection() {
        vm.selectHead(new Head(1, 2));
        assertEquals("1:2", vm.selection().head().toString());
    }

    @Test
    void anotherRunIsNotOpenedWhileASweepRunsUnlessTheSweepIsCancelled() {
        Path other = FixtureRuns.brackets(tmp, "other");
        vm.jobsPanel().track("loss on brackets: 3 tasks"); // a sweep being planned: not finished
        String why = vm.switchBlockedBecause();
        assertTrue(why != null && why.startsWith("A sweep is still running on run 'brackets' (loss on brackets"),
                why);
        vm.openRun(other);
        assertEquals("brackets", vm.sessionProperty().get().run().name(), "still the first run");
        assertTrue(vm.errorProperty().get().startsWith("Not opening other: A sweep is still running"),
                vm.errorProperty().get());

        vm.cancelSweepsAndOpen(other);
        assertEquals("other", vm.sessionProperty().get().run().name());
        assertEquals("", vm.errorProperty().get());
        assertTrue(vm.jobsPanel().unfinished().isEmpty());
        assertEquals("cancelled before it started", vm.jobsPanel().sweeps().get(0).failure());
        assertEquals(null, vm.switchBlockedBecause());
    }

    @Test
    void aRunOvertakenWhileOpeningIsNeverShown() {
        HeldJobs jobs = new HeldJobs();
        WorkbenchViewModel w = new WorkbenchViewModel(jobs, org.headlab.core.jobs.WorkerPool.callerRuns(),
                Runnable::run, java.time.Clock.systemUTC());
        Path first = FixtureRuns.brackets(tmp, "first");
        Path second = FixtureRuns.brackets(tmp, "second");
        w.openRun(first);
        w.openRun(second);
        assertEquals(2, jobs.work.size(), "both are opening");
        assertTrue(w.busyProperty().get());
        jobs.finish(1);
        assertEquals("HeadLab — second", w.titleProperty().get());
        jobs.finish(0); // the first run arrives last: closed, not shown
        assertEquals("HeadLab — second", w.titleProperty().get());
        assertEquals("second", w.selection().session().run().name());
        assertEquals("", w.errorProperty().get());
    }
}
