package org.headlab.ui.workbench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.geometry.Point2D;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.headlab.core.estimate.Head;
import org.headlab.core.figure.TrajectoryFigure;
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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SGLD tab on a copy of the shipped Dyck run (so the sample's own store stays untouched): the empty state
 * says what to do, its button sets up Run estimator for the selected head and checkpoint, a real (short) rLLC runs
 * on the pool, and its traces per chain appear with exact values on hover.
 */
@ExtendWith(ApplicationExtension.class)
class WorkbenchDiagnosticsTest {
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
    void computeAnLlcFromTheEmptyStateAndSeeItsTraces(FxRobot robot) throws Exception {
        Path run = copyOfDyck(tmp.resolve("dyck-" + System.nanoTime()));
        Platform.runLater(() -> {
            vm.selection().headProperty().set(new Head(1, 0));
            vm.openRun(run, 4000);
        });
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.attentionProperty().get() != null);
        robot.clickOn("#diagnosticsTab");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> !vm.diagnostics().emptyProperty().get().isEmpty()
                && vm.diagnostics().emptyProperty().get().startsWith("No rLLC"));
        WaitForAsyncUtils.waitForFxEvents();
        String empty = robot.lookup("#diagnosticsEmpty").queryAs(Label.class).getText();
        assertTrue(empty.startsWith("No rLLC stored for head 1:0 at step 4000") && empty.contains("Run estimator"),
                empty);

        robot.clickOn("#diagnosticsCompute");
        WaitForAsyncUtils.waitForFxEvents();
        // the paper's sampler at a short length: seconds here; HEADLAB_ASSETS=1 draws the screenshot's 200 draws
        boolean assets = System.getenv("HEADLAB_ASSETS") != null;
        robot.interact(() -> {
            var form = vm.runEstimator();
            assertEquals("llc", form.estimatorProperty().get().id());
            form.setValue("chains", "4");
            form.setValue("draws", assets ? "200" : "12");
            form.setValue("batch", assets ? "32" : "8");
            form.setValue("init_batches", assets ? "16" : "2");
        });
        WaitForAsyncUtils.waitForFxEvents();
        String summary = robot.lookup("#sweepSummary").queryAs(Label.class).getText();
        assertTrue(summary.startsWith("1 tasks: 1 checkpoint × head 1:0"), summary);
        robot.clickOn("#startSweep");
        WaitForAsyncUtils.waitFor(assets ? 600 : 120, TimeUnit.SECONDS, () -> !vm.jobsPanel().sweeps().isEmpty()
                && vm.jobsPanel().sweeps().get(0).finished());
        assertEquals(1, vm.jobsPanel().sweeps().get(0).progress().computed(),
                vm.jobsPanel().sweeps().get(0).summary());
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.diagnostics().lossFigureProperty().get() != null);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("", robot.lookup("#diagnosticsEmpty").queryAs(Label.class).getText());
        TrajectoryFigure loss = vm.diagnostics().lossFigureProperty().get();
        assertEquals(5, loss.series().size(), "4 chains and the init loss");
        assertEquals(assets ? 200 : 12, loss.series().get(0).steps().length);
        String text = robot.lookup("#diagnosticsSummary").queryAs(Label.class).getText();
        assertTrue(text.contains("\nλ̂ = ") && text.contains("4 chains × " + (assets ? 200 : 12) + " draws")
                && text.contains("MALA acceptance"), text);

        // hover: the exact loss of the chain under the pointer
        var canvas = view.diagnosticsView().lossCanvas();
        Point2D at = pointOn(loss, "chain 2", canvas.getWidth(), canvas.getHeight());
        assertNotNull(at, "chain 2 is drawn");
        robot.moveTo(canvas.canvas().localToScreen(at));
        WaitForAsyncUtils.waitForFxEvents();
        String readout = robot.lookup("#diagnosticsReadout").queryAs(Label.class).getText();
        assertTrue(readout.startsWith("chain 2 · draw ") && readout.contains("vs init"), readout);
        window.snapshot("target/screenshots/workbench-sgld.png");
        if (assets) {
            window.snapshot("assets/workbench-sgld.png");
        }
    }

    /** A canvas point where {@code series} is the nearest curve, found through the figure's own geometry. */
    private static Point2D pointOn(TrajectoryFigure f, String series, double w, double h) {
        Point2D best = null;
        double distance = 1.5;
        for (int x = 0; x < w; x += 2) {
            for (int y = 0; y < h; y++) {
                var p = f.pick(x, y);
                if (p.isPresent() && p.get().series().equals(series) && p.get().distance() < distance) {
                    distance = p.get().distance();
                    best = new Point2D(x, y);
                }
            }
        }
        return best;
    }

    private static Path copyOfDyck(Path to) throws IOException {
        return org.headlab.testing.FixtureRuns.copyOfSampleRun("dyck", to);
    }
}
