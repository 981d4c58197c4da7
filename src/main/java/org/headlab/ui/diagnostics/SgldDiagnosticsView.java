package org.headlab.ui.diagnostics;

import org.headlab.core.estimate.llc.LlcDiagnostics;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.headlab.core.figure.TrajectoryFigure;
import org.headlab.ui.figure.FigureCanvas;

/**
 * The SGLD diagnostics tab: the selected head's stored rLLC at the selected checkpoint as loss traces per chain
 * (with the init loss) and λ̂ traces (with the mean ± std), the health numbers under them, and, when nothing is
 * stored yet, what to do about it with a button that sets up the Run estimator dialog for exactly this head and
 * checkpoint.
 */
public final class SgldDiagnosticsView extends BorderPane {
    private final SgldDiagnosticsViewModel vm;
    private final FigureCanvas loss = new FigureCanvas();
    private final FigureCanvas llc = new FigureCanvas();

    /** @param computeOne opens the Run estimator dialog set up for an llc of the selected head and checkpoint */
    public SgldDiagnosticsView(SgldDiagnosticsViewModel vm, Runnable computeOne) {
        this.vm = vm;
        ComboBox<LlcDiagnostics> variant = new ComboBox<>(vm.results());
        variant.setId("diagnosticsVariant");
        variant.valueProperty().bindBidirectional(vm.shownProperty());
        variant.setCellFactory(l -> new VariantCell());
        variant.setButtonCell(new VariantCell());
        variant.setTooltip(new Tooltip("The stored parameter sets of this head and checkpoint"));
        variant.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(variant, Priority.ALWAYS);
        variant.visibleProperty().bind(Bindings.size(vm.results()).greaterThan(1));
        variant.managedProperty().bind(variant.visibleProperty());
        Button compute = new Button("Compute with Run estimator…");
        compute.setId("diagnosticsCompute");
        compute.setMinWidth(Region.USE_PREF_SIZE);
        compute.setOnAction(e -> computeOne.run());
        Label help = new Label("Hover: exact value · black: init loss / mean over chains");
        help.setStyle("-fx-text-fill: #555; -fx-font-size: 11px;");
        help.setMinWidth(0);
        HBox bar = new HBox(6, compute, variant, help);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(6, 8, 4, 8));

        Label empty = new Label();
        empty.setId("diagnosticsEmpty");
        empty.setWrapText(true);
        empty.setStyle("-fx-text-fill: #444; -fx-font-size: 13px; -fx-padding: 24;");
        empty.textProperty().bind(vm.emptyProperty());
        empty.visibleProperty().bind(vm.emptyProperty().isNotEmpty());
        empty.managedProperty().bind(empty.visibleProperty());

        for (FigureCanvas c : new FigureCanvas[] {loss, llc}) {
            c.setMinSize(200, 120);
            c.setPrefSize(520, 260);
            c.setMaxSize(Double.MAX_VALUE, Double.MAX_VALUE);
            VBox.setVgrow(c, Priority.ALWAYS);
        }
        loss.setId("diagnosticsLoss");
        llc.setId("diagnosticsLlc");
        wire(loss, true);
        wire(llc, false);
        vm.lossFigureProperty().addListener((o, a, f) -> loss.setFigure(f));
        vm.llcFigureProperty().addListener((o, a, f) -> llc.setFigure(f));
        loss.visibleProperty().bind(vm.lossFigureProperty().isNotNull());
        llc.visibleProperty().bind(vm.llcFigureProperty().isNotNull());
        loss.managedProperty().bind(loss.visibleProperty());
        llc.managedProperty().bind(llc.visibleProperty());

        Label readout = new Label();
        readout.setId("diagnosticsReadout");
        readout.setStyle("-fx-font-family: monospace;");
        readout.textProperty().bind(vm.readoutProperty());
        Label summary = new Label();
        summary.setId("diagnosticsSummary");
        summary.setWrapText(true);
        summary.setStyle("-fx-font-size: 12px;");
        summary.textProperty().bind(vm.summaryProperty());
        summary.setMinHeight(Region.USE_PREF_SIZE);
        VBox centre = new VBox(4, empty, loss, llc);
        VBox bottom = new VBox(2, readout, summary);
        bottom.setPadding(new Insets(4, 8, 6, 8));
        setTop(bar);
        setCenter(centre);
        setBottom(bottom);
    }

    private void wire(FigureCanvas c, boolean lossPanel) {
        c.canvas().setOnMouseMoved(e -> vm.hover(c.figure() instanceof TrajectoryFigure f
                ? f.pick(e.getX(), e.getY()).orElse(null) : null, lossPanel));
        c.canvas().setOnMouseExited(e -> vm.hover(null, lossPanel));
    }

    public FigureCanvas lossCanvas() {
        return loss;
    }

    public FigureCanvas llcCanvas() {
        return llc;
    }

    private static final class VariantCell extends ListCell<LlcDiagnostics> {
        @Override
        protected void updateItem(LlcDiagnostics d, boolean isEmpty) {
            super.updateItem(d, isEmpty);
            setText(d == null || isEmpty ? null : d.chains() + " chains × " + d.draws() + " draws · " + d.variant());
        }
    }
}
