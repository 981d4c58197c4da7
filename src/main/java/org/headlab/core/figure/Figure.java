package org.headlab.core.figure;

import java.awt.Dimension;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;

/**
 * A figure: one drawing routine on {@link Graphics2D} that draws the same picture on screen (through FXGraphics2D),
 * into PNG, SVG and PDF ({@link FigureExporter}), plus the data it shows and where that data came from, so every
 * exported figure can be traced and remade.
 *
 * <p>Units: {@link #draw} works in points (1/72 inch); fonts are sized in points, so a figure exported at 4×3 inches
 * has the same text size at any DPI. Implementations must draw deterministically (same input, same picture) and
 * must draw heatmaps as one image, never one shape per cell.
 */
public interface Figure {

    /** A short human title, also written to the provenance sidecar. */
    String title();

    /** Draws the whole figure, background included, inside {@code area}; leaves the graphics state as it was. */
    void draw(Graphics2D g, Rectangle2D area);

    /** The numbers the figure shows, one row per plotted value, for the CSV written beside every export. */
    DataTable data();

    /** Where the data came from: run, checkpoints, estimator and parameters, seed, dataset slice, labels. */
    Provenance provenance();

    /** The size (points) the figure is designed for; exports default to it. */
    default Dimension preferredSize() {
        return new Dimension(480, 360);
    }
}
