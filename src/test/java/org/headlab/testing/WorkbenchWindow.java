package org.headlab.testing;

import java.io.File;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Scene;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import org.headlab.core.jobs.JobExecutor;
import org.headlab.core.jobs.WorkerPool;
import org.headlab.ui.workbench.WorkbenchView;
import org.headlab.ui.workbench.WorkbenchViewModel;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The real workbench window for TestFX tests, wired as the app wires it (a background job pool, results applied
 * on the FX thread), and a PNG of its scene. Windows must stay within the headless screen (1280×800).
 */
public final class WorkbenchWindow implements AutoCloseable {
    private final WorkerPool jobs;
    private final WorkbenchViewModel vm;
    private final WorkbenchView view;
    private final Stage stage;

    private WorkbenchWindow(Stage stage, int workers, double width, double height) {
        this.stage = stage;
        this.jobs = JobExecutor.background(workers);
        this.vm = new WorkbenchViewModel(jobs, Platform::runLater);
        this.view = new WorkbenchView(vm);
        stage.setScene(new Scene(view, width, height));
        stage.show();
    }

    /** Shows the workbench on {@code stage} (call it from a TestFX {@code @Start} method). */
    public static WorkbenchWindow show(Stage stage, int workers, double width, double height) {
        return new WorkbenchWindow(stage, workers, width, height);
    }

    public WorkbenchViewModel vm() {
        return vm;
    }

    public WorkbenchView view() {
        return view;
    }

    public Stage stage() {
        return stage;
    }

    /** Writes a PNG of the whole scene, as Scene.snapshot renders it (no screen grab). */
    public void snapshot(String path) throws Exception {
        var image = WaitForAsyncUtils.asyncFx(() -> stage.getScene().snapshot(null)).get(10, TimeUnit.SECONDS);
        File out = new File(path);
        Files.createDirectories(out.getAbsoluteFile().toPath().getParent());
        ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png", out);
    }

    @Override
    public void close() {
        jobs.close();
    }
}
