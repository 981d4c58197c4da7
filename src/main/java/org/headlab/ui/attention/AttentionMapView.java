package org.headlab.ui.attention;

import java.util.List;
import java.util.Locale;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;
import org.headlab.core.data.TokenStructure;

/**
 * The attention map of one head: query tokens down the left, key tokens along the top, one cell per (query, key).
 * The input's bracket structure is drawn on it: a depth strip beside the query axis and an outlined cell where
 * each closing bracket's row meets its matching opening bracket's column, so a bracket-matching head shows up as
 * dark cells inside the outlines.
 */
public final class AttentionMapView extends Region {
    private static final double AXIS = 64;
    private static final double DEPTH_STRIP = 6;
    private static final Color MATCH_OUTLINE = Color.web("#e8710a");

    private final Canvas canvas = new Canvas();
    private float[][] pattern;
    private float[][] baseline;
    private List<String> tokens = List.of();
    private TokenStructure structure;
    private WritableImage image;
    private int hoverQuery = -1;
    private int hoverKey = -1;
    private HoverListener hoverListener = (q, k) -> { };

    /** Told which cell is under the mouse, or (-1, -1) when none. */
    public interface HoverListener {
        void hovered(int query, int key);
    }

    public AttentionMapView() {
        getChildren().add(canvas);
        getStyleClass().add("attention-map");
        setMinSize(160, 160);
        setPrefSize(640, 640);
        canvas.setOnMouseMoved(e -> hover(cellAt(e.getX(), e.getY())));
        canvas.setOnMouseExited(e -> hover(new int[] {-1, -1}));
    }

    public void setHoverListener(HoverListener listener) {
        hoverListener = listener;
    }

    /** Shows a pattern [q][k] with its token labels; structure may be null. */
    public void show(float[][] pattern, List<String> tokens, TokenStructure structure) {
        show(pattern, null, tokens, structure);
    }

    /**
     * Shows {@code pattern − baseline} (a comparison between two checkpoints) on a diverging scale, or the plain
     * pattern when {@code baseline} is null or does not have the pattern's shape.
     */
    public void show(float[][] pattern, float[][] baseline, List<String> tokens, TokenStructure structure) {
        this.pattern = pattern;
        this.baseline = baseline != null && pattern != null && baseline.length == pattern.length ? baseline : null;
        this.tokens = tokens;
        this.structure = structure;
        this.image = pattern == null ? null : HeatmapRaster.image(pattern, this.baseline, rasterSide());
        redraw();
    }

    public boolean showsDifference() {
        return baseline != null;
    }

    public Canvas canvas() {
        return canvas;
    }

    @Override
    protected void layoutChildren() {
        double w = getWidth();
        double h = getHeight();
        if (canvas.getWidth() != w || canvas.getHeight() != h) {
            canvas.setWidth(w);
            canvas.setHeight(h);
            if (pattern != null && (image.getWidth() != Math.min(pattern.length, rasterSide()))) {
                image = HeatmapRaster.image(pattern, baseline, rasterSide()); // more or fewer pixels to fill now
            }
            redraw();
        }
    }

    /** How many pixels wide the map's image need be: the side it is drawn at (device pixels), at least 64. */
    private int rasterSide() {
        double scale = getScene() == null || getScene().getWindow() == null ? 1
                : getScene().getWindow().getOutputScaleX();
        return getWidth() <= 0 ? Integer.MAX_VALUE : Math.max(64, (int) Math.ceil(mapFrame()[2] * scale));
    }

    /** Side of the square map in pixels and its top-left corner. */
    private double[] mapFrame() {
        double side = Math.max(10, Math.min(getWidth() - AXIS - DEPTH_STRIP - 70, getHeight() - AXIS - 8));
        return new double[] {AXIS + DEPTH_STRIP + 2, AXIS, side};
    }

    /** The (query, key) cell under a canvas point, or (-1, -1). */
    public int[] cellAt(double x, double y) {
        if (pattern == null || pattern.length == 0) {
            return new int[] {-1, -1};
        }
        double[] f = mapFrame();
        double cell = f[2] / pattern.length;
        int k = (int) Math.floor((x - f[0]) / cell);
        int q = (int) Math.floor((y - f[1]) / cell);
        if (q < 0 || k < 0 || q >= pattern.length || k >= pattern.length) {
            return new int[] {-1, -1};
        }
        return new int[] {q, k};
    }

    /** Canvas coordinates of the centre of cell (query, key); for tests that point at a cell. */
    public double[] cellCentre(int query, int key) {
        double[] f = mapFrame();
        double cell = f[2] / pattern.length;
        return new double[] {f[0] + (key + 0.5) * cell, f[1] + (query + 0.5) * cell};
    }

    private void hover(int[] qk) {
        if (qk[0] != hoverQuery || qk[1] != hoverKey) {
            hoverQuery = qk[0];
            hoverKey = qk[1];
            redraw();
            hoverListener.hovered(hoverQuery, hoverKey);
        }
    }

    private void redraw() {
        GraphicsContext g = canvas.getGraphicsContext2D();
        double w = canvas.getWidth();
        double h = canvas.getHeight();
        g.setFill(Color.WHITE);
        g.fillRect(0, 0, w, h);
        if (pattern == null || pattern.length == 0) {
            g.setFill(Color.GRAY);
            g.setTextAlign(TextAlignment.CENTER);
            g.fillText("No attention map yet: open a run and type an input", w / 2, h / 2);
            return;
        }
        int n = pattern.length;
        double[] f = mapFrame();
        double x0 = f[0];
        double y0 = f[1];
        double side = f[2];
        double cell = side / n;
        g.setImageSmoothing(false);
        g.drawImage(image, x0, y0, side, side);
        g.setStroke(Color.gray(0.6));
        g.setLineWidth(1);
        g.strokeRect(x0, y0, side, side);
        drawStructure(g, x0, y0, cell, n);
        drawLabels(g, x0, y0, cell, n);
        drawLegend(g, x0 + side + 14, y0, Math.min(side, 200));
        if (hoverQuery >= 0) {
            g.setStroke(Color.web("#d62728"));
            g.setLineWidth(1.5);
            g.strokeRect(x0 + hoverKey * cell, y0 + hoverQuery * cell, Math.max(cell, 2), Math.max(cell, 2));
        }
    }

    private void drawStructure(GraphicsContext g, double x0, double y0, double cell, int n) {
        if (structure == null || structure.size() != n) {
            return;
        }
        int maxDepth = 1;
        for (int i = 0; i < n; i++) {
            maxDepth = Math.max(maxDepth, structure.depth(i) + 1);
        }
        for (int i = 0; i < n; i++) {
            double t = (structure.depth(i) + 1.0) / maxDepth;
            g.setFill(Color.web("#e8710a").interpolate(Color.web("#fdd0a2"), 1 - t));
            g.fillRect(x0 - DEPTH_STRIP - 2, y0 + i * cell, DEPTH_STRIP, Math.max(cell, 1));
        }
        g.setStroke(MATCH_OUTLINE);
        g.setLineWidth(cell >= 6 ? 1.5 : 1);
        for (int q = 0; q < n; q++) {
            int k = structure.match(q);
            if (k >= 0 && k < q) {
                g.strokeRect(x0 + k * cell, y0 + q * cell, Math.max(cell, 1.5), Math.max(cell, 1.5));
            }
        }
        g.setFill(Color.web("#d62728"));
        for (TokenStructure.Problem p : structure.problems()) {
            g.fillOval(x0 - DEPTH_STRIP - 12, y0 + (p.position() + 0.5) * cell - 3, 6, 6);
        }
    }

    private void drawLabels(GraphicsContext g, double x0, double y0, double cell, int n) {
        double fontSize = Math.max(7, Math.min(12, cell * 0.8));
        g.setFont(Font.font("Monospaced", fontSize));
        g.setFill(Color.gray(0.15));
        int every = (int) Math.ceil((fontSize + 1) / cell);
        g.setTextBaseline(VPos.CENTER);
        g.setTextAlign(TextAlignment.RIGHT);
        for (int q = 0; q < n; q += every) {
            g.fillText(label(q), x0 - DEPTH_STRIP - 14, y0 + (q + 0.5) * cell);
        }
        for (int k = 0; k < n; k += every) {
            String text = label(k);
            double x = x0 + (k + 0.5) * cell;
            if (text.length() <= 2) {
                // single characters (brackets) stay upright: rotated, '[' and '(' become unreadable
                g.setTextAlign(TextAlignment.CENTER);
                g.setTextBaseline(VPos.BOTTOM);
                g.fillText(text, x, y0 - 4);
            } else {
                g.save();
                g.setTextAlign(TextAlignment.LEFT);
                g.setTextBaseline(VPos.CENTER);
                g.translate(x, y0 - 4);
                g.rotate(-90);
                g.fillText(text, 0, 0);
                g.restore();
            }
        }
        g.setTextBaseline(VPos.BASELINE);
    }

    private String label(int i) {
        return org.headlab.core.figure.TokenLabel.of(i < tokens.size() ? tokens.get(i) : "?", 8);
    }

    private void drawLegend(GraphicsContext g, double x, double y, double height) {
        int steps = 50;
        for (int i = 0; i < steps; i++) {
            double v = 1.0 - (double) i / steps;
            int argb = baseline == null ? HeatmapRaster.argb(v)
                    : org.headlab.core.figure.ColorRamp.DIVERGING.argb(2 * v - 1, -1, 1);
            g.setFill(Color.rgb((argb >> 16) & 0xFF, (argb >> 8) & 0xFF, argb & 0xFF));
            g.fillRect(x, y + i * height / steps, 12, height / steps + 1);
        }
        g.setStroke(Color.gray(0.6));
        g.strokeRect(x, y, 12, height);
        g.setFill(Color.gray(0.2));
        g.setFont(Font.font(10));
        g.setTextAlign(TextAlignment.LEFT);
        g.fillText(baseline == null ? "1.0" : "+1 gained", x + 16, y + 8);
        g.fillText(baseline == null ? "0.0" : "−1 lost", x + 16, y + height);
        if (baseline != null) {
            g.fillText("0", x + 16, y + height / 2 + 4);
        }
    }

    /** The read-out for a cell: query and key tokens and the weight. */
    public static String readout(List<String> tokens, float[][] pattern, int q, int k) {
        if (q < 0 || pattern == null) {
            return "";
        }
        String value = k > q ? "masked (causal)" : String.format(Locale.ROOT, "%.4f", pattern[q][k]);
        return String.format(Locale.ROOT, "query %d '%s' → key %d '%s': %s", q, tokens.get(q), k, tokens.get(k),
                value);
    }
}
