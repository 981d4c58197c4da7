package org.headlab.ui.composition;

import java.awt.geom.Rectangle2D;
import java.util.Optional;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import org.headlab.core.figure.MatrixFigure;
import org.headlab.ui.figure.FigureCanvas;

/**
 * The composition matrix tab: Q/K/V toggles and the layer pair over the matrix (drawn by the export's own
 * MatrixFigure), the hovered cell's exact score under it, and the selected pair's scores over training. Clicking a
 * cell selects that sender → receiver pair everywhere; the selected pair is outlined.
 */
public final class CompositionView extends BorderPane {
    private final CompositionViewModel vm;
    private final FigureCanvas matrix = new FigureCanvas();
    private final FigureCanvas curves = new FigureCanvas();

    public CompositionView(CompositionViewModel vm) {
        this.vm = vm;
        ToggleGroup modes = new ToggleGroup();
        HBox bar = new HBox(6);
        for (CompositionViewModel.Mode m : CompositionViewModel.Mode.values()) {
            ToggleButton b = new ToggleButton(m.name());
            b.setId("composition" + m.name());
            b.setUserData(m);
            b.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
            b.setToggleGroup(modes);
            b.setTooltip(new Tooltip(m.title() + ": " + m.meaning()));
            b.setSelected(m == vm.modeProperty().get());
            bar.getChildren().add(b);
        }
        modes.selectedToggleProperty().addListener((o, a, t) -> {
            if (t == null) {
                a.setSelected(true); // one mode is always shown
            } else {
                vm.modeProperty().set((CompositionViewModel.Mode) t.getUserData());
            }
        });
        vm.modeProperty().addListener((o, a, m) -> modes.getToggles().forEach(t -> t.setSelected(t.getUserData() == m)));
        ComboBox<CompositionViewModel.LayerPair> layers = new ComboBox<>(vm.layerPairs());
        layers.setId("compositionLayers");
        layers.valueProperty().bindBidirectional(vm.layerPairProperty());
        layers.setTooltip(new Tooltip("Sender layer (rows) → receiver layer (columns)"));
        layers.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        // a two-layer model has one pair, which the axis titles already name
        layers.visibleProperty().bind(javafx.beans.binding.Bindings.size(vm.layerPairs()).greaterThan(1));
        layers.managedProperty().bind(layers.visibleProperty());
        Label help = new Label("Hover: exact score · click: select the pair (the receiver is the selected head)");
        help.setStyle("-fx-text-fill: #555; -fx-font-size: 11px;");
        help.setMinWidth(0);
        HBox.setHgrow(help, Priority.ALWAYS);
        bar.getChildren().addAll(layers, help);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(6, 8, 4, 8));

        matrix.setId("compositionCanvas");
        matrix.setMinSize(200, 180);
        matrix.setPrefSize(520, 360);
        matrix.setMaxSize(Double.MAX_VALUE, Double.MAX_VALUE);
        matrix.canvas().setOnMouseMoved(e -> vm.hover(cellAt(e).orElse(null)));
        matrix.canvas().setOnMouseExited(e -> vm.hover(null));
        matrix.canvas().setOnMouseClicked(e -> {
            if (e.getButton() == MouseButton.PRIMARY) {
                cellAt(e).ifPresent(vm::click);
            }
        });
        matrix.setOverlay(this::outlineSelectedCell);
        vm.figureProperty().addListener((o, a, f) -> matrix.setFigure(f));
        vm.selectedCellProperty().addListener((o, a, c) -> matrix.redraw());
        matrix.setFigure(vm.figureProperty().get());

        curves.setId("compositionCurves");
        curves.setMinSize(200, 120);
        curves.setPrefSize(520, 190);
        curves.setMaxSize(Double.MAX_VALUE, 220);
        vm.pairCurvesProperty().addListener((o, a, f) -> curves.setFigure(f));
        curves.setFigure(vm.pairCurvesProperty().get());
        curves.visibleProperty().bind(vm.pairCurvesProperty().isNotNull());
        curves.managedProperty().bind(curves.visibleProperty());

        Label readout = new Label();
        readout.setId("compositionReadout");
        readout.setStyle("-fx-font-family: monospace;");
        readout.textProperty().bind(vm.readoutProperty());
        Label baseline = new Label();
        baseline.setId("compositionBaseline");
        baseline.setStyle("-fx-text-fill: #555; -fx-font-size: 11px;");
        baseline.setWrapText(true);
        baseline.textProperty().bind(vm.baselineTextProperty());
        Label status = new Label();
        status.setId("compositionStatus");
        status.setStyle("-fx-text-fill: #555; -fx-font-size: 11px;");
        status.setWrapText(true);
        status.textProperty().bind(vm.statusProperty());
        VBox bottom = new VBox(2, readout, baseline, status, curves);
        bottom.setPadding(new Insets(4, 8, 6, 8));
        setTop(bar);
        setCenter(matrix);
        setBottom(bottom);
    }

    /** The cell under the pointer, through the figure's own layout of the matrix. */
    private Optional<CompositionViewModel.Cell> cellAt(MouseEvent e) {
        return cellAt(e.getX(), e.getY());
    }

    /** The cell at canvas point ({@code x}, {@code y}), if the matrix is drawn there. */
    public Optional<CompositionViewModel.Cell> cellAt(double x, double y) {
        if (!(matrix.figure() instanceof MatrixFigure f)) {
            return Optional.empty();
        }
        Rectangle2D m = f.matrixBounds(area());
        int cols = vm.columns();
        if (cols == 0 || !m.contains(x, y)) {
            return Optional.empty();
        }
        double cell = m.getWidth() / cols;
        return Optional.of(new CompositionViewModel.Cell((int) ((y - m.getY()) / cell), (int) ((x - m.getX()) / cell)));
    }

    /** The canvas point at the centre of a cell (for tests and keyboard use). */
    public javafx.geometry.Point2D centreOf(CompositionViewModel.Cell c) {
        MatrixFigure f = (MatrixFigure) matrix.figure();
        Rectangle2D m = f.matrixBounds(area());
        double cell = m.getWidth() / vm.columns();
        return new javafx.geometry.Point2D(m.getX() + (c.column() + 0.5) * cell, m.getY() + (c.row() + 0.5) * cell);
    }

    private Rectangle2D area() {
        return new Rectangle2D.Double(0, 0, matrix.canvas().getWidth(), matrix.canvas().getHeight());
    }

    private void outlineSelectedCell(GraphicsContext gc, Rectangle2D area) {
        CompositionViewModel.Cell c = vm.selectedCellProperty().get();
        if (c == null || !(matrix.figure() instanceof MatrixFigure f)) {
            return;
        }
        Rectangle2D m = f.matrixBounds(area);
        double cell = m.getWidth() / vm.columns();
        gc.setStroke(Color.web("#e6550d"));
        gc.setLineWidth(2.5);
        gc.strokeRect(m.getX() + c.column() * cell + 1, m.getY() + c.row() * cell + 1, cell - 2, cell - 2);
    }

    public FigureCanvas matrixCanvas() {
        return matrix;
    }

    public FigureCanvas curvesCanvas() {
        return curves;
    }
}
