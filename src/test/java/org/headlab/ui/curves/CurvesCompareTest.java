package org.headlab.ui.curves;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.headlab.core.estimate.Head;
import org.headlab.core.figure.TrajectoryFigure;
import org.headlab.core.jobs.WorkerPool;
import org.headlab.core.run.Run;
import org.headlab.core.session.RunSession;
import org.headlab.core.store.ResultTable;
import org.headlab.testing.FixtureRuns;
import org.headlab.ui.Selection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Curves tab's comparison with a second training seed (issue 17): the selected head's match in the other run is
 * drawn beside it, with the values that run's store holds for the matched head; a run of another shape is refused in
 * one line and nothing is drawn for it.
 */
class CurvesCompareTest {
    @TempDir
    Path tmp;

    @Test
    void theSelectedHeadsMatchInAnotherSeedIsDrawnBesideIt() throws Exception {
        Path dyck = FixtureRuns.copyOfSampleRun("dyck", tmp.resolve("dyck"), true);
        Path seed2 = FixtureRuns.copyOfSampleRun("dyck-seed2", tmp.resolve("dyck-seed2"), true);
        try (RunSession session = RunSession.open(dyck); WorkerPool pool = WorkerPool.callerRuns()) {
            Selection selection = new Selection();
            CurvesViewModel vm = new CurvesViewModel(selection, pool, Runnable::run, null);
            selection.update(s -> s.withSession(session).withHead(new Head(1, 0)));
            vm.estimatorProperty().set("llc");
            vm.metricProperty().set("llc/mean");
            vm.compareRunProperty().set(seed2);
            TrajectoryFigure f = vm.figureProperty().get();
            List<TrajectoryFigure.Series> matches = f.series().stream().filter(s -> "match in dyck-seed2".equals(
                    s.label())).toList();
            assertEquals(1, matches.size(), vm.statusProperty().get());
            TrajectoryFigure.Series m = matches.get(0);
            assertTrue(m.name().startsWith("dyck-seed2 1:"), "matched within layer 1: " + m.name());
            assertTrue(vm.statusProperty().get().contains("1:0 matches " + m.name().substring(11) + " in dyck-seed2"),
                    vm.statusProperty().get());
            // the drawn values are the other run's stored rLLCs of that head, read here without the view model
            ResultTable other = ResultTable.read(Run.open(seed2));
            Head matched = Head.parse(m.name().substring(11));
            double[] expected = new double[m.steps().length];
            for (int i = 0; i < expected.length; i++) {
                int step = (int) m.steps()[i];
                expected[i] = other.rows().stream().filter(r -> r.estimator().equals("llc")
                        && r.layer() == matched.layer() && r.head() == matched.head() && r.step() == step)
                        .mapToDouble(r -> r.metrics().get("llc/mean")).findFirst().orElseThrow();
            }
            assertArrayEquals(expected, m.mean(), 0);

            // a hierarchical clustering shows its tree (every head a leaf); k-means has none
            assertNull(vm.dendrogramProperty().get());
            vm.clusterMethodProperty().set(org.headlab.core.analysis.HeadClusters.Method.WARD);
            vm.colourByClusterProperty().set(true);
            assertEquals(16, vm.dendrogramProperty().get().tree().leaves().size());
            vm.clusterMethodProperty().set(org.headlab.core.analysis.HeadClusters.Method.KMEANS);
            assertNull(vm.dendrogramProperty().get());
            // without labels (this view model has none) the clusters have nothing to suggest from
            assertTrue(vm.clusterSuggestionsProperty().get().isEmpty());
            vm.colourByClusterProperty().set(false);

            vm.compareRunProperty().set(null);
            assertTrue(vm.figureProperty().get().series().stream().noneMatch(s -> s.label() != null
                    && s.label().startsWith("match in")));

            Path other2 = FixtureRuns.brackets(tmp, "other-shape");
            vm.compareRunProperty().set(other2);
            assertNull(vm.compareRunProperty().get(), "refused: cleared");
            assertTrue(vm.statusProperty().get().startsWith("Not compared: other-shape has"),
                    vm.statusProperty().get());
        }
    }

    /** Through the workbench: colouring the dyck curves by DTW clusters offers a label for an "other" head. */
    @Test
    void theWorkbenchOffersTheClustersSuggestionInTheLabelPanel() throws Exception {
        Path dyck = FixtureRuns.copyOfSampleRun("dyck", tmp.resolve("dyck"), true);
        org.headlab.ui.workbench.WorkbenchViewModel w = new org.headlab.ui.workbench.WorkbenchViewModel(
                org.headlab.core.jobs.JobExecutor.sameThread(), WorkerPool.callerRuns(), Runnable::run,
                java.time.Clock.systemUTC());
        w.openRun(dyck);
        w.selection().headProperty().set(new Head(0, 0));
        w.curves().estimatorProperty().set("llc");
        w.curves().metricProperty().set("llc/mean");
        w.curves().clusterMethodProperty().set(org.headlab.core.analysis.HeadClusters.Method.DTW);
        w.curves().colourByClusterProperty().set(true);
        String offered = w.labels().clusterSuggestionProperty().get();
        assertTrue(offered.startsWith("Depth tracking ("), "0:0 is labelled other; its DTW cluster-mates are"
                + " depth-tracking heads: " + offered + " / " + w.curves().statusProperty().get());
        w.labels().acceptClusterSuggestion();
        assertEquals("depth-tracking", w.labels().currentProperty().get().classId());
    }
}
