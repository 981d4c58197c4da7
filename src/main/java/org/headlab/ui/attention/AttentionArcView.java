package org.headlab.ui.attention;

import java.util.List;
import java.util.function.IntConsumer;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;
import javafx.scene.shape.ArcType;
import javafx.scene.text.Font;
import javafx.scene.text.Text;
import javafx.scene.text.TextAlignment;
import org.headlab.core.data.TokenStructure;
import org.headlab.core.figure.TokenLabel;

/**
 * The input as a line of tokens with two kinds of arcs: above it, each closing bracket joined to its matching
 * opening bracket (the structure of the string); below it, the attention of one query token to every earlier key,
 * an arc per key whose width and darkness follow the weight. When a bracket-matching head is selected, the lower
 * arcs of a closing bracket mirror its upper arc. Clicking a token makes it the query.
 */
public final class AttentionArcView extends Canvas {
    private static final double MIN_CELL = 16;
    private static final double MAX_CELL = 44;
    private static final Color MATCH = Color.web("#e8710a");
    private static final Color ATTENTION = Color.web("#08306b");
    /** One label size for every input: the cells grow to fit the widest label instead of labels overlapping. */
    private static final Font LABEL_FONT = Font.font("Monospaced", 12);
    private static final int LABEL_CHARS = 6;

    private List<String> tokens = List.of();
    private TokenStructure structure;
    private float[][] pattern;
    private int query = -1;
    /** Each token's narrowest cell (its label plus air); cells then grow evenly to fill the width, up to MAX_CELL. */
    private double[] labelCells = new double[0];
    private IntConsumer onQuery = q -> { };

    public AttentionArcView() {
        super(600, 150);
        setId("arcView");
        setOnMouseClicked(e -> {
            int i = tokenAt(e.getX());
            if (i >= 0) {
                onQuery.accept(i);
            }
        });
    }

    public void setOnQuery(IntConsumer onQuery) {
        this.onQuery = onQuery;
    }

    /** The width this view wants for these tokens: wide inputs scroll rather than squeeze or overlap. */
    public static double preferredWidth(List<String> tokens, double available) {
        return Math.max(available, java.util.Arrays.stream(labelCells(tokens)).sum() + 20);
    }

    /** A token as drawn: visible whitespace, long ones cut to {@value #LABEL_CHARS} characters with an ellipsis. */
    static String label(String token) {
        return TokenLabel.of(token, LABEL_CHARS);
    }

    /** Per token, the narrowest cell that holds its label with a little air on each side. */
    static double[] labelCells(List<String> tokens) {
        Text probe = new Text();
        probe.setFont(LABEL_FONT);
        double[] cells = new double[tokens.size()];
        for (int i = 0; i < cells.length; i++) {
            probe.setText(label(tokens.get(i)));
            cells[i] = Math.max(MIN_CELL, Math.ceil(probe.getLayoutBounds().getWidth()) + 6);
        }
        return cells;
    }

    public void show(List<String> tokens, TokenStructure structure, float[][] pattern, int query) {
        this.tokens = tokens;
        this.labelCells = labelCells(tokens);
        this.structure = structure;
        this.pattern = pattern;
        this.query = query;
        redraw();
    }

    public void setQuery(int query) {
        if (query != this.query) {
            this.query = query;
            redraw();
        }
    }

    /**
     * The n + 1 edges of the token cells at the current width: each cell holds its label and, when the labels need
     * less than the width, all grow evenly (up to MAX_CELL, never below their label).
     */
    private double[] edges() {
        int n = labelCells.length;
        double spare = getWidth() - 20 - java.util.Arrays.stream(labelCells).sum();
        double growth = n == 0 ? 0 : Math.max(0, spare / n);
        double[] edges = new double[n + 1];
        edges[0] = 10;
        for (int i = 0; i < n; i++) {
            edges[i + 1] = edges[i] + Math.max(labelCells[i], Math.min(MAX_CELL, labelCells[i] + growth));
        }
        return edges;
    }

    /** The x of token i's centre on the canvas. */
    public double centre(int i) {
        return mid(edges(), i);
    }

    private static double mid(double[] edges, int i) {
        return (edges[i] + edges[i + 1]) / 2;
    }

    /** The token under canvas x, or -1. */
    public int tokenAt(double x) {
        double[] e = edges();
        for (int i = 0; i + 1 < e.length; i++) {
            if (x >= e[i] && x < e[i + 1]) {
                return i;
            }
        }
        return -1;
    }

    public void redraw() {
        GraphicsContext g = getGraphicsContext2D();
        double w = getWidth();
        double h = getHeight();
        g.setFill(Color.WHITE);
        g.fillRect(0, 0, w, h);
        int n = tokens.size();
        if (n == 0) {
            return;
        }
        double baseline = h * 0.5;
        double[] e = edges();
        g.setFont(LABEL_FONT);
        g.setTextAlign(TextAlignment.CENTER);
        g.setTextBaseline(VPos.CENTER);
        for (int i = 0; i < n; i++) {
            if (i == query) {
                g.setFill(Color.web("#fde0dd"));
                g.fillRect(e[i], baseline - 9, e[i + 1] - e[i], 18);
            }
            g.setFill(Color.gray(0.1));
            String t = tokens.get(i);
            g.fillText(label(t), mid(e, i), baseline);
        }
        double maxArc = baseline - 14;
        if (structure != null && structure.size() == n) {
            g.setStroke(MATCH);
            g.setLineWidth(1.4);
            for (int i = 0; i < n; i++) {
                int j = structure.match(i);
                if (j > i) {
                    drawArc(g, e, i, j, baseline - 10, true, maxArc);
                }
            }
        }
        if (pattern != null && query >= 0 && query < pattern.length) {
            for (int k = 0; k <= query; k++) {
                double wgt = pattern[query][k];
                if (wgt < 0.02) {
                    continue;
                }
                g.setStroke(ATTENTION.deriveColor(0, 1, 1, Math.min(1, 0.15 + wgt)));
                g.setLineWidth(0.5 + 5 * wgt);
                if (k == query) {
                    g.strokeOval(mid(e, k) - 5, baseline + 10, 10, 10);
                } else {
                    drawArc(g, e, k, query, baseline + 10, false, maxArc);
                }
            }
        }
    }

    private static void drawArc(GraphicsContext g, double[] e, int from, int to, double y, boolean above,
            double maxHeight) {
        double x0 = mid(e, from);
        double x1 = mid(e, to);
        double radiusX = (x1 - x0) / 2;
        double radiusY = Math.min(maxHeight, Math.max(8, radiusX * 0.8));
        g.strokeArc(x0, y - radiusY, x1 - x0, 2 * radiusY, above ? 0 : 180, 180, ArcType.OPEN);
    }
}
