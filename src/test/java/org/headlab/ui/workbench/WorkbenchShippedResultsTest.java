package org.headlab.ui.workbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.scene.canvas.Canvas;
import javafx.scene.control.TabPane;
import javafx.scene.image.WritableImage;
import javafx.stage.Stage;
import org.headlab.testing.FixtureRuns;
import org.headlab.testing.WorkbenchWindow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A run that ships its results (results/*.jsonl, here a copy of sample-runs/dyck with them) opens onto them
 * without computing anything: its store is filled on open, the Curves tab comes to the front with the rLLC of every
 * head, and each head-grid cell draws its rLLC sparkline.
 */
@ExtendWith(ApplicationExtension.class)
class WorkbenchShippedResultsTest {
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

    @Test
    void shippedResultsOpenOntoTheRllcCurvesAndSparklines(FxRobot robot) throws Exception {
        Path run = FixtureRuns.copyOfSampleRun("dyck", tmp.resolve("dyck"), true);
        Platform.runLater(() -> vm.openRun(run, null));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !vm.curves().sparklinesProperty().get().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        TabPane tabs = robot.lookup("#viewTabs").queryAs(TabPane.class);
        assertEquals("curvesTab", tabs.getSelectionModel().getSelectedItem().getId());
        assertEquals("llc", vm.curves().estimatorProperty().get());
        assertEquals("llc/mean", vm.curves().metricProperty().get());
        assertEquals(16, vm.curves().figureProperty().get().series().size(), "one curve per head");
        Canvas spark = robot.lookup("#spark-1-0").queryAs(Canvas.class);
        assertTrue(spark.getHeight() > 0);
        int[] ink = {0};
        robot.interact(() -> {
            WritableImage shot = spark.snapshot(null, null);
            for (int x = 0; x < shot.getWidth(); x++) {
                for (int y = 0; y < shot.getHeight(); y++) {
                    javafx.scene.paint.Color c = shot.getPixelReader().getColor(x, y);
                    if (c.getOpacity() > 0.5 && c.getBlue() > c.getRed() + 0.2) {
                        ink[0]++; // the sparkline's blue
                    }
                }
            }
        });
        assertTrue(ink[0] > 5, "the sparkline is drawn: " + ink[0] + " blue pixels");
        window.snapshot("target/screenshots/workbench-shipped-dyck.png");
    }

    /** A run without results says so and offers the rLLC trajectories in one click (a sweep, cancelled here). */
    @Test
    void aRunWithoutResultsOffersTheRllcOfEveryHeadInOneClick(FxRobot robot) throws Exception {
        Path run = FixtureRuns.copyOfSampleRun("dyck", tmp.resolve("bare"));
        Platform.runLater(() -> vm.openRun(run, null));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS,
                () -> vm.curves().statusProperty().get().startsWith("No results"));
        robot.clickOn("#curvesTab");
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("#computeTrajectories");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !vm.jobsPanel().sweeps().isEmpty()
                && vm.jobsPanel().sweeps().get(0).progress() != null);
        var sweep = vm.jobsPanel().sweeps().get(0);
        // every 4th of the 32 checkpoints (indices 0, 4, …, 28) and the last: 9 × 16 heads
        assertTrue(sweep.title().startsWith("llc on "), sweep.title());
        assertEquals(9 * 16, sweep.progress().total(), sweep.summary());
        assertTrue(sweep.summary().contains("ETA") || sweep.progress().done() == 0, sweep.summary());
        assertEquals("jobsTab", robot.lookup("#viewTabs").queryAs(TabPane.class).getSelectionModel()
                .getSelectedItem().getId());
        robot.interact(() -> vm.jobsPanel().cancelAll());
    }
}
