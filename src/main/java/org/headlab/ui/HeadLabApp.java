package org.headlab.ui;

import java.nio.file.Path;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.headlab.core.jobs.JobExecutor;
import org.headlab.ui.workbench.WorkbenchView;
import org.headlab.ui.workbench.WorkbenchViewModel;

/** The JavaFX application: one workbench window on one run. */
public final class HeadLabApp extends Application {
    private static volatile Path initialRun;
    private JobExecutor jobs;

    /** Opens the window on {@code run} (may be null: then the window starts empty) and blocks until it closes. */
    public static void launchOn(Path run) {
        initialRun = run;
        Application.launch(HeadLabApp.class);
    }

    @Override
    public void start(Stage stage) {
        jobs = JobExecutor.background(Math.max(1, Runtime.getRuntime().availableProcessors() - 1));
        WorkbenchViewModel vm = new WorkbenchViewModel(jobs, Platform::runLater);
        WorkbenchView view = new WorkbenchView(vm);
        stage.titleProperty().bind(vm.titleProperty());
        stage.setScene(new Scene(view, 1280, 800));
        stage.show();
        if (initialRun != null) {
            vm.openRun(initialRun);
        }
    }

    @Override
    public void stop() {
        if (jobs != null) {
            jobs.close();
        }
    }
}
