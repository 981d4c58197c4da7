package org.headlab.ui.curves;

import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.headlab.core.figure.TrajectoryFigure;
import org.headlab.ui.figure.FigureCanvas;

/**
 * Curves over training: an estimator and metric picker over the figure, drawn by the same TrajectoryFigure
 * routine as the exports. Hovering reads out the nearest curve's value; clicking selects the nearest checkpoint,
 * and the head whose curve is under the pointer. The run's training stages are shaded behind the curves (a toggle
 * hides them), listed under the figure, and the stage under the pointer is part of the hover read-out.
 */
public final class CurvesView extends BorderPane {
    private final javafx.scene.control.Button computeTrajectories =
            new javafx.scene.control.Button("Compute the rLLC of every head over training");

    /** What "Compute the rLLC of every head" does (the workbench starts the sweep). */
    public void setOnComputeTrajectories(Runnable action) {
        computeTrajectories.setOnAction(e -> action.run());
    }

    private final CurvesViewModel vm;
    private final FigureCanvas canvas = new FigureCanvas();

    public CurvesView(CurvesViewModel vm) {
        this.vm = vm;
        ComboBox<String> estimator = new ComboBox<>(vm.estimators());
        estimator.setId("curvesEstimator");
        estimator.setPromptText("estimator");
        estimator.valueProperty().bindBidirectional(vm.estimatorProperty());
        ComboBox<String> metric = new ComboBox<>(vm.metrics());
        metric.setId("curvesMetric");
        metric.setPromptText("metric");
        metric.valueProperty().bindBidirectional(vm.metricProperty());
        ComboBox<String> variant = new ComboBox<>(vm.variants());
        variant.setId("curvesVariant");
        variant.setPromptText("slice and settings");
        variant.valueProperty().bindBidirectional(vm.variantProperty());
        variant.setTooltip(new javafx.scene.control.Tooltip("The dataset slice and settings of the results shown"
                + " (the one with most results first)"));
        variant.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(String v) {
                return v == null ? "" : describeVariant(v);
            }

            @Override
            public String fromString(String s) {
                return s;
            }
        });
        variant.setMaxWidth(260);
        Button refresh = new Button("Refresh");
        refresh.setId("curvesRefresh");
        refresh.setOnAction(e -> vm.refresh());
        estimator.setTooltip(new javafx.scene.control.Tooltip("Estimator (those with results in the run's store)"));
        metric.setTooltip(new javafx.scene.control.Tooltip("Metric; a …/mean gets its …/std as a band"));
        estimator.setMinWidth(110);
        metric.setMinWidth(100);
        HBox.setHgrow(metric, Priority.ALWAYS);
        metric.setMaxWidth(Double.MAX_VALUE);
        refresh.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        CheckBox stages = new CheckBox("Stages");
        stages.setId("curvesStages");
        stages.selectedProperty().bindBidirectional(vm.showStagesProperty());
        CheckBox curvatureBox = new CheckBox("Curvature of the head");
        curvatureBox.setId("showCurvature");
        curvatureBox.setTooltip(new javafx.scene.control.Tooltip("In place of the curves: the selected head's rLLC beside its"
                + " Hessian trace, Fisher trace and Hessian rank over training (the paper's Appendix D)"));
        curvatureBox.selectedProperty().bindBidirectional(vm.showCurvatureProperty());
        CheckBox clusters = new CheckBox("Colour by cluster");
        clusters.setId("colourByCluster");
        clusters.setTooltip(new javafx.scene.control.Tooltip("Colour the heads by the k-means cluster of their curve's"
                + " shape instead of by label: head types found by the data"));
        clusters.selectedProperty().bindBidirectional(vm.colourByClusterProperty());
        stages.setTooltip(new javafx.scene.control.Tooltip("Shade the training stages found on the full-model LLC"
                + " (else the loss) behind the curves"));
        stages.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        clusters.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        curvatureBox.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        javafx.scene.control.ComboBox<org.headlab.core.analysis.HeadClusters.Method> method =
                new javafx.scene.control.ComboBox<>(javafx.collections.FXCollections.observableArrayList(
                        org.headlab.core.analysis.HeadClusters.Method.values()));
        method.setId("clusterMethod");
        method.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(org.headlab.core.analysis.HeadClusters.Method m) {
                return m == null ? "" : m.words();
            }

            @Override
            public org.headlab.core.analysis.HeadClusters.Method fromString(String s) {
                return null;
            }
        });
        method.valueProperty().bindBidirectional(vm.clusterMethodProperty());
        method.disableProperty().bind(vm.colourByClusterProperty().not());
        method.setTooltip(new javafx.scene.control.Tooltip("How the curves are clustered: k-means (the paper's), or"
                + " hierarchically (Ward's or average linkage; `cluster --method` prints the tree), or k-means under"
                + " dynamic time warping (curves of one shape that turn a few checkpoints apart cluster together)"));
        method.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        // rows: the panel is narrow beside the head grid and the labels, and every control must stay in view
        HBox first = new HBox(6, estimator, metric, refresh);
        first.setAlignment(Pos.CENTER_LEFT);
        javafx.scene.control.Button compare = new javafx.scene.control.Button();
        compare.setId("curvesCompare");
        compare.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        compare.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() -> vm.compareRunProperty()
                .get() == null ? "Compare with run…" : "Stop comparing with " + vm.compareRunProperty().get()
                .getFileName(), vm.compareRunProperty()));
        compare.setTooltip(new javafx.scene.control.Tooltip("Another run of the same shape (e.g. another training"
                + " seed): its heads are matched to this run's by their curves, and the selected head's match is drawn"
                + " beside it"));
        compare.setOnAction(e -> {
            if (vm.compareRunProperty().get() != null) {
                vm.compareRunProperty().set(null);
                return;
            }
            javafx.stage.DirectoryChooser chooser = new javafx.stage.DirectoryChooser();
            chooser.setTitle("Run to compare with");
            java.io.File dir = chooser.showDialog(getScene() == null ? null : getScene().getWindow());
            if (dir != null) {
                vm.compareRunProperty().set(dir.toPath());
            }
        });
        HBox second = new HBox(6, stages, clusters, method, variant);
        second.setAlignment(Pos.CENTER_LEFT);
        HBox third = new HBox(10, compare, curvatureBox);
        third.setAlignment(Pos.CENTER_LEFT);
        javafx.scene.layout.VBox bar = new javafx.scene.layout.VBox(4, first, second, third);
        bar.setPadding(new Insets(6, 8, 4, 8));

        canvas.setId("curvesCanvas");
        canvas.setMinSize(200, 150);
        canvas.setPrefSize(600, 360);
        canvas.canvas().setOnMouseMoved(this::hover);
        canvas.canvas().setOnMouseExited(e -> vm.hover(null));
        canvas.canvas().setOnMouseClicked(e -> {
            if (e.getButton() == MouseButton.PRIMARY) {
                vm.click(pick(e).orElse(null));
            }
        });
        vm.figureProperty().addListener((o, a, f) -> canvas.setFigure(f));
        canvas.setFigure(vm.figureProperty().get());

        Label readout = new Label();
        readout.setId("curvesReadout");
        readout.setStyle("-fx-font-family: monospace;");
        readout.setWrapText(true); // the stage under the pointer follows the value
        readout.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        readout.textProperty().bind(vm.readoutProperty());
        Label status = new Label();
        status.setId("curvesStatus");
        status.setStyle("-fx-text-fill: #555; -fx-font-size: 11px;");
        status.setWrapText(true);
        status.textProperty().bind(vm.statusProperty());
        Label stagesLegend = new Label();
        stagesLegend.setId("curvesStagesLegend");
        stagesLegend.setStyle("-fx-text-fill: #555; -fx-font-size: 11px;");
        stagesLegend.setWrapText(true);
        stagesLegend.textProperty().bind(vm.stagesTextProperty());
        stagesLegend.visibleProperty().bind(vm.showStagesProperty());
        stagesLegend.managedProperty().bind(vm.showStagesProperty());
        Label help = new Label("Hover: exact value and stage · click: that head and the nearest checkpoint");
        help.setStyle("-fx-text-fill: #555; -fx-font-size: 11px;");
        computeTrajectories.setId("computeTrajectories");
        computeTrajectories.setTooltip(new javafx.scene.control.Tooltip("The rLLC of every head at every 4th"
                + " checkpoint and the last, at the paper's settings; progress and ETA in the Jobs tab; stored results"
                + " are skipped"));
        // offered while the run has no results at all
        computeTrajectories.visibleProperty().bind(vm.statusProperty().map(t -> t.startsWith("No results")));
        computeTrajectories.managedProperty().bind(computeTrajectories.visibleProperty());
        VBox bottom = new VBox(2, readout, stagesLegend, status, computeTrajectories, help);
        bottom.setPadding(new Insets(4, 8, 6, 8));
        HBox.setHgrow(canvas, Priority.ALWAYS);
        setTop(bar);
        // the tree of a hierarchical clustering, under the curves while one is chosen
        FigureCanvas tree = new FigureCanvas();
        tree.setId("curvesDendrogram");
        tree.setMinSize(200, 120);
        tree.setPrefSize(600, 220);
        tree.setMaxHeight(260); // the curves keep most of the panel
        tree.setFigure(vm.dendrogramProperty().get());
        tree.visibleProperty().bind(vm.dendrogramProperty().isNotNull());
        tree.managedProperty().bind(tree.visibleProperty());
        vm.dendrogramProperty().addListener((o, a, d) -> tree.setFigure(d));
        // the selected head's curvature measures beside its rLLC, in place of the curves while asked for: a row per
        // measure needs its height, so the stack scrolls rather than squeezes
        FigureCanvas curvatureCanvas = new FigureCanvas();
        curvatureCanvas.setId("curvesCurvature");
        curvatureCanvas.setMinSize(200, 200);
        javafx.scene.control.ScrollPane curvatureScroll = new javafx.scene.control.ScrollPane(curvatureCanvas);
        curvatureScroll.setFitToWidth(true);
        curvatureScroll.visibleProperty().bind(vm.curvatureProperty().isNotNull());
        curvatureScroll.managedProperty().bind(curvatureScroll.visibleProperty());
        canvas.visibleProperty().bind(vm.curvatureProperty().isNull());
        canvas.managedProperty().bind(canvas.visibleProperty());
        java.util.function.Consumer<org.headlab.core.figure.StackedFigure> showCurvature = c -> {
            curvatureCanvas.setFigure(c);
            curvatureCanvas.setPrefHeight(c == null ? 200 : 40 + 130 * c.rows().size());
        };
        showCurvature.accept(vm.curvatureProperty().get());
        vm.curvatureProperty().addListener((o, a, c) -> showCurvature.accept(c));
        VBox centre = new VBox(4, canvas, tree, curvatureScroll);
        VBox.setVgrow(canvas, Priority.ALWAYS); // one of the two is shown at a time; either fills the tab
        VBox.setVgrow(curvatureScroll, Priority.ALWAYS);
        setCenter(centre);
        setBottom(bottom);
    }

    private java.util.Optional<TrajectoryFigure.Pick> pick(MouseEvent e) {
        return canvas.figure() instanceof TrajectoryFigure f ? f.pick(e.getX(), e.getY())
                : java.util.Optional.empty();
    }

    private void hover(MouseEvent e) {
        double step = canvas.figure() instanceof TrajectoryFigure f ? f.stepAt(e.getX(), e.getY()).orElse(Double.NaN)
                : Double.NaN;
        vm.hover(pick(e).orElse(null), step);
    }

    public FigureCanvas canvas() {
        return canvas;
    }

    /** "text · batch 32, chains 4, …" for "{\"batch\":32,\"chains\":4,…} on text" (a result variant). */
    static String describeVariant(String v) {
        int on = v.lastIndexOf(" on ");
        String params = (on < 0 ? v : v.substring(0, on)).replaceAll("[{}\"]", "").replace(":", " ").replace(",", ", ");
        return on < 0 ? params : v.substring(on + 4) + " · " + params;
    }
}
