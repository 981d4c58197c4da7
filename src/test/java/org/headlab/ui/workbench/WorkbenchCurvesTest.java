package org.headlab.ui.workbench;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.geometry.Point2D;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.headlab.core.estimate.Head;
import org.headlab.core.figure.TrajectoryFigure;
import org.headlab.testing.FixtureRuns;
import org.headlab.testing.WorkbenchWindow;
import org.headlab.ui.Selection;
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
 * Running estimators from the window on a real pool: the dialog's property sheet refuses a bad value inline, Start
 * queues a sweep that the jobs panel follows to the end, the curves tab then draws the stored results, and a click
 * on a curve selects that head and checkpoint everywhere.
 */
@ExtendWith(ApplicationExtension.class)
class WorkbenchCurvesTest {
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

    /** Picks an estimator by id in the dialog's chooser (the registry's order is not the test's business). */
    @SuppressWarnings("unchecked")
    private static void chooseEstimator(FxRobot robot, String id) {
        var choice = robot.lookup("#estimatorChoice").queryAs(javafx.scene.control.ComboBox.class);
        robot.interact(() -> {
            for (Object e : choice.getItems()) {
                if (((org.headlab.core.estimate.Estimator) e).id().equals(id)) {
                    choice.getSelectionModel().select(e);
                }
            }
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void runSweep(FxRobot robot, String estimator) throws Exception {
        robot.clickOn("#runEstimator");
        WaitForAsyncUtils.waitForFxEvents();
        chooseEstimator(robot, estimator);
        int before = vm.jobsPanel().sweeps().size();
        robot.clickOn("#startSweep");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.jobsPanel().sweeps().size() == before + 1
                && vm.jobsPanel().sweeps().get(0).finished());
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void runAnEstimatorWatchItFinishAndClickItsCurve(FxRobot robot) throws Exception {
        Path run = FixtureRuns.brackets(tmp, "run-" + System.nanoTime());
        Platform.runLater(() -> vm.openRun(run));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.attentionProperty().get() != null);
        WaitForAsyncUtils.waitForFxEvents();

        // loss: a bad max_sequences is refused inline, then a good one starts
        robot.clickOn("#runEstimator");
        WaitForAsyncUtils.waitForFxEvents();
        chooseEstimator(robot, "loss");
        TextField field = robot.lookup("#estimatorParams .text-field").queryAs(TextField.class);
        robot.doubleClickOn(field).eraseText(12).write("-3");
        WaitForAsyncUtils.waitForFxEvents();
        String errors = robot.lookup("#paramErrors").queryAs(Label.class).getText();
        assertTrue(errors.contains("max_sequences") && errors.contains("0..1000000"), errors);
        assertTrue(robot.lookup("#startSweep").queryAs(Button.class).isDisabled());
        robot.doubleClickOn(field).eraseText(12).write("2");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("", robot.lookup("#paramErrors").queryAs(Label.class).getText());
        assertFalse(robot.lookup("#startSweep").queryAs(Button.class).isDisabled());
        int before = vm.jobsPanel().sweeps().size();
        robot.clickOn("#startSweep");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.jobsPanel().sweeps().size() == before + 1
                && vm.jobsPanel().sweeps().get(0).finished());

        runSweep(robot, "weight_norm");
        robot.clickOn("#jobsTab");
        WaitForAsyncUtils.waitForFxEvents();
        var row = vm.jobsPanel().sweeps().get(0);
        assertEquals(24, row.progress().computed(), row.summary());
        assertTrue(row.summary().startsWith("24 of 24 · done in"), row.summary());
        assertTrue(vm.jobsPanel().sweeps().get(1).progress().computed() == 3, "the loss sweep: 3 checkpoints");
        window.snapshot("target/screenshots/workbench-jobs.png");

        robot.clickOn("#curvesTab");
        robot.clickOn("#curvesEstimator");
        robot.clickOn("weight_norm");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> view.curvesView().canvas().figure()
                instanceof TrajectoryFigure f && f.series().size() == 8);
        WaitForAsyncUtils.waitForFxEvents();

        // the point of head 1:2's curve at step 10, found through the figure's own geometry
        var canvas = view.curvesView().canvas();
        TrajectoryFigure f = (TrajectoryFigure) canvas.figure();
        Point2D target = null;
        double best = 2;
        for (int x = 0; x < canvas.getWidth(); x++) {
            for (int y = 0; y < canvas.getHeight(); y++) {
                var p = f.pick(x, y);
                if (p.isPresent() && p.get().series().equals("1:2") && p.get().step() == 10
                        && p.get().distance() < best) {
                    best = p.get().distance();
                    target = new Point2D(x, y);
                }
            }
        }
        assertNotNull(target, "head 1:2 has a point at step 10 on screen");
        assertEquals(new Head(0, 0), vm.selection().head());
        robot.moveTo(canvas.canvas().localToScreen(target));
        WaitForAsyncUtils.waitForFxEvents();
        String readout = robot.lookup("#curvesReadout").queryAs(Label.class).getText();
        assertTrue(readout.startsWith("1:2 · step 10 · weight_norm/"), readout);
        robot.clickOn(canvas.canvas().localToScreen(target));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.attentionProperty().get().step() == 10);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(new Head(1, 2), vm.selection().head(), "the clicked curve's head");
        assertEquals(10, vm.selection().stepProperty().get(), "the nearest checkpoint");
        String mapTitle = robot.lookup("#mapTitle").queryAs(Label.class).getText();
        assertTrue(mapTitle.startsWith("Head 1:2 at step 10"), "the attention tab follows: " + mapTitle);
        window.snapshot("target/screenshots/workbench-curves.png"); // the README's image: WorkbenchStagesTest
    }

}
