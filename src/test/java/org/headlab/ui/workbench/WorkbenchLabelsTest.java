package org.headlab.ui.workbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import org.headlab.core.estimate.Head;
import org.headlab.core.jobs.JobExecutor;
import org.headlab.core.labels.LabelStore;
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
 * The labelling workflow of issue 7 in the real window: click a head, press 1, see the cell coloured and the label
 * in the panel, Ctrl+Z removes it, redo puts it back, save, reopen the run in a new view model and find the label.
 */
@ExtendWith(ApplicationExtension.class)
class WorkbenchLabelsTest {
    @TempDir
    static Path tmp;

    WorkbenchViewModel vm;
    WorkbenchView view;
    WorkbenchWindow window;

    @Start
    void start(Stage stage) {
        window = WorkbenchWindow.show(stage, 1, 1280, 800);
        vm = window.vm();
        view = window.view();
    }

    @AfterEach
    void stop() {
        window.close();
    }

    private Path openFixtureAndWait() throws Exception {
        Path run = FixtureRuns.brackets(tmp, "run-" + System.nanoTime());
        Platform.runLater(() -> vm.openRun(run));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.attentionProperty().get() != null);
        WaitForAsyncUtils.waitForFxEvents();
        return run;
    }

    private String cellStyle(FxRobot robot, String id) {
        return robot.lookup(id).queryAs(VBox.class).getStyle();
    }

    @Test
    void labelWithAKeyUndoRedoSaveAndFindItAfterReopening(FxRobot robot) throws Exception {
        Path run = openFixtureAndWait();
        robot.clickOn("#head-1-2");
        robot.type(KeyCode.DIGIT1);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("previous-token", vm.labels().currentProperty().get().classId());
        assertTrue(cellStyle(robot, "#head-1-2").contains("#1f77b4"), cellStyle(robot, "#head-1-2"));
        String shown = robot.lookup("#currentLabel").queryAs(Label.class).getText();
        assertTrue(shown.startsWith("Previous token · all checkpoints"), shown);
        assertTrue(robot.lookup("#labelList").queryListView().getItems().size() == 1);

        robot.press(KeyCode.CONTROL).type(KeyCode.Z).release(KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertNull(vm.labels().currentProperty().get());
        assertTrue(!cellStyle(robot, "#head-1-2").contains("#1f77b4"), cellStyle(robot, "#head-1-2"));
        assertTrue(robot.lookup("#currentLabel").queryAs(Label.class).getText().startsWith("No label"));

        robot.press(KeyCode.CONTROL, KeyCode.SHIFT).type(KeyCode.Z).release(KeyCode.SHIFT, KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("previous-token", vm.labels().currentProperty().get().classId());

        robot.clickOn("#labelSave");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !vm.labels().dirtyProperty().get());
        assertEquals(1, LabelStore.read(run).labels().size());

        WorkbenchViewModel reopened = new WorkbenchViewModel(JobExecutor.sameThread(),
                org.headlab.core.jobs.WorkerPool.callerRuns(), Runnable::run, java.time.Clock.systemUTC());
        reopened.openRun(run);
        reopened.selectHead(new Head(1, 2));
        assertEquals("previous-token", reopened.labels().currentProperty().get().classId());
        assertEquals(System.getProperty("user.name"), reopened.labels().currentProperty().get().provenance().who());
    }

    @Test
    void severalLabelsColourTheGridAndTheWindowIsPhotographed(FxRobot robot) throws Exception {
        openFixtureAndWait();
        robot.clickOn("#head-0-0");
        robot.type(KeyCode.DIGIT6);
        robot.clickOn("#head-0-3");
        robot.type(KeyCode.DIGIT2);
        robot.clickOn("#head-1-1");
        robot.clickOn("#class-bracket-matching");
        robot.clickOn("#labelNote").write("closers look back at their opener on Dyck inputs");
        robot.clickOn("#head-1-2");
        robot.type(KeyCode.DIGIT3);
        Platform.runLater(() -> vm.labels().changeRangeByIndex(2, 2));
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("#head-1-1");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(4, vm.labels().allLabels().size());
        assertEquals("closers look back at their opener on Dyck inputs", vm.labels().labels().at(new Head(1, 1), 100)
                .orElseThrow().note(), "the note is committed when the field loses focus");
        assertTrue(cellStyle(robot, "#head-0-0").contains("#ff7f0e"));
        assertTrue(cellStyle(robot, "#head-1-1").contains("#2ca02c"));
        window.snapshot("target/screenshots/workbench-labels.png");
    }

}
