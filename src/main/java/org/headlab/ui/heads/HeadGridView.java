package org.headlab.ui.heads;

import java.util.function.BiConsumer;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import org.headlab.core.session.AttentionResult;
import org.headlab.ui.Selection;
import org.headlab.ui.attention.HeatmapRaster;

/**
 * Layers × heads, one cell per head with a thumbnail of its attention map on the current input (small multiples),
 * so that the eye finds the diagonal, previous-token and bracket-matching heads at a glance. Clicking a cell selects
 * the head everywhere.
 */
public final class HeadGridView extends GridPane {
    private static final double MIN_THUMB = 40;
    private static final double MAX_THUMB = 96;
    private double thumb = 72;
    private double availableWidth;
    private final BiConsumer<Integer, Integer> onSelect;
    private Canvas[][] thumbs = new Canvas[0][0];
    private VBox[][] cells = new VBox[0][0];
    private Selection.HeadRef selected = new Selection.HeadRef(0, 0);
    private AttentionResult result;

    public HeadGridView(BiConsumer<Integer, Integer> onSelect) {
        this.onSelect = onSelect;
        setHgap(6);
        setVgap(6);
        setPadding(new Insets(8));
        getStyleClass().add("head-grid");
    }

    /** Thumbnails shrink or grow so that a whole layer fits {@code width} (the panel's) without scrolling. */
    public void fitThumbnails(double width) {
        availableWidth = width;
        int heads = thumbs.length == 0 ? 0 : thumbs[0].length;
        if (heads == 0 || width <= 0) {
            return;
        }
        double fitted = Math.max(MIN_THUMB, Math.min(MAX_THUMB, (width - 60) / heads - 14));
        if (Math.abs(fitted - thumb) >= 1) {
            thumb = fitted;
            for (Canvas[] row : thumbs) {
                for (Canvas c : row) {
                    c.setWidth(thumb);
                    c.setHeight(thumb);
                }
            }
            redraw();
        }
    }

    /** Rebuilds the grid for a model of this shape. */
    public void setShape(int layers, int heads) {
        getChildren().clear();
        thumbs = new Canvas[layers][heads];
        cells = new VBox[layers][heads];
        for (int l = 0; l < layers; l++) {
            Label layerLabel = new Label("L" + l);
            layerLabel.setStyle("-fx-font-weight: bold;");
            add(layerLabel, 0, l);
            for (int h = 0; h < heads; h++) {
                Canvas c = new Canvas(thumb, thumb);
                Label name = new Label(l + ":" + h);
                VBox cell = new VBox(2, c, name);
                cell.setAlignment(Pos.CENTER);
                cell.setPadding(new Insets(3));
                cell.setId("head-" + l + "-" + h);
                final int layer = l;
                final int head = h;
                cell.setOnMouseClicked(e -> onSelect.accept(layer, head));
                Tooltip.install(cell, new Tooltip("Head " + l + ":" + h + " — click to select"));
                thumbs[l][h] = c;
                cells[l][h] = cell;
                add(cell, h + 1, l);
            }
        }
        fitThumbnails(availableWidth);
        redraw();
    }

    public void setSelected(Selection.HeadRef head) {
        selected = head;
        redraw();
    }

    public void setResult(AttentionResult result) {
        this.result = result;
        redraw();
    }

    private void redraw() {
        for (int l = 0; l < thumbs.length; l++) {
            for (int h = 0; h < thumbs[l].length; h++) {
                boolean isSelected = selected != null && selected.layer() == l && selected.head() == h;
                cells[l][h].setStyle(isSelected
                        ? "-fx-border-color: #d62728; -fx-border-width: 2; -fx-background-color: #fff5f0;"
                        : "-fx-border-color: #d9d9d9; -fx-border-width: 1; -fx-background-color: white;");
                GraphicsContext g = thumbs[l][h].getGraphicsContext2D();
                g.setFill(Color.gray(0.95));
                g.fillRect(0, 0, thumb, thumb);
                if (result != null && l < result.layers() && h < result.heads() && result.length() > 0) {
                    WritableImage img = HeatmapRaster.image(result.pattern(l, h));
                    g.setImageSmoothing(false);
                    g.drawImage(img, 0, 0, thumb, thumb);
                }
            }
        }
    }
}
