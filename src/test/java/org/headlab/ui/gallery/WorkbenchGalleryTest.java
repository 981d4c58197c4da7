package org.headlab.ui.gallery;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.scene.control.TabPane;
import javafx.stage.Stage;
import org.headlab.core.estimate.Head;
import org.headlab.testing.WorkbenchWindow;
import org.headlab.ui.Selection;
import org.headlab.ui.workbench.WorkbenchView;
import org.headlab.ui.workbench.WorkbenchViewModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Screenshots for the README of a run whose store holds real sweeps: the Curves tab on a chosen estimator and
 * metric. Opt-in: {@code -Dheadlab.gallery.run=RUN -Dheadlab.gallery.out=PNG [-Dheadlab.gallery.metric=...]
 * [-Dheadlab.gallery.compare=OTHER-RUN] [-Dheadlab.gallery.cluster=ward] [-Dheadlab.gallery.curvature=true]}.
 */
@ExtendWith(ApplicationExtension.class)
@EnabledIfSystemProperty(named = "headlab.gallery.run", matches = ".+")
class WorkbenchGalleryTest {
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

    @Test
    void curvesOfAStoredSweep(FxRobot robot) throws Exception {
        Path run = Path.of(System.getProperty("headlab.gallery.run"));
        String estimator = System.getProperty("headlab.gallery.estimator", "patterns");
        String metric = System.getProperty("headlab.gallery.metric", "patterns/bracket_matching");
        Platform.runLater(() -> {
            vm.selection().headProperty().set(new Head(1, 0));
            vm.openRun(run);
        });
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.attentionProperty().get() != null);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.curves().estimators().contains(estimator));
        robot.interact(() -> {
            TabPane tabs = robot.lookup("#viewTabs").queryAs(TabPane.class);
            tabs.getTabs().stream().filter(t -> "curvesTab".equals(t.getId())).findFirst()
                    .ifPresent(t -> tabs.getSelectionModel().select(t));
            vm.curves().estimatorProperty().set(estimator);
            vm.curves().metricProperty().set(metric);
            String cluster = System.getProperty("headlab.gallery.cluster"); // kmeans, ward, average or dtw
            if (cluster != null) {
                vm.curves().clusterMethodProperty().set(org.headlab.core.analysis.HeadClusters.Method.parse(cluster));
                vm.curves().colourByClusterProperty().set(true);
            }
            String compare = System.getProperty("headlab.gallery.compare"); // another seed's run, matched head to head
            if (compare != null) {
                vm.curves().compareRunProperty().set(Path.of(compare));
            }
            // the selected head's curvature measures under the curves
            vm.curves().showCurvatureProperty().set(Boolean.getBoolean("headlab.gallery.curvature"));
        });
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.curves().figureProperty().get() != null);
        WaitForAsyncUtils.sleep(500, TimeUnit.MILLISECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        window.snapshot(System.getProperty("headlab.gallery.out", "target/screenshots/gallery-curves.png"));
        assertNotNull(vm.curves().figureProperty().get());
    }

    /** The Multigrams tab on a head: {@code -Dheadlab.gallery.multigrams=PNG [-Dheadlab.gallery.head=L:H]}. */
    @Test
    void multigramsOfAHead(FxRobot robot) throws Exception {
        String out = System.getProperty("headlab.gallery.multigrams");
        org.junit.jupiter.api.Assumptions.assumeTrue(out != null, "-Dheadlab.gallery.multigrams=PNG asks for it");
        Path run = Path.of(System.getProperty("headlab.gallery.run"));
        Head head = Head.parse(System.getProperty("headlab.gallery.head", "0:5"));
        Platform.runLater(() -> {
            vm.selection().headProperty().set(head);
            vm.openRun(run);
        });
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.attentionProperty().get() != null);
        robot.interact(() -> {
            TabPane tabs = robot.lookup("#viewTabs").queryAs(TabPane.class);
            tabs.getTabs().stream().filter(t -> "multigramsTab".equals(t.getId())).findFirst()
                    .ifPresent(t -> tabs.getSelectionModel().select(t));
        });
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> vm.multigrams().resultProperty().get() != null);
        WaitForAsyncUtils.sleep(500, TimeUnit.MILLISECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        window.snapshot(out);
        assertNotNull(vm.multigrams().resultProperty().get());
    }

    /**
     * The Susceptibility tab on a head whose estimates are stored: {@code -Dheadlab.gallery.susceptibility=PNG
     * [-Dheadlab.gallery.head=L:H] [-Dheadlab.gallery.step=S]}.
     */
    @Test
    void susceptibilityOfAHead(FxRobot robot) throws Exception {
        String out = System.getProperty("headlab.gallery.susceptibility");
        org.junit.jupiter.api.Assumptions.assumeTrue(out != null, "-Dheadlab.gallery.susceptibility=PNG asks for it");
        Path run = Path.of(System.getProperty("headlab.gallery.run"));
        Head head = Head.parse(System.getProperty("headlab.gallery.head", "1:0"));
        String step = System.getProperty("headlab.gallery.step");
        Platform.runLater(() -> {
            vm.selection().headProperty().set(head);
            vm.openRun(run, step == null ? null : Integer.valueOf(step));
        });
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.attentionProperty().get() != null);
        robot.interact(() -> {
            TabPane tabs = robot.lookup("#viewTabs").queryAs(TabPane.class);
            tabs.getTabs().stream().filter(t -> "susceptibilityTab".equals(t.getId())).findFirst()
                    .ifPresent(t -> tabs.getSelectionModel().select(t));
        });
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> !vm.susceptibility().tokens().isEmpty());
        robot.interact(() -> vm.susceptibility().select(vm.susceptibility().tokens().get(
                Math.min(20, vm.susceptibility().tokens().size() - 1))));
        WaitForAsyncUtils.sleep(800, TimeUnit.MILLISECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        window.snapshot(out);
        assertNotNull(vm.susceptibility().matrixProperty().get());
    }

    /**
     * The Bayesian influence of one token of a computed input on the others: {@code
     * -Dheadlab.gallery.influence=PNG -Dheadlab.gallery.run=RUN [-Dheadlab.gallery.head=L:H]
     * [-Dheadlab.gallery.input=TEXT] [-Dheadlab.gallery.token=K]}.
     */
    @Test
    void influenceOfATokenOfTheInput(FxRobot robot) throws Exception {
        String out = System.getProperty("headlab.gallery.influence");
        org.junit.jupiter.api.Assumptions.assumeTrue(out != null, "-Dheadlab.gallery.influence=PNG asks for it");
        Path run = Path.of(System.getProperty("headlab.gallery.run"));
        Head head = Head.parse(System.getProperty("headlab.gallery.head", "1:0"));
        String input = System.getProperty("headlab.gallery.input", "([)b{()a[)b)c)a({)c)a");
        int token = Integer.parseInt(System.getProperty("headlab.gallery.token", "6"));
        Platform.runLater(() -> {
            vm.selection().headProperty().set(head);
            vm.openRun(run, null);
        });
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.attentionProperty().get() != null);
        robot.interact(() -> {
            vm.selection().inputProperty().set(input);
            TabPane tabs = robot.lookup("#viewTabs").queryAs(TabPane.class);
            tabs.getTabs().stream().filter(t -> "susceptibilityTab".equals(t.getId())).findFirst()
                    .ifPresent(t -> tabs.getSelectionModel().select(t));
        });
        WaitForAsyncUtils.waitForFxEvents();
        robot.interact(() -> vm.susceptibility().computeForInput());
        WaitForAsyncUtils.waitFor(300, TimeUnit.SECONDS, () -> vm.susceptibility().statusProperty().get()
                .contains("on the input (computed"));
        robot.interact(() -> vm.susceptibility().select(vm.susceptibility().tokens().get(
                Math.min(token, vm.susceptibility().tokens().size() - 1))));
        WaitForAsyncUtils.sleep(800, TimeUnit.MILLISECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        window.snapshot(out);
        assertNotNull(vm.susceptibility().influenceProperty().get());
    }
}
