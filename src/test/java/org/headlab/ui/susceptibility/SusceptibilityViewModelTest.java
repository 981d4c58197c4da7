package org.headlab.ui.susceptibility;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.headlab.core.estimate.EstimatorRegistry;
import org.headlab.core.estimate.Head;
import org.headlab.core.figure.MatrixFigure;
import org.headlab.core.figure.ScatterFigure;
import org.headlab.core.jobs.JobExecutor;
import org.headlab.core.jobs.WorkerPool;
import org.headlab.core.session.RunSession;
import org.headlab.core.store.ResultStore;
import org.headlab.core.store.StoredResult;
import org.headlab.testing.FixtureRuns;
import org.headlab.ui.Selection;
import org.headlab.ui.estimators.RunEstimatorViewModel;
import org.headlab.ui.jobs.JobsViewModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Susceptibility tab without a window: two heads' estimates computed through the Run estimator form into the
 * run's real store, then read back: the selected head's tokens carry the stored χ (read raw from the store), the
 * matrix and the map cover both heads, and choosing a token makes its window the input.
 */
class SusceptibilityViewModelTest {
    @TempDir
    Path tmp;

    @Test
    void storedEstimatesOfTwoHeadsShowAsTokensMatrixAndMap() {
        RunSession session = RunSession.open(FixtureRuns.brackets(tmp, "brackets"));
        Selection selection = new Selection();
        selection.stepProperty().set(100);
        selection.headProperty().set(new Head(1, 2));
        SusceptibilityViewModel vm = new SusceptibilityViewModel(selection, JobExecutor.sameThread(), Runnable::run);
        selection.setSession(session);
        assertTrue(vm.statusProperty().get().startsWith("No susceptibilities stored at step 100"),
                vm.statusProperty().get());

        JobsViewModel jobs = new JobsViewModel(WorkerPool.callerRuns(), Runnable::run);
        RunEstimatorViewModel form = new RunEstimatorViewModel(EstimatorRegistry.standard(), jobs, selection,
                Runnable::run, vm::refresh);
        for (Head h : new Head[] {new Head(0, 1), new Head(1, 2)}) {
            selection.headProperty().set(h);
            assertTrue(form.prepareForSelection("susceptibility"));
            form.setValue("chains", "2");
            form.setValue("draws", "6");
            form.setValue("batch", "2");
            form.setValue("init_batches", "1");
            form.setValue("probe_windows", "1");
            form.setValue("reference", "self");
            assertTrue(form.start());
        }
        assertEquals(2, jobs.sweeps().size());
        assertTrue(jobs.sweeps().get(1).finished(), jobs.sweeps().get(1).summary());

        double[] chi;
        try (ResultStore store = ResultStore.openForRun(session.run().dir())) {
            StoredResult r = store.query("susceptibility", session.run().contentHash(100)).stream()
                    .filter(x -> x.key().layer() == 1 && x.key().head() == 2).findFirst().orElseThrow();
            chi = r.result().array("susceptibility/chi");
        }
        assertEquals(chi.length, vm.tokens().size());
        for (int k = 0; k < chi.length; k++) {
            assertEquals(chi[k], vm.tokens().get(k).chi(), 0.0, "token " + k);
        }
        assertTrue(vm.statusProperty().get().startsWith("Head 1:2 at step 100: " + chi.length + " probe tokens"),
                vm.statusProperty().get());
        MatrixFigure matrix = (MatrixFigure) vm.matrixProperty().get();
        assertNotNull(matrix);
        assertEquals(2 * chi.length, matrix.data().rows().size(), "one row per head, a column per token of window 0"
                + " (the probe is one window here)");
        ScatterFigure map = (ScatterFigure) vm.mapProperty().get();
        assertEquals(chi.length, map.points().size(), "every probe token on the map");

        SusceptibilityViewModel.TokenCell cell = vm.tokens().get(2);
        vm.select(cell);
        assertTrue(!selection.state().input().isEmpty(), "the token's document became the input");
        // re-encoded, the input holds the token at the selected position: the same token the cell shows
        int[] ids = session.encode(selection.state().input()).ids();
        int at = selection.state().tokenPosition();
        assertEquals(cell.text(), session.vocabulary().get(ids[at]), "the selected position is the probe token");
        assertTrue(!selection.state().input().contains("<bos>"), "one document, no packed <bos> inside");

        selection.headProperty().set(new Head(0, 0));
        assertEquals(0, vm.tokens().size());
        assertTrue(vm.statusProperty().get().startsWith("No susceptibility stored for head 0:0 at step 100"),
                vm.statusProperty().get());
    }

    /** The current input as the probe: every predicted token of it gets a value, and a click selects it there. */
    @Test
    void theSelectedHeadsSusceptibilityToTheCurrentInput() {
        RunSession session = RunSession.open(FixtureRuns.brackets(tmp, "input"));
        Selection selection = new Selection();
        selection.stepProperty().set(100);
        selection.headProperty().set(new Head(1, 2));
        SusceptibilityViewModel vm = new SusceptibilityViewModel(selection, JobExecutor.sameThread(), Runnable::run);
        selection.setSession(session);
        selection.inputProperty().set("([])");
        vm.computeForInput();
        int[] ids = session.encode("([])").ids();
        assertEquals(ids.length - 1, vm.tokens().size(), vm.statusProperty().get());
        assertTrue(vm.statusProperty().get().startsWith("Head 1:2 at step 100 on the input (computed, not stored"),
                vm.statusProperty().get());
        for (int k = 0; k < vm.tokens().size(); k++) {
            assertEquals(session.vocabulary().get(ids[k + 1]), vm.tokens().get(k).text());
            assertTrue(Double.isFinite(vm.tokens().get(k).chi()));
        }
        assertEquals(null, vm.influenceProperty().get(), "χ first");
        vm.select(vm.tokens().get(1));
        assertEquals("([])", selection.state().input(), "the input stays");
        assertEquals(2, selection.state().tokenPosition());
        // the clicked token's Bayesian influence on every token: a correlation, 1 with itself, symmetric
        double[] row = vm.influenceProperty().get();
        assertEquals(vm.tokens().size(), row.length);
        assertEquals(1.0, row[1], 1e-9, "a token's loss is perfectly correlated with itself");
        for (double v : row) {
            assertTrue(v >= -1 - 1e-9 && v <= 1 + 1e-9, "a correlation: " + v);
        }
        vm.select(vm.tokens().get(2));
        assertEquals(row[2], vm.influenceProperty().get()[1], 1e-12, "BIF(1, 2) = BIF(2, 1)");
        assertTrue(vm.statusProperty().get().startsWith("Bayesian influence of"), vm.statusProperty().get());
        vm.showSusceptibility();
        assertEquals(null, vm.influenceProperty().get());
        double[] selectedChi = vm.tokens().stream().mapToDouble(SusceptibilityViewModel.TokenCell::chi).toArray();
        // every head: the matrix has one row per head, the selected head's row is the strip's χ (same seed)
        vm.computeForInputAllHeads();
        var cells = vm.matrixProperty().get().data().rows(); // (head, token, χ), row by row
        int heads = session.run().config().nLayers() * session.run().config().nHeads();
        assertEquals(heads * (ids.length - 1), cells.size(), vm.statusProperty().get());
        List<Double> row12 = cells.stream().filter(c -> "1:2".equals(c.get(0))).map(c -> (Double) c.get(2)).toList();
        assertEquals(selectedChi.length, row12.size());
        for (int k = 0; k < selectedChi.length; k++) {
            assertEquals(selectedChi[k], row12.get(k), 0.0, "token " + k);
        }
        assertTrue(vm.statusProperty().get().endsWith(heads + " of " + heads + " heads computed for the matrix."),
                vm.statusProperty().get());
        selection.inputProperty().set("");
        vm.computeForInput();
        assertEquals("Type an input first: its tokens are the probe", vm.statusProperty().get());
    }
}
