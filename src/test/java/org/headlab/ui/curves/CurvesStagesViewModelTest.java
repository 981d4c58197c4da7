package org.headlab.ui.curves;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.headlab.core.estimate.EstimatorResult;
import org.headlab.core.estimate.Scope;
import org.headlab.core.estimate.stages.StageDetector;
import org.headlab.core.estimate.stages.StageDetector.Kind;
import org.headlab.core.estimate.stages.StageDetector.Stage;
import org.headlab.core.figure.TrajectoryFigure;
import org.headlab.core.jobs.WorkerPool;
import org.headlab.core.run.RandomWeights;
import org.headlab.core.run.RunWriter;
import org.headlab.core.session.RunSession;
import org.headlab.core.store.ResultKey;
import org.headlab.core.store.ResultStore;
import org.headlab.testing.FixtureRuns;
import org.headlab.ui.Selection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stage bands in the Curves view model, without a window. The store holds a hand-built loss curve whose stages are
 * known by construction (flat to step 27, falling straight in ln(1 + step) to step 250, flat after; as in
 * StageDetectorTest, on the Dyck run's checkpoint grid) and hand-built per-head curves of another estimator: the
 * bands the view model exposes and draws are StageDetector's on that loss curve, behind every curve; they follow
 * the data as results land, hide with the toggle, and the hover read-out names the stage under the pointer.
 */
class CurvesStagesViewModelTest {
    /** The Dyck sample run's checkpoint steps. */
    static final int[] STEPS = {0, 1, 2, 3, 4, 5, 6, 9, 13, 19, 27, 40, 57, 83, 120, 173, 250, 500, 750, 1000, 1250,
        1500, 1750, 2000, 2250, 2500, 2750, 3000, 3250, 3500, 3750, 4000};

    @TempDir
    Path tmp;

    Path runDir;
    RunSession session;
    WorkerPool pool;
    CurvesViewModel vm;
    Selection selection;

    @BeforeEach
    void open() {
        runDir = tmp.resolve("run");
        try (RunWriter w = RunWriter.create(runDir, FixtureRuns.BRACKETS_CONFIG, FixtureRuns.BRACKETS_TOKENIZER, "run",
                "random weights on the Dyck run's checkpoint grid")) {
            for (int step : STEPS) {
                w.addCheckpoint(step, RandomWeights.gaussian(FixtureRuns.BRACKETS_CONFIG, 5L + step, 0.4, true));
            }
            w.addDataset("train", "brackets", List.of("([])()", "[(a)]b"));
            w.training(Map.of("note", "fixture"));
            w.commit();
        }
        session = RunSession.open(runDir);
        pool = WorkerPool.callerRuns();
        selection = new Selection();
        vm = new CurvesViewModel(selection, pool, Runnable::run, null);
    }

    @AfterEach
    void close() {
        session.close();
        pool.close();
    }

    static double[] steps() {
        return Arrays.stream(STEPS).asDoubleStream().toArray();
    }

    /** Straight from (ln(1 + a), ya) to (ln(1 + b), yb), constant outside: stage boundaries at a and b. */
    static DoubleUnaryOperator ramp(double a, double ya, double b, double yb) {
        return st -> {
            double t = (Math.log1p(st) - Math.log1p(a)) / (Math.log1p(b) - Math.log1p(a));
            return ya + (yb - ya) * Math.max(0, Math.min(1, t));
        };
    }

    static final DoubleUnaryOperator LOSS = ramp(27, 2.0, 250, 0.5);

    /** Stores {@code metric} = f(step) for a model-scope estimator at the steps of {@code steps}. */
    void putModel(String estimator, String metric, DoubleUnaryOperator f, int[] steps) {
        try (ResultStore store = ResultStore.openForRun(runDir)) {
            for (int step : steps) {
                store.put(new ResultKey(session.run().contentHash(step), estimator, "{\"max_sequences\":8}", "train",
                        "h", Scope.MODEL, -1, -1), step, EstimatorResult.builder().put(metric, f.applyAsDouble(step))
                        .build(), 1);
            }
        }
    }

    /** Stores a per-head curve of a fake head-scope estimator at every checkpoint. */
    void putHeads() {
        try (ResultStore store = ResultStore.openForRun(runDir)) {
            for (int step : STEPS) {
                for (int l = 0; l < 2; l++) {
                    for (int h = 0; h < 4; h++) {
                        store.put(new ResultKey(session.run().contentHash(step), "ablation", "{}", "", "", Scope.HEAD,
                                l, h), step, EstimatorResult.builder().put("ablation/mean/delta_loss",
                                        0.1 * h + Math.log1p(step) * l).build(), 1);
                    }
                }
            }
        }
    }

    @Test
    void bandsAreStageDetectorsOnTheLossCurveAndLieBehindEveryCurve() {
        putModel("loss", "loss/mean", LOSS, STEPS);
        putHeads();
        selection.setSession(session);

        double[] s = steps();
        double[] v = Arrays.stream(s).map(LOSS).toArray();
        List<Stage> expected = StageDetector.detect(s, v);
        assertNotNull(vm.stageBandsProperty().get());
        assertEquals("loss", vm.stageBandsProperty().get().sourceEstimator());
        assertEquals("loss/mean", vm.stageBandsProperty().get().sourceMetric());
        assertEquals(expected, vm.stages(), "the view model's stages are StageDetector's on the same curve");
        // independent of the detector: the boundaries the curve was built with
        List<Stage> got = vm.stages();
        assertEquals(List.of(Kind.FLAT, Kind.FALLING, Kind.FLAT), got.stream().map(Stage::kind).toList(),
                got.toString());
        assertEquals(0, got.get(0).startStep(), 0.0);
        assertEquals(4000, got.get(2).endStep(), 0.0);
        assertEquals(Math.log1p(27), Math.log1p(got.get(0).endStep()), 0.05, got.toString());
        assertEquals(Math.log1p(250), Math.log1p(got.get(1).endStep()), 0.05, got.toString());

        // behind the per-head curves of another estimator too, in the same numbers, named S1..S3, coloured by kind
        vm.estimatorProperty().set("ablation");
        TrajectoryFigure f = vm.figureProperty().get();
        assertEquals(8, f.series().size());
        assertEquals(3, f.stages().size());
        for (int i = 0; i < 3; i++) {
            TrajectoryFigure.Stage band = f.stages().get(i);
            assertEquals("S" + (i + 1), band.name());
            assertEquals(got.get(i).startStep(), band.fromStep(), 0.0);
            assertEquals(got.get(i).endStep(), band.toStep(), 0.0);
            assertEquals(got.get(i).kind().word(), band.kind());
        }
        String legend = vm.stagesTextProperty().get();
        assertTrue(legend.startsWith("Stage bands (stages of loss, loss/mean): S1 0–"), legend);
        assertTrue(legend.contains("falling") && legend.endsWith("–4000 flat"), legend);

        // the toggle hides them and brings them back
        vm.showStagesProperty().set(false);
        assertTrue(vm.figureProperty().get().stages().isEmpty());
        assertTrue(vm.stages().isEmpty());
        vm.showStagesProperty().set(true);
        assertEquals(3, vm.figureProperty().get().stages().size());
    }

    @Test
    void hoverNamesTheStageUnderThePointer() {
        putModel("loss", "loss/mean", LOSS, STEPS);
        putHeads();
        selection.setSession(session);
        vm.estimatorProperty().set("ablation");
        TrajectoryFigure f = vm.figureProperty().get();
        BufferedImage img = new BufferedImage(800, 320, BufferedImage.TYPE_INT_ARGB);
        var g = img.createGraphics();
        f.draw(g, new java.awt.geom.Rectangle2D.Double(0, 0, 800, 320));
        g.dispose();
        // find a pixel whose step lies inside the falling stage, in the layer-1 panel
        Stage falling = vm.stages().get(1);
        Double at = null;
        double atY = 0;
        for (int x = 799; x >= 0 && at == null; x--) {
            var step = f.stepAt(x, 160);
            if (step.isPresent() && step.getAsDouble() > falling.startStep() * 1.5
                    && step.getAsDouble() < falling.endStep() / 1.5) {
                at = (double) x;
                atY = 160;
            }
        }
        assertNotNull(at, "a point over the falling stage");
        double step = f.stepAt(at, atY).orElseThrow();
        vm.hover(f.pick(at, atY).orElse(null), step);
        String expected = String.format("stage 2: steps %d–%d, falling", Math.round(falling.startStep()),
                Math.round(falling.endStep()));
        assertTrue(vm.readoutProperty().get().endsWith(" · " + expected), vm.readoutProperty().get());
        // step unknown: only the curve read-out; bands hidden: no stage
        vm.hover(f.pick(at, atY).orElse(null), Double.NaN);
        assertTrue(!vm.readoutProperty().get().contains("stage"), vm.readoutProperty().get());
        vm.showStagesProperty().set(false);
        vm.hover(null, step);
        assertEquals("", vm.readoutProperty().get());
    }

    @Test
    void bandsFollowTheDataAsResultsLand() {
        putHeads();
        selection.setSession(session);
        assertNull(vm.stageBandsProperty().get(), "no llc_full and no loss: no bands");
        assertTrue(vm.stagesTextProperty().get().startsWith("No stage bands"), vm.stagesTextProperty().get());
        vm.estimatorProperty().set("ablation");
        assertTrue(vm.figureProperty().get().stages().isEmpty());

        // the loss lands for the first half of the checkpoints, then for all
        int[] half = Arrays.copyOf(STEPS, 16);
        putModel("loss", "loss/mean", LOSS, half);
        vm.refresh();
        double[] hs = Arrays.stream(half).asDoubleStream().toArray();
        assertEquals(StageDetector.detect(hs, Arrays.stream(hs).map(LOSS).toArray()), vm.stages());
        assertEquals(vm.stages().size(), vm.figureProperty().get().stages().size());
        putModel("loss", "loss/mean", LOSS, STEPS);
        vm.refresh();
        double[] s = steps();
        assertEquals(StageDetector.detect(s, Arrays.stream(s).map(LOSS).toArray()), vm.stages());
        assertEquals(4000, vm.figureProperty().get().stages().get(vm.stages().size() - 1).toStep(), 0.0);

        // a full-model LLC, once stored, is preferred (as in the figures command)
        DoubleUnaryOperator llc = ramp(120, 5.0, 1000, 20.0);
        putModel("llc_full", "llc/mean", llc, STEPS);
        vm.refresh();
        assertEquals("llc_full", vm.stageBandsProperty().get().sourceEstimator());
        assertEquals(StageDetector.detect(s, Arrays.stream(s).map(llc).toArray()), vm.stages());
        assertEquals(List.of(Kind.FLAT, Kind.RISING, Kind.FLAT), vm.stages().stream().map(Stage::kind).toList());
    }
}
