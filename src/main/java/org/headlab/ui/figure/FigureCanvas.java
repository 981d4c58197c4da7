package org.headlab.ui.figure;

import java.awt.geom.Rectangle2D;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import org.headlab.core.figure.Figure;
import org.jfree.fx.FXGraphics2D;

/**
 * Shows any {@link Figure} on screen through FXGraphics2D: the same drawing routine as the PNG, SVG and PDF exports,
 * so what the user sees is what gets exported. Redraws when resized or given another figure.
 */
public final class FigureCanvas extends Region {
    private final Canvas canvas = new Canvas();
    private final FXGraphics2D g2;
    private Figure figure;
    private java.util.function.BiConsumer<GraphicsContext, Rectangle2D> overlay;

    public FigureCanvas() {
        getChildren().add(canvas);
        getStyleClass().add("figure-canvas");
        setMinSize(120, 90);
        setPrefSize(640, 480);
        g2 = new FXGraphics2D(canvas.getGraphicsContext2D());
    }

    public FigureCanvas(Figure figure) {
        this();
        setFigure(figure);
    }

    public void setFigure(Figure figure) {
        this.figure = figure;
        if (figure != null) {
            setPrefSize(figure.preferredSize().getWidth(), figure.preferredSize().getHeight());
        }
        redraw();
    }

    /**
     * Something drawn over the figure on screen only (a selection outline, a hover mark), in canvas pixels after
     * every redraw; exports never see it. Null: none.
     */
    public void setOverlay(java.util.function.BiConsumer<GraphicsContext, Rectangle2D> overlay) {
        this.overlay = overlay;
        redraw();
    }

    public Figure figure() {
        return figure;
    }

    public Canvas canvas() {
        return canvas;
    }

    @Override
    protected void layoutChildren() {
        double w = snapSizeX(getWidth());
        double h = snapSizeY(getHeight());
        if (canvas.getWidth() != w || canvas.getHeight() != h) {
            canvas.setWidth(w);
            canvas.setHeight(h);
            redraw();
        }
    }

    /** Draws the figure over the whole canvas (one canvas pixel per point). */
    public void redraw() {
        GraphicsContext gc = canvas.getGraphicsContext2D();
        double w = canvas.getWidth();
        double h = canvas.getHeight();
        gc.setFill(Color.WHITE);
        gc.fillRect(0, 0, w, h);
        if (figure == null || w < 1 || h < 1) {
            return;
        }
        gc.setImageSmoothing(false); // heatmap cells stay sharp, as in the exports
        Rectangle2D area = new Rectangle2D.Double(0, 0, w, h);
        figure.draw(g2, area);
        if (overlay != null) {
            overlay.accept(gc, area);
        }
    }
}
