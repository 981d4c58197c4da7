package org.headlab.ui.curves;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.EstimatorRegistry;
import org.headlab.core.estimate.Params;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.Target;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.figure.TrajectoryFigure;
import org.headlab.core.jobs.WorkerPool;
import org.headlab.core.labels.HeadLabel;
import org.headlab.core.labels.LabelSet;
import org.headlab.core.session.RunSession;
import org.headlab.core.store.ResultKey;
import org.headlab.core.store.ResultStore;
import org.headlab.core.sweep.Sweep;
import org.headlab.core.sweep.SweepPlan;
import org.headlab.testing.FixtureRuns;
import org.headlab.ui.Selection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Curves from a store filled by a real loss + weight_norm sweep, on a caller-runs pool, without a window. */
class CurvesViewModelTest {
    @TempDir
    Path tmp;

    Path runDir;
    RunSession session;
    WorkerPool pool;
    Selection selection;
    CurvesViewModel vm;

    @BeforeEach
    void sweepAndOpen() throws Exception {
        runDir = FixtureRuns.brackets(tmp, "run");
        pool = WorkerPool.callerRuns();
        session = RunSession.open(runDir);
        EstimatorRegistry registry = EstimatorRegistry.standard();
        DatasetSlices slices = new DatasetSlices(session);
        try (ResultStore store = ResultStore.openForRun(runDir)) {
            List<TaskSpec> tasks = SweepPlan.tasks(session.run(), slices,
                    List.of(registry.get("loss"), registry.get("weight_norm")), Map.of(), null, null, null);
            Sweep.start(pool, session, slices, registry, store, tasks, null).await();
        }
        selection = new Selection();
        vm = new CurvesViewModel(selection, pool, Runnable::run, null);
        selection.setSession(session);
    }

    @AfterEach
    void close() {
        session.close();
        pool.close();
    }

    /** The value the store holds for one task, read independently of the view model. */
    double stored(String estimator, int step, org.headlab.core.estimate.Target t, String metric) {
        var e = EstimatorRegistry.standard().get(estimator);
        TaskSpec spec = new TaskSpec(estimator, step, session.run().contentHash(step), t, e.parameters().defaults(),
                e.usesDataset() ? "train" : "", e.usesDataset()
                        ? new DatasetSlices(session).slice("train").hash() : "");
        try (ResultStore store = ResultStore.openForRun(runDir)) {
            return store.get(ResultKey.of(spec)).orElseThrow().result().number(metric);
        }
    }

    @Test
    void sparklinesCarryEachHeadsRllcOnOneSharedScaleWithUnresolvedPointsMarked() {
        java.util.List<org.headlab.core.store.ResultTable.Row> rows = new java.util.ArrayList<>();
        double[][] values = {{-9.0, 0.5, 1.0, 2.0}, {-7.0, 0.1, 0.2, 0.3}};
        int[] steps = {0, 10, 100, 1000};
        for (int h = 0; h < 2; h++) {
            for (int i = 0; i < steps.length; i++) {
                rows.add(new org.headlab.core.store.ResultTable.Row("llc", "{} on train", "{}", "train",
                        org.headlab.core.estimate.Scope.HEAD, 1, h, steps[i], java.util.Map.of("llc/mean",
                                values[h][i], "llc/resolution", h == 1 && i == 1 ? 1.0 : 0.0)));
            }
        }
        var lines = CurvesViewModel.sparklines(new org.headlab.core.store.ResultTable("r", rows));
        assertEquals(java.util.Set.of("1:0", "1:1"), lines.keySet());
        assertEquals(0.1, lines.get("1:1").lo(), 0.0, "step 0 (no local minimum) does not set the scale");
        assertEquals(2.0, lines.get("1:0").hi(), 0.0, "one scale for every head");
        assertEquals(lines.get("1:0").lo(), lines.get("1:1").lo(), 0.0);
        assertArrayEquals(new boolean[] {false, true, false, false}, lines.get("1:1").unresolved());
        assertEquals(java.util.Map.of(), CurvesViewModel.sparklines(org.headlab.core.store.ResultTable.EMPTY));
    }

    @Test
    void colouringByClusterRelabelsEveryCurveByItsKMeansCluster() {
        vm.estimatorProperty().set("weight_norm");
        vm.metricProperty().set(vm.metrics().get(0));
        vm.colourByClusterProperty().set(true);
        TrajectoryFigure f = vm.figureProperty().get();
        assertEquals(8, f.series().size());
        assertTrue(f.series().stream().allMatch(x -> x.label().startsWith("cluster ")), f.series().toString());
        long k = f.series().stream().map(TrajectoryFigure.Series::label).distinct().count();
        assertTrue(vm.statusProperty().get().contains(k + " clusters by curve shape"), vm.statusProperty().get());
        vm.clusterMethodProperty().set(org.headlab.core.analysis.HeadClusters.Method.WARD);
        assertTrue(vm.statusProperty().get().contains("(hierarchical, Ward, silhouette"), vm.statusProperty().get());
        assertTrue(vm.figureProperty().get().series().stream().allMatch(x -> x.label().startsWith("cluster ")));
        vm.colourByClusterProperty().set(false);
        assertTrue(vm.figureProperty().get().series().stream().noneMatch(x -> x.label() != null
                && x.label().startsWith("cluster ")));
    }

    /**
     * "Curvature of the head": the selected head's curvature measures stacked under the curves, each row the stored
     * values of that measure (checked against the store); a head without them gets none and a note naming the sweep.
     */
    @Test
    void theSelectedHeadsCurvatureMeasuresAreStackedUnderTheCurves() throws Exception {
        EstimatorRegistry registry = EstimatorRegistry.standard();
        DatasetSlices slices = new DatasetSlices(session);
        var trace = registry.get("hessian_trace");
        var fisher = registry.get("fisher_trace");
        Params traceParams = trace.parameters().parse(Map.of("probes", "10", "sequences", "2"));
        Params fisherParams = fisher.parameters().parse(Map.of("sequences", "2"));
        org.headlab.core.estimate.Head head = org.headlab.core.estimate.Head.parse("1:2");
        try (ResultStore store = ResultStore.openForRun(runDir)) {
            List<TaskSpec> tasks = SweepPlan.tasks(session.run(), slices, List.of(trace, fisher),
                    Map.of("hessian_trace", traceParams, "fisher_trace", fisherParams), null, List.of(head), null);
            Sweep.start(pool, session, slices, registry, store, tasks, null).await();
        }
        vm.refresh();
        vm.estimatorProperty().set("loss");
        assertEquals(null, vm.curvatureProperty().get(), "off by default");
        selection.headProperty().set(org.headlab.core.estimate.Head.parse("0:0"));
        vm.showCurvatureProperty().set(true);
        assertEquals(null, vm.curvatureProperty().get());
        assertTrue(vm.statusProperty().get().contains("head 0:0 has fewer than two of the rLLC and the curvature measures"),
                vm.statusProperty().get());
        selection.headProperty().set(head);
        org.headlab.core.figure.StackedFigure c = vm.curvatureProperty().get();
        assertTrue(c != null, vm.statusProperty().get());
        assertEquals(List.of("Hessian trace of head 1:2", "Fisher trace (empirical) of head 1:2"),
                c.rows().stream().map(TrajectoryFigure::title).toList());
        int step = FixtureRuns.STEPS.get(1);
        TaskSpec spec = new TaskSpec("hessian_trace", step, session.run().contentHash(step),
                org.headlab.core.estimate.Target.of(head), traceParams, "train", slices.slice("train").hash());
        TrajectoryFigure.Series traceRow = c.rows().get(0).series().get(0);
        try (ResultStore store = ResultStore.openForRun(runDir)) {
            assertEquals(store.get(ResultKey.of(spec)).orElseThrow().result().number(
                    org.headlab.core.estimate.curvature.CurvatureMetrics.HESSIAN_TRACE_MEAN), traceRow.mean()[1], 0.0);
        }
        // a run without results takes the comparison with it (the curves come back in its place)
        try (RunSession empty = RunSession.open(FixtureRuns.brackets(tmp, "empty"))) {
            selection.setSession(empty);
            assertEquals(null, vm.curvatureProperty().get());
            selection.setSession(session);
        }
        vm.showCurvatureProperty().set(false);
        selection.headProperty().set(org.headlab.core.estimate.Head.parse("0:1"));
        selection.headProperty().set(head);
        assertEquals(null, vm.curvatureProperty().get());
    }

    /**
     * A second, smaller sweep with other settings (stored last) does not take over the curves: the variant with most
     * results is shown, the other is offered, and choosing it shows its own stored values.
     */
    @Test
    void theVariantWithMostResultsIsShownAndAnotherCanBeChosen() throws Exception {
        EstimatorRegistry registry = EstimatorRegistry.standard();
        DatasetSlices slices = new DatasetSlices(session);
        var loss = registry.get("loss");
        Params one = loss.parameters().parse(Map.of("max_sequences", "1"));
        int step = FixtureRuns.STEPS.get(0);
        try (ResultStore store = ResultStore.openForRun(runDir)) {
            List<TaskSpec> tasks = SweepPlan.tasks(session.run(), slices, List.of(loss), Map.of("loss", one),
                    List.of(step), null, null);
            Sweep.start(pool, session, slices, registry, store, tasks, null).await();
        }
        vm.refresh();
        vm.estimatorProperty().set("loss");
        assertEquals(2, vm.variants().size(), vm.variants().toString());
        String main = vm.variants().get(0);
        assertEquals(main, vm.variantProperty().get(), "the complete sweep, not the newest");
        assertEquals(FixtureRuns.STEPS.size(), vm.figureProperty().get().series().get(0).steps().length);
        vm.variantProperty().set(vm.variants().get(1));
        TrajectoryFigure f = vm.figureProperty().get();
        assertEquals(1, f.series().get(0).steps().length, "the one-checkpoint sweep");
        TaskSpec spec = new TaskSpec("loss", step, session.run().contentHash(step),
                org.headlab.core.estimate.Target.model(), one, "train", slices.slice("train").hash());
        try (ResultStore store = ResultStore.openForRun(runDir)) {
            assertEquals(store.get(ResultKey.of(spec)).orElseThrow().result().number(vm.metricProperty().get()),
                    f.series().get(0).mean()[0], 0.0);
        }
        vm.refresh();
        assertEquals(vm.variants().get(1), vm.variantProperty().get(), "a re-read keeps the chosen variant");
        assertEquals("train · max_sequences 1", CurvesView.describeVariant(vm.variantProperty().get()));
        // the same choice is possible on another run (same settings), but a new run starts from its fullest variant
        Path otherDir = FixtureRuns.brackets(tmp, "other");
        try (RunSession other = RunSession.open(otherDir)) {
            DatasetSlices os = new DatasetSlices(other);
            try (ResultStore store = ResultStore.openForRun(otherDir)) {
                List<TaskSpec> tasks = new java.util.ArrayList<>(SweepPlan.tasks(other.run(), os, List.of(loss),
                        Map.of(), null, null, null));
                tasks.addAll(SweepPlan.tasks(other.run(), os, List.of(loss), Map.of("loss", one), List.of(step), null,
                        null));
                Sweep.start(pool, other, os, registry, store, tasks, null).await();
            }
            selection.setSession(other);
            vm.estimatorProperty().set("loss");
            assertEquals(2, vm.variants().size());
            assertEquals(vm.variants().get(0), vm.variantProperty().get(), "a new run: its fullest variant");
            assertEquals(FixtureRuns.STEPS.size(), vm.figureProperty().get().series().get(0).steps().length);
        }
    }

    @Test
    void theRllcIsShownFirstWhenTheStoreHasIt() {
        assertEquals("llc", CurvesViewModel.preferredEstimator(new java.util.TreeSet<>(
                java.util.List.of("ablation", "composition", "llc", "llc_full", "patterns"))));
        assertEquals("llc_full", CurvesViewModel.preferredEstimator(new java.util.TreeSet<>(
                java.util.List.of("ablation", "llc_full"))));
        assertEquals("ablation", CurvesViewModel.preferredEstimator(new java.util.TreeSet<>(
                java.util.List.of("patterns", "ablation"))));
    }

    @Test
    void headCurvesHaveOnePointPerCheckpointWithTheStoredValuesOnePanelPerLayer() {
        assertEquals(List.of("loss", "weight_norm"), vm.estimators());
        vm.estimatorProperty().set("weight_norm");
        assertTrue(vm.metrics().size() >= 4, vm.metrics().toString());
        String metric = vm.metrics().get(0);
        vm.metricProperty().set(metric);
        TrajectoryFigure f = vm.figureProperty().get();
        assertNotNull(f);
        assertEquals(8, f.series().size(), "2 layers × 4 heads");
        TrajectoryFigure.Series s12 = f.series().stream().filter(s -> s.name().equals("1:2")).findFirst()
                .orElseThrow();
        assertEquals("layer 1", s12.panel());
        assertArrayEquals(new double[] {0, 10, 100}, s12.steps());
        for (int i = 0; i < 3; i++) {
            int step = FixtureRuns.STEPS.get(i);
            assertEquals(stored("weight_norm", step, Target.of(new Head(1, 2)), metric),
                    s12.mean()[i], 0.0);
        }
        assertNull(s12.std(), "weight_norm has no std metric");
        assertNull(s12.label(), "no labels: coloured by head");
    }

    @Test
    void perHeadScoresStoredAsOneArrayPerCheckpointBecomeOneCurvePerHead() throws Exception {
        EstimatorRegistry registry = EstimatorRegistry.standard();
        DatasetSlices slices = new DatasetSlices(session);
        try (ResultStore store = ResultStore.openForRun(runDir)) {
            List<TaskSpec> tasks = SweepPlan.tasks(session.run(), slices, List.of(registry.get("patterns")),
                    Map.of(), null, null, null);
            Sweep.start(pool, session, slices, registry, store, tasks, null).await();
        }
        vm.refresh(); // the same run, its store grown by the sweep above
        vm.estimatorProperty().set("patterns");
        vm.metricProperty().set("patterns/previous_token");
        TrajectoryFigure f = vm.figureProperty().get();
        assertEquals(8, f.series().size(), "2 layers × 4 heads from one [layer][head] array per checkpoint");
        TrajectoryFigure.Series s12 = f.series().stream().filter(s -> s.name().equals("1:2")).findFirst()
                .orElseThrow();
        // independent read: the stored whole-model array, element layer·heads + head
        var e = registry.get("patterns");
        for (int i = 0; i < 3; i++) {
            int step = FixtureRuns.STEPS.get(i);
            TaskSpec spec = new TaskSpec("patterns", step, session.run().contentHash(step),
                    org.headlab.core.estimate.Target.model(), e.parameters().defaults(),
                    e.usesDataset() ? "train" : "", e.usesDataset() ? slices.slice("train").hash() : "");
            try (ResultStore store = ResultStore.openForRun(runDir)) {
                double[] all = store.get(ResultKey.of(spec)).orElseThrow().result().array("patterns/previous_token");
                assertEquals(all[1 * 4 + 2], s12.mean()[i], 0.0);
            }
        }
    }

    @Test
    void aModelScopeEstimatorGivesOneCurve() {
        vm.estimatorProperty().set("loss");
        TrajectoryFigure f = vm.figureProperty().get();
        assertEquals(1, f.series().size());
        TrajectoryFigure.Series s = f.series().get(0);
        assertEquals("model", s.name());
        String metric = vm.metricProperty().get();
        assertEquals(stored("loss", 10, org.headlab.core.estimate.Target.model(), metric), s.mean()[1], 0.0);
    }

    @Test
    void labelsGiveTheSeriesTheirClassAndTheSelectionIsEmphasisedAndMarked() throws Exception {
        LabelSet labels = LabelSet.of(List.of(new HeadLabel(0, 1, "induction", null, null, "", null)), List.of());
        TrajectoryFigure f = CurvesViewModel.build(vm.loaded(), "weight_norm",
                vm.loaded().rows().stream().filter(r -> r.estimator().equals("weight_norm")).findFirst()
                        .orElseThrow().variant(), vm.metrics().isEmpty() ? null : firstWeightMetric(), labels, 100);
        var byName = f.series().stream().collect(java.util.stream.Collectors.toMap(TrajectoryFigure.Series::name,
                s -> s));
        assertEquals("Induction", byName.get("0:1").label());
        assertEquals(CurvesViewModel.UNLABELLED, byName.get("1:3").label());

        vm.estimatorProperty().set("weight_norm");
        selection.headProperty().set(new Head(1, 3));
        selection.stepProperty().set(10);
        TrajectoryFigure shown = vm.figureProperty().get();
        BufferedImage img = new BufferedImage(700, 300, BufferedImage.TYPE_INT_ARGB);
        var g = img.createGraphics();
        shown.draw(g, new java.awt.geom.Rectangle2D.Double(0, 0, 700, 300));
        g.dispose();
        // a pick at the emphasised curve's point at step 10 finds that curve and that step
        TrajectoryFigure.Series s13 = shown.series().stream().filter(s -> s.name().equals("1:3")).findFirst()
                .orElseThrow();
        double[] xy = locate(shown, s13, 1, 700);
        var pick = shown.pick(xy[0], xy[1]).orElseThrow();
        assertEquals("1:3", pick.series());
        assertEquals(10, pick.step());
        assertEquals(s13.mean()[1], pick.mean(), 0.0);
        // clicking on curve 1:3 at step 100 selects head 1:3 and step 100
        selection.headProperty().set(new Head(0, 0));
        shown = vm.figureProperty().get();
        g = img.createGraphics();
        shown.draw(g, new java.awt.geom.Rectangle2D.Double(0, 0, 700, 300));
        g.dispose();
        xy = locate(shown, s13, 2, 700);
        vm.click(shown.pick(xy[0], xy[1]).orElseThrow());
        assertEquals(new Head(1, 3), selection.head());
        assertEquals(100, selection.stepProperty().get());
        vm.hover(shown.pick(xy[0], xy[1]).orElseThrow());
        assertTrue(vm.readoutProperty().get().startsWith("1:3 · step 100 · "), vm.readoutProperty().get());
    }

    private String firstWeightMetric() {
        vm.estimatorProperty().set("weight_norm");
        return vm.metricProperty().get();
    }

    /** Scans the drawn figure for the pixel where {@code pick} lands on point {@code i} of {@code s}. */
    private static double[] locate(TrajectoryFigure f, TrajectoryFigure.Series s, int i, int width) {
        double best = Double.POSITIVE_INFINITY;
        double[] at = null;
        for (int x = 0; x < width; x++) {
            for (int y = 0; y < 300; y += 1) {
                var p = f.pick(x, y);
                if (p.isPresent() && p.get().series().equals(s.name()) && p.get().step() == s.steps()[i]
                        && p.get().distance() < best) {
                    best = p.get().distance();
                    at = new double[] {x, y};
                }
            }
        }
        assertNotNull(at, "point " + i + " of " + s.name() + " is on the figure");
        assertTrue(best < 1.5, "the pick lands on the curve: " + best);
        return at;
    }

    @Test
    void noStoreMeansNoCurvesAndNoFileCreated() throws Exception {
        Path other = FixtureRuns.brackets(tmp, "fresh");
        try (RunSession s = RunSession.open(other)) {
            selection.setSession(s);
            assertTrue(vm.estimators().isEmpty());
            assertNull(vm.figureProperty().get());
            assertTrue(vm.statusProperty().get().startsWith("No results stored"), vm.statusProperty().get());
            assertTrue(!Files.exists(ResultStore.location(other)), "reading never creates the store");
        }
    }
}
