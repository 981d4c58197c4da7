package org.headlab.ui.ablation;

import java.util.Locale;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Label;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

/**
 * Per-token ablation as bars: one bar per prediction of the current input, labelled with the token it predicts,
 * up (red) where ablating the selected head raises the loss, down (blue) where it lowers it; zero or mean ablation
 * over the bars. Hover reads out the clean and ablated loss of the bar under the pointer.
 */
public final class TokenAblationView extends BorderPane {
    private static final double LEFT = 56;
    private static final double BOTTOM = 34;
    private static final double TOP = 12;
    private final TokenAblationViewModel vm;
    private final Canvas canvas = new Canvas();
    private int hovered = -1;

    public TokenAblationView(TokenAblationViewModel vm) {
        this.vm = vm;
        ToggleGroup kinds = new ToggleGroup();
        HBox bar = new HBox(6);
        for (TokenAblationViewModel.Kind k : TokenAblationViewModel.Kind.values()) {
            ToggleButton b = new ToggleButton(k == TokenAblationViewModel.Kind.MEAN ? "Mean" : "Zero");
            b.setId("ablation" + (k == TokenAblationViewModel.Kind.MEAN ? "Mean" : "Zero"));
            b.setUserData(k);
            b.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
            b.setToggleGroup(kinds);
            b.setSelected(vm.kindProperty().get() == k);
            b.setTooltip(new Tooltip(k == TokenAblationViewModel.Kind.MEAN
                    ? "z ← its mean at each position over " + TokenAblationViewModel.MEAN_WINDOWS
                            + " windows of the run's data"
                    : "z ← 0"));
            bar.getChildren().add(b);
        }
        kinds.selectedToggleProperty().addListener((o, a, t) -> {
            if (t == null) {
                a.setSelected(true);
            } else {
                vm.kindProperty().set((TokenAblationViewModel.Kind) t.getUserData());
            }
        });
        Label help = new Label("Loss increase per predicted token when the selected head is ablated, on this input");
        help.setStyle("-fx-text-fill: #555; -fx-font-size: 11px;");
        help.setMinWidth(0);
        bar.getChildren().add(help);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(6, 8, 4, 8));

        canvas.setId("ablationCanvas");
        Pane holder = new Pane(canvas);
        holder.setMinSize(200, 160);
        canvas.widthProperty().bind(holder.widthProperty());
        canvas.heightProperty().bind(holder.heightProperty());
        canvas.widthProperty().addListener(o -> redraw());
        canvas.heightProperty().addListener(o -> redraw());
        canvas.setOnMouseMoved(e -> {
            hovered = indexAt(e.getX());
            vm.hover(hovered);
            redraw();
        });
        canvas.setOnMouseExited(e -> {
            hovered = -1;
            vm.hover(-1);
            redraw();
        });
        vm.lossesProperty().addListener((o, a, b) -> redraw());

        Label readout = new Label();
        readout.setId("ablationReadout");
        readout.setStyle("-fx-font-family: monospace;");
        readout.textProperty().bind(vm.readoutProperty());
        Label status = new Label();
        status.setId("ablationStatus");
        status.setWrapText(true);
        status.setStyle("-fx-text-fill: #444; -fx-font-size: 12px;");
        status.textProperty().bind(vm.statusProperty());
        VBox bottom = new VBox(2, readout, status);
        bottom.setPadding(new Insets(4, 8, 6, 8));
        setTop(bar);
        setCenter(holder);
        setBottom(bottom);
    }

    /** The prediction whose bar is at canvas x (−1: none). */
    public int indexAt(double x) {
        TokenAblationViewModel.Losses r = vm.lossesProperty().get();
        if (r == null || r.increase().length == 0) {
            return -1;
        }
        double w = (canvas.getWidth() - LEFT - 8) / r.increase().length;
        int i = (int) Math.floor((x - LEFT) / w);
        return i >= 0 && i < r.increase().length ? i : -1;
    }

    /** The canvas x of bar {@code i}'s centre. */
    public double centreOf(int i) {
        TokenAblationViewModel.Losses r = vm.lossesProperty().get();
        double w = (canvas.getWidth() - LEFT - 8) / r.increase().length;
        return LEFT + (i + 0.5) * w;
    }

    private void redraw() {
        GraphicsContext g = canvas.getGraphicsContext2D();
        double width = canvas.getWidth();
        double height = canvas.getHeight();
        g.setFill(Color.WHITE);
        g.fillRect(0, 0, width, height);
        TokenAblationViewModel.Losses r = vm.lossesProperty().get();
        if (r == null || r.increase().length == 0 || width < LEFT + 20) {
            return;
        }
        float[] d = r.increase();
        double max = 1e-6;
        for (float v : d) {
            max = Math.max(max, Math.abs(v));
        }
        double plotBottom = height - BOTTOM;
        double zero = TOP + (plotBottom - TOP) / 2;
        double scale = (plotBottom - TOP) / 2 / max;
        double w = (width - LEFT - 8) / d.length;
        g.setFont(Font.font(10));
        g.setFill(Color.gray(0.3));
        g.setTextAlign(TextAlignment.RIGHT);
        g.setTextBaseline(VPos.CENTER);
        g.fillText(String.format(Locale.ROOT, "%+.2f", max), LEFT - 6, TOP);
        g.fillText("0", LEFT - 6, zero);
        g.fillText(String.format(Locale.ROOT, "%+.2f", -max), LEFT - 6, plotBottom);
        g.setStroke(Color.gray(0.6));
        g.setLineWidth(1);
        g.strokeLine(LEFT, zero, width - 8, zero);
        g.setTextAlign(TextAlignment.CENTER);
        g.setTextBaseline(VPos.TOP);
        for (int i = 0; i < d.length; i++) {
            double x = LEFT + i * w;
            double h = d[i] * scale;
            g.setFill(i == hovered ? Color.web("#333333") : d[i] >= 0 ? Color.web("#b2182b") : Color.web("#2166ac"));
            g.fillRect(x + Math.min(2, w * 0.15), h >= 0 ? zero - h : zero, Math.max(1, w - 2 * Math.min(2,
                    w * 0.15)), Math.abs(h));
            if (w >= 7) {
                g.setFill(Color.gray(0.15));
                g.fillText(r.tokens().get(i + 1), x + w / 2, plotBottom + 4);
            }
        }
        g.setFill(Color.gray(0.3));
        g.setTextAlign(TextAlignment.LEFT);
        g.fillText("Δloss (ablated − clean) per predicted token", LEFT, plotBottom + 18);
    }

    public Canvas canvas() {
        return canvas;
    }
}
