package org.headlab.ui.heads;

import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import org.headlab.core.estimate.Head;
import org.headlab.core.session.AttentionResult;
import org.headlab.ui.Selection;
import org.headlab.ui.attention.HeatmapRaster;
import org.headlab.ui.curves.CurvesViewModel;

/**
 * Layers × heads, one cell per head with a thumbnail of its attention map on the current input (small multiples),
 * so that the eye finds the diagonal, previous-token and bracket-matching heads at a glance. Clicking a cell selects
 * the head everywhere.
 */
public final class HeadGridView extends GridPane {
    private static final double MIN_THUMB = 24;
    /** Around a thumbnail within a column: the cell's padding (3 + 3), its widest border (labelled: 2 + 3 a side). */
    private static final double CELL_EXTRA = 6 + 2 * 5;
    private static final double MAX_THUMB = 96;
    /** The composition matrix's outline colour, so the eye links the pair across views. */
    static final String PARTNER_COLOUR = "#e6550d";
    private double thumb = 72;
    private double availableWidth;
    private final Consumer<Head> onSelect;
    private Canvas[][] thumbs = new Canvas[0][0];
    private Canvas[][] sparks = new Canvas[0][0];
    private Map<String, CurvesViewModel.Sparkline> sparklines = Map.of();
    private Double sparkStep;
    /** Height of the rLLC sparkline under each thumbnail (0 px when the run has no rLLC results). */
    static final double SPARK_HEIGHT = 18;
    private VBox[][] cells = new VBox[0][0];
    private Head selected = new Head(0, 0);
    private Head partner;
    private AttentionResult result;
    /** The thumbnails' images of {@link #result} at the current thumbnail size (null: to be made). */
    private WritableImage[][] images;
    private Map<String, String> labelColours = Map.of();
    private Function<Head, ContextMenu> cellMenu;

    public HeadGridView(Consumer<Head> onSelect) {
        this.onSelect = onSelect;
        setHgap(6);
        setVgap(6);
        setPadding(new Insets(8));
        getStyleClass().add("head-grid");
        setFocusTraversable(true); // number keys label the selected head while the grid has focus
    }

    /** Cell colours by label class ("L:H" → #rrggbb); heads without a label stay plain. */
    public void setLabelColours(Map<String, String> colours) {
        labelColours = colours == null ? Map.of() : colours;
        redraw();
    }

    /** The context menu of a head's cell, built when it opens (for labelling by right-click). */
    public void setCellMenu(Function<Head, ContextMenu> menu) {
        cellMenu = menu;
    }

    /** Thumbnails shrink or grow so that a whole layer fits {@code width} (the panel's) without scrolling. */
    public void fitThumbnails(double width) {
        availableWidth = width;
        int heads = thumbs.length == 0 ? 0 : thumbs[0].length;
        if (heads == 0 || width <= 0) {
            return;
        }
        double fitted = Math.floor(Math.max(MIN_THUMB, Math.min(MAX_THUMB, fittedThumb(width, heads,
                layerLabelWidth()))));
        if (Math.abs(fitted - thumb) >= 1) {
            thumb = fitted;
            images = null; // pooled to the old size
            for (Canvas[] row : thumbs) {
                for (Canvas c : row) {
                    c.setWidth(thumb);
                    c.setHeight(thumb);
                }
            }
            for (Canvas[] row : sparks) {
                for (Canvas c : row) {
                    c.setWidth(thumb);
                }
            }
            redraw();
        }
    }

    /**
     * The largest thumbnail with which {@code heads} columns fit {@code width}: the grid's padding, the layer
     * label's column and a gap, then per head a gap and the cell around its thumbnail (at its widest border).
     */
    static double fittedThumb(double width, int heads, double layerLabelWidth) {
        double gap = 6;
        double fixed = 8 + 8 + layerLabelWidth;
        return (width - fixed) / heads - gap - CELL_EXTRA;
    }

    /** The widest layer label ("L0", …) as laid out, or an estimate before the first layout pass. */
    private double layerLabelWidth() {
        double w = 0;
        for (javafx.scene.Node n : getChildren()) {
            if (n instanceof Label l && GridPane.getColumnIndex(l) != null && GridPane.getColumnIndex(l) == 0) {
                w = Math.max(w, l.prefWidth(-1));
            }
        }
        return Math.max(w, 20);
    }

    /**
     * Each head's rLLC over training as a sparkline under its thumbnail (log-step axis, one y-range for all heads,
     * hollow where the estimate resolved nothing), with the scrubbed checkpoint marked.
     */
    public void setSparklines(Map<String, CurvesViewModel.Sparkline> lines, Double step) {
        sparklines = lines == null ? Map.of() : lines;
        sparkStep = step;
        for (Canvas[] row : sparks) {
            for (Canvas c : row) {
                c.setHeight(sparklines.isEmpty() ? 0 : SPARK_HEIGHT);
                c.setWidth(thumb);
            }
        }
        redraw();
    }

    /** Rebuilds the grid for a model of this shape. */
    public void setShape(int layers, int heads) {
        getChildren().clear();
        thumbs = new Canvas[layers][heads];
        sparks = new Canvas[layers][heads];
        cells = new VBox[layers][heads];
        for (int l = 0; l < layers; l++) {
            Label layerLabel = new Label("L" + l);
            layerLabel.setStyle("-fx-font-weight: bold;");
            layerLabel.setMinWidth(Region.USE_PREF_SIZE); // never squeezed to "…" by a narrow panel
            add(layerLabel, 0, l);
            for (int h = 0; h < heads; h++) {
                Canvas c = new Canvas(thumb, thumb);
                Canvas spark = new Canvas(thumb, sparklines.isEmpty() ? 0 : SPARK_HEIGHT);
                spark.setId("spark-" + l + "-" + h);
                sparks[l][h] = spark;
                Label name = new Label(l + ":" + h);
                VBox cell = new VBox(2, c, spark, name);
                cell.setAlignment(Pos.CENTER);
                cell.setPadding(new Insets(3));
                cell.setId("head-" + l + "-" + h);
                Head head = new Head(l, h);
                cell.setOnMouseClicked(e -> {
                    requestFocus();
                    onSelect.accept(head);
                });
                cell.setOnContextMenuRequested(e -> {
                    onSelect.accept(head);
                    if (cellMenu != null) {
                        cellMenu.apply(head).show(cell, e.getScreenX(), e.getScreenY());
                    }
                    e.consume();
                });
                Tooltip.install(cell, new Tooltip("Head " + l + ":" + h + " — click to select; right-click or keys 1–7 to label"));
                thumbs[l][h] = c;
                cells[l][h] = cell;
                add(cell, h + 1, l);
            }
        }
        fitThumbnails(availableWidth);
        redraw();
    }

    public void setSelected(Head head) {
        selected = head;
        redraw();
    }

    /**
     * The other head of a selected composition pair (the sender whose output the selected head reads), outlined in
     * orange; null: none.
     */
    public void setPartner(Head head) {
        partner = head;
        redraw();
    }

    public void setResult(AttentionResult result) {
        this.result = result;
        this.images = null;
        redraw();
    }

    /** Selected: a dark outer ring; labelled: a thick inner border and a tint in the class colour. */
    static String cellStyle(boolean selected, String labelColour) {
        return cellStyle(selected, false, labelColour);
    }

    /** As above; the partner of a selected pair gets an orange outer ring instead. */
    static String cellStyle(boolean selected, boolean partner, String labelColour) {
        String outer = selected ? "#222222" : partner ? PARTNER_COLOUR : "#d9d9d9";
        String outerWidth = selected || partner ? "2" : "1";
        if (labelColour == null) {
            return "-fx-border-color: " + outer + "; -fx-border-width: " + outerWidth + "; -fx-background-color: "
                    + (selected ? "#f2f2f2" : "white") + ";";
        }
        return "-fx-border-color: " + outer + ", " + labelColour + "; -fx-border-width: " + outerWidth + ", 3;"
                + " -fx-border-insets: 0, " + outerWidth + "; -fx-background-color: " + labelColour + "33;";
    }

    private void redraw() {
        for (int l = 0; l < thumbs.length; l++) {
            for (int h = 0; h < thumbs[l].length; h++) {
                Head here = new Head(l, h);
                boolean isSelected = here.equals(selected);
                boolean isPartner = here.equals(partner);
                cells[l][h].setStyle(cellStyle(isSelected, isPartner, labelColours.get(l + ":" + h)));
                GraphicsContext g = thumbs[l][h].getGraphicsContext2D();
                g.setFill(Color.gray(0.95));
                g.fillRect(0, 0, thumb, thumb);
                if (result != null && l < result.layers() && h < result.heads() && result.length() > 0) {
                    // made once per result (a selection change only restyles), at most as many pixels as shown
                    if (images == null) {
                        images = new WritableImage[result.layers()][result.heads()];
                    }
                    if (images[l][h] == null) {
                        images[l][h] = HeatmapRaster.image(result.pattern(l, h), null, (int) Math.ceil(thumb));
                    }
                    g.setImageSmoothing(false);
                    g.drawImage(images[l][h], 0, 0, thumb, thumb);
                }
                drawSparkline(sparks[l][h], sparklines.get(l + ":" + h));
            }
        }
    }

    private void drawSparkline(Canvas c, CurvesViewModel.Sparkline s) {
        GraphicsContext g = c.getGraphicsContext2D();
        double w = c.getWidth();
        double hgt = c.getHeight();
        g.clearRect(0, 0, w, hgt);
        if (s == null || hgt <= 0 || s.steps().length == 0 || !(s.hi() > s.lo())) {
            return;
        }
        double x0 = Math.log1p(Math.max(0, s.steps()[0]));
        double x1 = Math.log1p(Math.max(0, s.steps()[s.steps().length - 1]));
        double span = x1 > x0 ? x1 - x0 : 1;
        java.util.function.DoubleUnaryOperator xOf = step -> 2 + (Math.log1p(Math.max(0, step)) - x0) / span * (w - 4);
        java.util.function.DoubleUnaryOperator yOf = v -> {
            double t = (Math.max(s.lo(), Math.min(s.hi(), v)) - s.lo()) / (s.hi() - s.lo());
            return hgt - 2 - t * (hgt - 4);
        };
        if (sparkStep != null) {
            g.setStroke(Color.gray(0.6));
            g.setLineWidth(1);
            double mx = xOf.applyAsDouble(sparkStep);
            g.strokeLine(mx, 0, mx, hgt);
        }
        g.setStroke(Color.web("#1f77b4"));
        g.setLineWidth(1.2);
        g.beginPath();
        boolean pen = false;
        for (int i = 0; i < s.steps().length; i++) {
            double v = s.values()[i];
            if (!Double.isFinite(v) || s.steps()[i] <= 0) {
                pen = false;
                continue;
            }
            double x = xOf.applyAsDouble(s.steps()[i]);
            double y = yOf.applyAsDouble(v);
            if (pen) {
                g.lineTo(x, y);
            } else {
                g.moveTo(x, y);
                pen = true;
            }
        }
        g.stroke();
        g.setLineWidth(0.8);
        for (int i = 0; i < s.steps().length; i++) {
            if (s.unresolved()[i] && s.steps()[i] > 0 && Double.isFinite(s.values()[i])) {
                double x = xOf.applyAsDouble(s.steps()[i]);
                double y = yOf.applyAsDouble(s.values()[i]);
                g.setFill(Color.WHITE);
                g.fillOval(x - 1.8, y - 1.8, 3.6, 3.6);
                g.strokeOval(x - 1.8, y - 1.8, 3.6, 3.6);
            }
        }
    }
}
