package org.headlab.ui.workbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.geometry.Point2D;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.headlab.testing.FixtureRuns;
import org.headlab.ui.attention.AttentionMapView;
import org.headlab.testing.WorkbenchWindow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;
import javafx.application.Platform;

/**
 * The real window under headless Monocle: a background job executor (the app's), real clicks and mouse moves.
 * Checks that the model runs off the FX thread and the result reaches the views, that clicking a head in the grid
 * shows that head's map, and that hovering a cell reads out its weight.
 */
@ExtendWith(ApplicationExtension.class)
class WorkbenchViewTest {
    @TempDir
    static Path tmp;

    WorkbenchViewModel vm;
    WorkbenchView view;
    WorkbenchWindow window;

    @Start
    void start(Stage stage) {
        window = WorkbenchWindow.show(stage, 1, 1200, 760);
        vm = window.vm();
        view = window.view();
    }

    @AfterEach
    void stop() {
        window.close();
    }

    private void openFixtureAndWait() throws Exception {
        Path run = FixtureRuns.brackets(tmp, "run-" + System.nanoTime());
        Platform.runLater(() -> vm.openRun(run));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.attentionProperty().get() != null);
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void clickingAHeadShowsItsMapAndHoverReadsOutTheWeight(FxRobot robot) throws Exception {
        openFixtureAndWait();
        robot.clickOn("#head-1-2");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("1:2", vm.selection().head().toString());
        Label title = robot.lookup("#mapTitle").queryAs(Label.class);
        assertTrue(title.getText().startsWith("Head 1:2 at step 100"), title.getText());

        AttentionMapView map = view.attentionMap();
        double[] centre = map.cellCentre(3, 1);
        Point2D screen = map.canvas().localToScreen(centre[0], centre[1]);
        robot.moveTo(screen);
        WaitForAsyncUtils.waitForFxEvents();
        String readout = robot.lookup("#readout").queryAs(Label.class).getText();
        float expected = vm.attentionProperty().get().pattern(1, 2)[3][1];
        assertTrue(readout.startsWith("query 3 ']' → key 1 '('"), readout);
        assertTrue(readout.endsWith(String.format(java.util.Locale.ROOT, "%.4f", expected)), readout);
    }

    @Test
    void typingAnInputAndPressingEnterRecomputesTheMap(FxRobot robot) throws Exception {
        openFixtureAndWait();
        robot.clickOn("#inputText");
        robot.eraseText(20);
        robot.write("[()]");
        robot.type(javafx.scene.input.KeyCode.ENTER);
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.attentionProperty().get().text().equals("[()]"));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(5, vm.attentionProperty().get().length());
        window.snapshot("target/screenshots/workbench-fixture.png");
    }

    @Test
    void clickingTheTimelineAndArrowKeysMoveTheCheckpoint(FxRobot robot) throws Exception {
        openFixtureAndWait();
        var timeline = view.timeline();
        Point2D first = timeline.canvas().localToScreen(timeline.xOf(0), 14);
        robot.clickOn(first);
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.attentionProperty().get().step() == 0);
        robot.type(javafx.scene.input.KeyCode.RIGHT);
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.attentionProperty().get().step() == 10);
        Label step = robot.lookup("#stepLabel").queryAs(Label.class);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("step 10  (2 of 3)", step.getText());
    }

    @Test
    void clickingATokenInTheArcViewMakesItTheQueryAndHoveringAMapRowFollows(FxRobot robot) throws Exception {
        openFixtureAndWait();
        assertEquals(vm.attentionProperty().get().length() - 1, vm.selection().tokenPositionProperty().get(),
                "the last token is the query at first");
        var arcs = view.arcView();
        double x = -1;
        for (double probe = 0; probe < arcs.getWidth(); probe += 2) {
            if (arcs.tokenAt(probe) == 2) {
                x = probe;
                break;
            }
        }
        robot.clickOn(arcs.localToScreen(x, arcs.getHeight() / 2));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(2, vm.selection().tokenPositionProperty().get());
        double[] centre = view.attentionMap().cellCentre(4, 0);
        robot.moveTo(view.attentionMap().canvas().localToScreen(centre[0], centre[1]));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(4, vm.selection().tokenPositionProperty().get());
    }

    @Test
    void choosingACheckpointToCompareWithShowsTheDifference(FxRobot robot) throws Exception {
        openFixtureAndWait();
        Platform.runLater(() -> robot.lookup("#compareStep").queryAs(javafx.scene.control.ComboBox.class)
                .getSelectionModel().select(Integer.valueOf(0)));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.comparisonProperty().get() != null);
        WaitForAsyncUtils.waitForFxEvents();
        Label title = robot.lookup("#mapTitle").queryAs(Label.class);
        assertTrue(title.getText().contains("minus step 0"), title.getText());
        assertTrue(view.attentionMap().showsDifference());
    }


    @Test
    void switchingRunsDuringASweepAsksFirst(FxRobot robot) throws Exception {
        openFixtureAndWait();
        String first = vm.sessionProperty().get().run().name();
        Path other = FixtureRuns.brackets(tmp, "other-" + System.nanoTime());
        robot.interact(() -> vm.jobsPanel().track("llc on " + first + ": 16 tasks"));
        // "keep it running": nothing changes
        Platform.runLater(() -> view.openGuarded(other));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#switchRunDialog").tryQuery().isPresent());
        String text = robot.lookup("#switchRunDialog .content").queryAs(Label.class).getText();
        assertTrue(text.startsWith("A sweep is still running on run '" + first + "'"), text);
        waitUntilVisible(robot, "Keep it running"); // the dialog shows a pulse after it is in the scene graph
        robot.clickOn("Keep it running");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(first, vm.sessionProperty().get().run().name());
        assertEquals(1, vm.jobsPanel().unfinished().size());
        // "cancel sweep and open": the sweep ends and the other run opens
        Platform.runLater(() -> view.openGuarded(other));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#switchRunDialog").tryQuery().isPresent());
        waitUntilVisible(robot, "Cancel sweep and open");
        robot.clickOn("Cancel sweep and open");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.sessionProperty().get().run().name()
                .equals(other.getFileName().toString()));
        assertTrue(vm.jobsPanel().unfinished().isEmpty());
    }

    private static void waitUntilVisible(FxRobot robot, String query) throws java.util.concurrent.TimeoutException {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup(query)
                .match(org.testfx.util.NodeQueryUtils.isVisible()).tryQuery().isPresent());
    }
}
