package org.headlab.ui.diagnostics;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import org.headlab.core.estimate.EstimatorRegistry;
import org.headlab.core.estimate.EstimatorResult;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.Scope;
import org.headlab.core.estimate.llc.LlcDiagnostics;
import org.headlab.core.jobs.JobExecutor;
import org.headlab.core.jobs.WorkerPool;
import org.headlab.core.session.RunSession;
import org.headlab.core.store.ResultKey;
import org.headlab.core.store.ResultStore;
import org.headlab.core.store.StoredResult;
import org.headlab.testing.FixtureRuns;
import org.headlab.ui.Selection;
import org.headlab.ui.estimators.RunEstimatorViewModel;
import org.headlab.ui.jobs.JobsViewModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SGLD diagnostics without a window: a real (tiny) rLLC computed through the Run estimator form into the run's
 * real result store, then read back and drawn for the selected head and checkpoint only.
 */
class SgldDiagnosticsViewModelTest {
    @TempDir
    Path tmp;

    @Test
    void aStoredLlcOfTheSelectedHeadShowsItsTracesPerChainAndItsHealth() {
        RunSession session = RunSession.open(FixtureRuns.brackets(tmp, "brackets"));
        Selection selection = new Selection();
        selection.stepProperty().set(100);
        selection.headProperty().set(new Head(1, 2));
        SgldDiagnosticsViewModel vm = new SgldDiagnosticsViewModel(selection, JobExecutor.sameThread(),
                Runnable::run);
        selection.setSession(session);
        assertNull(vm.lossFigureProperty().get());
        assertTrue(vm.emptyProperty().get().startsWith("No rLLC stored for head 1:2 at step 100"),
                vm.emptyProperty().get());
        assertTrue(vm.emptyProperty().get().contains("Run estimator"), "says how to compute one");

        // the dialog's own workflow, set up as the panel's button sets it up, on a pool that runs on this thread
        JobsViewModel jobs = new JobsViewModel(WorkerPool.callerRuns(), Runnable::run);
        RunEstimatorViewModel form = new RunEstimatorViewModel(EstimatorRegistry.standard(), jobs, selection,
                Runnable::run, vm::refresh);
        // the form follows the same selection, whose run is already open

        assertTrue(form.prepareForSelection("llc"));
        form.setValue("chains", "2");
        form.setValue("draws", "6");
        form.setValue("batch", "2");
        form.setValue("init_batches", "1");
        assertTrue(form.summaryProperty().get().startsWith("1 tasks: 1 checkpoint × head 1:2"),
                form.summaryProperty().get());
        assertTrue(form.start());
        assertTrue(jobs.sweeps().get(0).finished(), jobs.sweeps().get(0).summary());
        assertEquals(1, jobs.sweeps().get(0).progress().computed(), jobs.sweeps().get(0).summary());

        // shown at once (the sweep's result callback refreshed the panel), and it is the stored result
        assertEquals("", vm.emptyProperty().get());
        StoredResult stored;
        try (ResultStore store = ResultStore.openForRun(session.run().dir())) {
            stored = store.query("llc", session.run().contentHash(100)).get(0);
        }
        double[] flatLoss = stored.result().array("llc/loss_trace");
        LlcDiagnostics d = vm.shownProperty().get();
        assertEquals(2, d.chains());
        assertEquals(6, d.draws());
        var loss = vm.lossFigureProperty().get();
        assertNotNull(loss);
        assertEquals(3, loss.series().size(), "2 chains and the init loss");
        assertArrayEquals(Arrays.copyOfRange(flatLoss, 6, 12), loss.series().get(1).mean(), 0, "chain 1's losses");
        double init = stored.result().number("llc/init_loss");
        assertTrue(Arrays.stream(loss.series().get(2).mean()).allMatch(v -> v == init), "the init loss line");
        var llc = vm.llcFigureProperty().get();
        assertEquals(3, llc.series().size(), "2 chains and their mean ± std");
        assertArrayEquals(stored.result().array("llc/means"), llc.series().get(2).mean(), 0);
        String summary = vm.summaryProperty().get();
        // first the verdict in words (6 draws: too few to resolve anything), then the numbers
        assertTrue(summary.startsWith("noise floor: λ̂ ") || summary.startsWith("not a local minimum: λ̂ ")
                || summary.startsWith("resolved: λ̂ "), summary);
        assertTrue(summary.contains(String.format(java.util.Locale.ROOT, "\nλ̂ = %.4g ± ",
                stored.result().number("llc/mean"))), summary);
        assertTrue(summary.contains("2 chains × 6 draws") && summary.contains("MALA acceptance")
                && summary.contains("draws below init loss"), summary);

        // another head or checkpoint has none
        selection.headProperty().set(new Head(0, 0));
        assertNull(vm.lossFigureProperty().get());
        assertTrue(vm.emptyProperty().get().startsWith("No rLLC stored for head 0:0 at step 100"));
        selection.headProperty().set(new Head(1, 2));
        assertNotNull(vm.lossFigureProperty().get());
        selection.stepProperty().set(10);
        assertNull(vm.lossFigureProperty().get());
    }

    @Test
    void whileInactiveTheStoreIsReadOnlyWhenThePanelShowsAgain() {
        RunSession session = RunSession.open(FixtureRuns.brackets(tmp, "b2"));
        Selection selection = new Selection();
        selection.stepProperty().set(100);
        SgldDiagnosticsViewModel vm = new SgldDiagnosticsViewModel(selection, JobExecutor.sameThread(),
                Runnable::run);
        vm.setActive(false);
        selection.setSession(session);
        assertEquals("No run open", vm.emptyProperty().get(), "nothing read while hidden");
        vm.setActive(true);
        assertTrue(vm.emptyProperty().get().startsWith("No rLLC stored for head 0:0 at step 100"));
    }

    @Test
    void devinterpKeysAsWrittenByLlcJsonAreReadToo() {
        EstimatorResult r = EstimatorResult.builder()
                .put("loss/trace", new double[] {1.0, 1.1, 1.2, 0.9, 1.0, 1.05})
                .put("llc/trace", new double[] {0, 3, 6, -3, 0, 1.5})
                .put("llc/chain_means", new double[] {3, -0.5})
                .put("llc/init_loss", 1.0)
                .put("llc/mean", 1.25)
                .put("llc/std", 2.4)
                .put("mala_accept/mean", 0.9)
                .put("mala_accept/std", 0.05)
                .build();
        StoredResult s = new StoredResult(new ResultKey("h", "llc", "{\"draws\":3}", "train", "x", Scope.HEAD, 0, 1),
                100, r, 1234, Instant.EPOCH);
        LlcDiagnostics d = LlcDiagnostics.of(org.headlab.core.store.ResultTable.variantOf(s.key()), s.key().params(),
                s.result(), s.elapsedMillis());
        assertEquals(2, d.chains());
        assertEquals(3, d.draws());
        assertArrayEquals(new double[] {0.9, 1.0, 1.05}, d.lossTrace()[1], 0);
        assertArrayEquals(new double[] {-3, 0, 1.5}, d.llcTrace()[1], 0);
        assertEquals(1.0, d.initLoss());
        assertEquals(0.9, d.malaMean());
        assertEquals("{\"draws\":3} on train", d.variant());
        String text = SgldDiagnosticsViewModel.describe(d);
        assertTrue(text.startsWith("λ̂ = 1.250 ± 2.400 over 2 chains × 3 draws"), text);
        assertTrue(text.contains("MALA acceptance 0.9000 ± 0.05000"), text);
    }
}
