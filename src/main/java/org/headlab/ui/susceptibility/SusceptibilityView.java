package org.headlab.ui.susceptibility;

import java.util.Locale;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.util.Duration;
import org.headlab.core.figure.ColorRamp;
import org.headlab.ui.figure.FigureCanvas;

/**
 * The Susceptibility tab: the selected head's probe tokens as running text, each on the diverging colour of its χ
 * (hover: χ ± its standard error, the token's kind; grey text: not resolved), and below it the head × token matrix
 * and the PCA map of the tokens over every head with stored estimates. A click on a token shows its window in the
 * attention map with the token selected.
 */
public final class SusceptibilityView extends VBox {
    private final SusceptibilityViewModel vm;
    private final FlowPane strip = new FlowPane(1, 3);

    public SusceptibilityView(SusceptibilityViewModel vm) {
        super(6);
        this.vm = vm;
        setPadding(new Insets(6));
        Label status = new Label();
        status.setId("susceptibilityStatus");
        status.textProperty().bind(vm.statusProperty());
        status.setWrapText(true);
        status.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        strip.setId("susceptibilityTokens");
        strip.setPadding(new Insets(4));
        ScrollPane stripScroll = new ScrollPane(strip);
        stripScroll.setFitToWidth(true);
        stripScroll.setPrefViewportHeight(180);
        FigureCanvas matrix = new FigureCanvas();
        matrix.setId("susceptibilityMatrix");
        FigureCanvas map = new FigureCanvas();
        map.setId("susceptibilityMap");
        vm.matrixProperty().addListener((o, a, f) -> matrix.setFigure(f));
        vm.mapProperty().addListener((o, a, f) -> map.setFigure(f));
        SplitPane figures = new SplitPane(matrix, map);
        figures.setOrientation(Orientation.HORIZONTAL);
        figures.setDividerPositions(0.55);
        SplitPane body = new SplitPane(stripScroll, figures);
        body.setOrientation(Orientation.VERTICAL);
        body.setDividerPositions(0.35);
        VBox.setVgrow(body, Priority.ALWAYS);
        vm.tokens().addListener((javafx.collections.ListChangeListener<SusceptibilityViewModel.TokenCell>) c ->
                rebuildStrip());
        javafx.scene.control.Button compute = button("susceptibilityCompute", "Compute for this input", "The selected"
                + " head's susceptibility to each token of the current input at this checkpoint: the head's rLLC"
                + " chains (paper settings) with the input as the probe; seconds on small runs, about a minute a head"
                + " on lm; shown here, not stored", vm::computeForInput);
        javafx.scene.control.Button allHeads = button("susceptibilityComputeAll", "… for every head", "Every head's"
                + " susceptibility to each token of the input, the selected head first: the matrix below fills one"
                + " head row at a time (seconds a head on small runs, about a minute a head on lm); shown, not stored",
                vm::computeForInputAllHeads);
        javafx.scene.control.Button byChi = button("susceptibilityByChi", "Colour by χ", "After a click on a token"
                + " of a computed input the tokens show its Bayesian influence on each of them; this goes back to"
                + " their susceptibilities", vm::showSusceptibility);
        byChi.disableProperty().bind(vm.influenceProperty().isNull());
        vm.influenceProperty().addListener((o, a, b) -> rebuildStrip());
        getChildren().addAll(new javafx.scene.layout.HBox(6, compute, allHeads, byChi), status, body);
    }

    private static javafx.scene.control.Button button(String id, String text, String tip, Runnable action) {
        javafx.scene.control.Button b = new javafx.scene.control.Button(text);
        b.setId(id);
        b.setTooltip(new Tooltip(tip));
        b.setOnAction(e -> action.run());
        return b;
    }

    private void rebuildStrip() {
        strip.getChildren().clear();
        double scale = vm.scale();
        double[] influence = vm.influenceProperty().get();
        int lastWindow = -1;
        for (SusceptibilityViewModel.TokenCell cell : vm.tokens()) {
            if (cell.window() != lastWindow) {
                Label w = new Label((lastWindow < 0 ? "" : "   ") + "window " + cell.window() + ":");
                w.setStyle("-fx-font-weight: bold;");
                strip.getChildren().add(w);
                lastWindow = cell.window();
            }
            Label t = new Label(cell.text().replace("\n", "⏎").replace(" ", "␣"));
            boolean byInfluence = influence != null && cell.index() < influence.length;
            int argb = byInfluence ? ColorRamp.DIVERGING.argb(influence[cell.index()], -1, 1)
                    : ColorRamp.DIVERGING.argb(cell.chi(), -scale, scale);
            String fill = String.format(Locale.ROOT, "#%06X", argb & 0xFFFFFF);
            String text = !byInfluence && !cell.resolved() ? "#777777"
                    : ColorRamp.isLight(argb) ? "#000000" : "#FFFFFF";
            t.setStyle("-fx-background-color: " + fill + "; -fx-text-fill: " + text
                    + "; -fx-font-family: monospace; -fx-padding: 1 2 1 2;");
            String value = byInfluence ? String.format(Locale.ROOT, "Bayesian influence %+.3f (χ %+.4g ± %.2g)",
                    influence[cell.index()], cell.chi(), cell.se())
                    : String.format(Locale.ROOT, "χ %+.4g ± %.2g%s", cell.chi(), cell.se(),
                            cell.resolved() ? "" : " (not resolved)");
            Tooltip tip = new Tooltip(String.format(Locale.ROOT, "%s%n%s, window %d, position %d", value,
                    cell.kind(), cell.window(), cell.position()));
            tip.setShowDelay(Duration.millis(150));
            t.setTooltip(tip);
            t.setOnMouseClicked(e -> vm.select(cell));
            strip.getChildren().add(t);
        }
    }

    /** The token labels (tests). */
    public FlowPane tokenStrip() {
        return strip;
    }
}
