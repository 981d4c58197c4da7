package org.headlab.ui.workbench;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.headlab.core.estimate.Head;
import org.headlab.testing.WorkbenchWindow;
import org.headlab.ui.Selection;
import org.headlab.ui.composition.CompositionView;
import org.headlab.ui.composition.CompositionViewModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The composition tab on the shipped Dyck run: hovering a cell reads out its exact score, clicking it selects the
 * sender → receiver pair in every view (head grid, attention map), and the matrix follows the checkpoint scrubber.
 * The per-token ablation tab on the same run: the bracket-matching head's bars, with hover read-outs.
 */
@ExtendWith(ApplicationExtension.class)
class WorkbenchCompositionTest {
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
    void clickACompositionCellAndEveryViewShowsThatPair(FxRobot robot) throws Exception {
        Platform.runLater(() -> vm.openRun(Path.of("sample-runs/dyck"), 4000));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.attentionProperty().get() != null);
        robot.clickOn("#compositionTab");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.composition().figureProperty().get() != null
                && vm.composition().cachedSteps() == vm.steps().size());
        WaitForAsyncUtils.waitForFxEvents();
        CompositionViewModel cvm = vm.composition();
        assertEquals("K-composition at step 4000", cvm.figureProperty().get().title());

        // the layer-0 head whose output the bracket-matching head 1:0 reads most through its keys
        var scores = org.headlab.core.estimate.composition.CompositionScores.compute(
                vm.sessionProperty().get().run().config(), vm.sessionProperty().get().run().weights(4000));
        double[][] k = CompositionViewModel.matrix(scores, CompositionViewModel.Mode.K,
                new CompositionViewModel.LayerPair(0, 1));
        int sender = 0;
        for (int h = 1; h < k.length; h++) {
            if (k[h][0] > k[sender][0]) {
                sender = h;
            }
        }
        CompositionView cv = view.compositionView();
        var cell = new CompositionViewModel.Cell(sender, 0);
        var at = cv.matrixCanvas().canvas().localToScreen(cv.centreOf(cell));
        robot.moveTo(at);
        WaitForAsyncUtils.waitForFxEvents();
        String readout = robot.lookup("#compositionReadout").queryAs(Label.class).getText();
        assertTrue(readout.startsWith(String.format(java.util.Locale.ROOT, "K 0:%d → 1:0 at step 4000: %.4f",
                sender, k[sender][0])), readout);

        robot.clickOn(at);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(new Head(1, 0), vm.selection().head(), "the receiver is the selected head");
        assertEquals(new Head(0, sender), vm.selection().pairProperty().get().sender());
        assertEquals(cell, cvm.selectedCellProperty().get());
        assertNotNull(cvm.pairCurvesProperty().get(), "the pair's scores over training");
        assertEquals(vm.steps().size(), cvm.pairCurvesProperty().get().series().get(0).steps().length);
        String selectedStyle = robot.lookup("#head-1-0").query().getStyle();
        String partnerStyle = robot.lookup("#head-0-" + sender).query().getStyle();
        assertTrue(selectedStyle.contains("#222222"), selectedStyle);
        assertTrue(partnerStyle.contains("#e6550d"), "the sender is outlined in the grid: " + partnerStyle);
        window.snapshot("target/screenshots/workbench-composition.png");
        if (System.getenv("HEADLAB_ASSETS") != null) { // HEADLAB_ASSETS=1 mvn test ... refreshes the README image
            window.snapshot("assets/workbench-composition.png");
        }

        // the scrubber moves the matrix; the pair stays outlined
        Platform.runLater(() -> vm.selectStepIndex(0));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> cvm.figureProperty().get().title()
                .equals("K-composition at step 0"));
        assertEquals(cell, cvm.selectedCellProperty().get());

        robot.clickOn("#attentionTab");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.attentionProperty().get().step() == 0);
        WaitForAsyncUtils.waitForFxEvents();
        String mapTitle = robot.lookup("#mapTitle").queryAs(Label.class).getText();
        assertTrue(mapTitle.startsWith("Head 1:0 at step 0") && mapTitle.contains("reads head 0:" + sender),
                mapTitle);

        // choosing another head in the grid ends the pair everywhere
        robot.clickOn("#head-1-3");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(null, vm.selection().pairProperty().get());
        assertEquals(null, cvm.selectedCellProperty().get());
        assertTrue(!robot.lookup("#head-0-" + sender).query().getStyle().contains("#e6550d"));
    }

    @Test
    void ablationTabShowsTheLossIncreasePerTokenOfTheSelectedHead(FxRobot robot) throws Exception {
        Platform.runLater(() -> {
            vm.selection().headProperty().set(new Head(1, 0));
            vm.openRun(Path.of("sample-runs/dyck"), 4000);
        });
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.attentionProperty().get() != null);
        robot.clickOn("#ablationTab");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.tokenAblation().lossesProperty().get() != null);
        WaitForAsyncUtils.waitForFxEvents();
        var losses = vm.tokenAblation().lossesProperty().get();
        assertEquals(new Head(1, 0), losses.head());
        assertEquals(vm.attentionProperty().get().length() - 1, losses.increase().length);
        String status = robot.lookup("#ablationStatus").queryAs(Label.class).getText();
        assertTrue(status.startsWith("Mean-ablating head 1:0 at step 4000"), status);

        var ablation = view.ablationView();
        int i = losses.increase().length / 2;
        robot.moveTo(ablation.canvas().localToScreen(ablation.centreOf(i), ablation.canvas().getHeight() / 2));
        WaitForAsyncUtils.waitForFxEvents();
        String readout = robot.lookup("#ablationReadout").queryAs(Label.class).getText();
        assertTrue(readout.startsWith("predicting '" + losses.tokens().get(i + 1) + "' (position " + (i + 1) + ")"),
                readout);
        window.snapshot("target/screenshots/workbench-ablation.png");
        if (System.getenv("HEADLAB_ASSETS") != null) {
            window.snapshot("assets/workbench-ablation.png");
        }

        // the scrubber recomputes it at the new checkpoint
        Platform.runLater(() -> vm.selectStepIndex(0));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.tokenAblation().lossesProperty().get().step() == 0);
    }
}
