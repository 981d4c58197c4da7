package org.headlab.ui.workbench;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.geometry.Bounds;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TabPane;
import javafx.stage.Stage;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.stages.StageDetector;
import org.headlab.core.figure.TrajectoryFigure;
import org.headlab.testing.FixtureRuns;
import org.headlab.testing.WorkbenchWindow;
import org.headlab.ui.Selection;
import org.headlab.ui.estimators.RunEstimatorViewModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bundled Dyck run in the real window: the head grid's every column fits the default split; after a short loss
 * sweep and a pattern-score sweep from the window, the Curves tab shades the loss curve's stages behind the
 * bracket-matching curves, lists them, names the stage under the pointer, and its toggle hides them.
 * {@code HEADLAB_ASSETS=1} also writes the README's assets/workbench-curves.png.
 */
@ExtendWith(ApplicationExtension.class)
class WorkbenchStagesTest {
    @TempDir
    static Path tmp;

    WorkbenchViewModel vm;
    WorkbenchView view;
    WorkbenchWindow window;

    @Start
    void start(Stage stage) {
        window = WorkbenchWindow.show(stage, 2, 1280, 800);
        vm = window.vm();
        view = window.view();
    }

    @AfterEach
    void stop() {
        window.close();
    }

    /** Runs {@code id} over every checkpoint of the open run with the given parameters, from the window's form. */
    private void sweep(String id, String... params) {
        int before = vm.jobsPanel().sweeps().size();
        WaitForAsyncUtils.waitForAsyncFx(10_000, () -> {
            RunEstimatorViewModel form = vm.runEstimator();
            form.estimatorProperty().set(form.estimators().stream().filter(e -> e.id().equals(id)).findFirst()
                    .orElseThrow());
            form.stepScopeProperty().set(RunEstimatorViewModel.StepScope.ALL);
            form.headScopeProperty().set(RunEstimatorViewModel.HeadScope.ALL);
            for (int i = 0; i < params.length; i += 2) {
                form.setValue(params[i], params[i + 1]);
            }
            assertTrue(form.start(), form.errorProperty().get() + " " + form.errors());
        });
        try {
            WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> vm.jobsPanel().sweeps().size() == before + 1
                    && vm.jobsPanel().sweeps().get(0).finished());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError(id + " sweep did not finish", e);
        }
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void stageBandsOnTheDyckRunsCurves(FxRobot robot) throws Exception {
        Path run = FixtureRuns.copyOfSampleRun("dyck", tmp.resolve("dyck-" + System.nanoTime()));
        Platform.runLater(() -> {
            vm.selection().headProperty().set(new Head(1, 0));
            vm.openRun(run, 4000);
        });
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.attentionProperty().get() != null);
        WaitForAsyncUtils.waitForFxEvents();

        // the head grid: every column of 8 heads inside the grid's viewport at the default split
        ScrollPane gridScroll = robot.lookup("#headGridScroll").queryAs(ScrollPane.class);
        Bounds viewport = gridScroll.localToScene(gridScroll.getLayoutBounds());
        for (int l = 0; l < 2; l++) {
            Node last = robot.lookup("#head-" + l + "-7").query();
            Bounds cell = last.localToScene(last.getLayoutBounds());
            assertTrue(cell.getMaxX() <= viewport.getMaxX() - 1, "head " + l + ":7 ends at " + cell.getMaxX()
                    + ", the grid's viewport at " + viewport.getMaxX());
        }
        assertTrue(view.headGrid().getWidth() <= gridScroll.getViewportBounds().getWidth() + 0.5,
                "no horizontal overflow: " + view.headGrid().getWidth() + " in "
                        + gridScroll.getViewportBounds().getWidth());

        sweep("loss", "max_sequences", "64");
        sweep("patterns");
        robot.interact(() -> {
            TabPane tabs = robot.lookup("#viewTabs").queryAs(TabPane.class);
            tabs.getTabs().stream().filter(t -> "curvesTab".equals(t.getId())).findFirst()
                    .ifPresent(t -> tabs.getSelectionModel().select(t));
        });
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.curves().estimators().contains("patterns")
                && vm.curves().stageBandsProperty().get() != null);
        robot.interact(() -> {
            vm.curves().estimatorProperty().set("patterns");
            vm.curves().metricProperty().set("patterns/bracket_matching");
        });
        WaitForAsyncUtils.waitForFxEvents();

        // bands: the loss curve's stages, behind the 16 per-head curves on screen
        var canvas = view.curvesView().canvas();
        TrajectoryFigure f = (TrajectoryFigure) canvas.figure();
        assertEquals(16, f.series().size());
        List<StageDetector.Stage> stages = vm.curves().stages();
        assertFalse(stages.isEmpty(), "stages found on the Dyck run's loss");
        assertEquals("loss", vm.curves().stageBandsProperty().get().sourceEstimator());
        assertEquals(stages.size(), f.stages().size());
        for (int i = 0; i < stages.size(); i++) {
            assertEquals(stages.get(i).startStep(), f.stages().get(i).fromStep(), 0.0);
            assertEquals(stages.get(i).endStep(), f.stages().get(i).toStep(), 0.0);
            assertEquals(stages.get(i).kind().word(), f.stages().get(i).kind());
        }
        assertEquals(0, stages.get(0).startStep(), 0.0);
        assertEquals(4000, stages.get(stages.size() - 1).endStep(), 0.0);
        Label legend = robot.lookup("#curvesStagesLegend").queryAs(Label.class);
        assertTrue(legend.isVisible() && legend.getText().startsWith("Stage bands (stages of loss, loss/mean): S1 0–"),
                legend.getText());

        // hover over head 1:0's curve late in training: its value and the last stage
        Point2D at = null;
        double best = 1.5;
        for (int x = (int) canvas.getWidth() - 1; x >= 0 && at == null; x--) {
            for (int y = 0; y < canvas.getHeight(); y++) {
                var p = f.pick(x, y);
                if (p.isPresent() && p.get().series().equals("1:0") && p.get().step() == 3000
                        && p.get().distance() < best) {
                    at = new Point2D(x, y);
                    break;
                }
            }
        }
        assertNotNull(at, "head 1:0's point at step 3000 is on screen");
        robot.moveTo(canvas.canvas().localToScreen(at));
        WaitForAsyncUtils.waitForFxEvents();
        String readout = robot.lookup("#curvesReadout").queryAs(Label.class).getText();
        StageDetector.Stage lastStage = stages.get(stages.size() - 1);
        assertTrue(readout.startsWith("1:0 · step 3000 · patterns/bracket_matching = "), readout);
        assertTrue(readout.endsWith("stage " + stages.size() + ": steps " + Math.round(lastStage.startStep())
                + "–4000, " + lastStage.kind().word()), readout);
        window.snapshot("target/screenshots/workbench-curves-stages.png");
        if (System.getenv("HEADLAB_ASSETS") != null) { // HEADLAB_ASSETS=1 mvn test ... refreshes the README image
            window.snapshot("assets/workbench-curves.png");
        }

        // the toggle hides the bands and their legend, and brings them back
        robot.clickOn("#curvesStages");
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(robot.lookup("#curvesStages").queryAs(CheckBox.class).isSelected());
        assertTrue(((TrajectoryFigure) canvas.figure()).stages().isEmpty());
        assertFalse(legend.isVisible());
        robot.clickOn("#curvesStages");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(stages.size(), ((TrajectoryFigure) canvas.figure()).stages().size());
    }
}
