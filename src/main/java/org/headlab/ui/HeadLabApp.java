package org.headlab.ui;

import java.nio.file.Path;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.headlab.core.estimate.Head;
import org.headlab.core.jobs.JobExecutor;
import org.headlab.core.jobs.WorkerPool;
import org.headlab.ui.workbench.WorkbenchView;
import org.headlab.ui.workbench.WorkbenchViewModel;

/** The JavaFX application: one workbench window on one run. */
public final class HeadLabApp extends Application {
    private static volatile StartRequest start = new StartRequest(null, null, null, null);
    private WorkerPool jobs;

    /**
     * What the window opens on: a run (null: the window starts empty) and optionally a checkpoint, a head and an
     * input (nulls: the defaults).
     */
    public record StartRequest(Path run, Integer step, Head head, String input) {
    }

    /** Opens the window as {@code request} says and blocks until it closes. */
    public static void launchOn(StartRequest request) {
        start = request;
        Application.launch(HeadLabApp.class);
    }

    @Override
    public void start(Stage stage) {
        TextLayoutRaceWorkaround.install(); // before the first label or canvas lays out text
        jobs = JobExecutor.background(Math.max(1, Runtime.getRuntime().availableProcessors() - 1));
        WorkbenchViewModel vm = new WorkbenchViewModel(jobs, Platform::runLater);
        WorkbenchView view = new WorkbenchView(vm);
        stage.titleProperty().bind(vm.titleProperty());
        // the whole screen: a grid of 16 heads with sparklines, the map and the curves all want room
        javafx.geometry.Rectangle2D screen = javafx.stage.Screen.getPrimary().getVisualBounds();
        stage.setScene(new Scene(view, Math.max(1000, screen.getWidth()), Math.max(700, screen.getHeight())));
        stage.setX(screen.getMinX());
        stage.setY(screen.getMinY());
        stage.setMaximized(true);
        stage.show();
        if (Boolean.getBoolean("headlab.startupTiming")) {
            reportFirstMap(vm);
        }
        StartRequest request = start;
        if (request.head() != null) {
            vm.selection().headProperty().set(request.head());
        }
        if (request.input() != null) {
            vm.selection().inputProperty().set(request.input());
        }
        if (request.run() != null) {
            vm.openRun(request.run(), request.step());
        }
    }

    /** For docs/benchmarks.md: time from JVM start to the first attention map on screen. */
    private static void reportFirstMap(WorkbenchViewModel vm) {
        vm.attentionProperty().addListener(new javafx.beans.value.ChangeListener<>() {
            @Override
            public void changed(javafx.beans.value.ObservableValue<? extends org.headlab.core.session.AttentionResult> o,
                    org.headlab.core.session.AttentionResult a, org.headlab.core.session.AttentionResult b) {
                vm.attentionProperty().removeListener(this);
                Platform.runLater(() -> {
                    long jvmStart = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
                    System.err.println("headlab: first attention map shown "
                            + (System.currentTimeMillis() - jvmStart) + " ms after JVM start");
                });
            }
        });
    }

    @Override
    public void stop() {
        if (jobs != null) {
            jobs.close();
        }
    }
}
