package org.headlab.core.figure;

import java.awt.Color;
import java.awt.Dimension;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.font.FontRenderContext;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import org.headlab.core.figure.FigureStyle.Anchor;

/**
 * A labelled matrix with a colour bar, e.g. Q/K/V composition scores from layer-0 heads (rows) to layer-1 heads
 * (columns). Drawn as one nearest-neighbour image; values are written in the cells when they are large enough.
 * Signed data gets the diverging ramp, symmetric around 0, unless a ramp and range are given.
 */
public final class MatrixFigure implements Figure {
    private static final FontRenderContext FRC = new FontRenderContext(null, true, true);
    private static final double MARGIN = 8;
    private static final double TITLE_H = 18;
    private static final double BAR_W = 9;

    private final String title;
    private final double[][] values;
    private final List<String> rowLabels;
    private final List<String> colLabels;
    private final String rowTitle;
    private final String colTitle;
    private final String valueLabel;
    private final ColorRamp ramp;
    private final double min;
    private final double max;
    private final Provenance provenance;
    private BufferedImage image;

    public MatrixFigure(String title, double[][] values, List<String> rowLabels, List<String> colLabels,
            String rowTitle, String colTitle, String valueLabel, ColorRamp ramp, double min, double max,
            Provenance provenance) {
        int cols = values.length == 0 ? 0 : values[0].length;
        for (double[] row : values) {
            if (row.length != cols) {
                throw new IllegalArgumentException("matrix rows differ in length");
            }
        }
        if (rowLabels.size() != values.length || colLabels.size() != cols) {
            throw new IllegalArgumentException("a " + values.length + "×" + cols + " matrix needs as many labels, not "
                    + rowLabels.size() + " and " + colLabels.size());
        }
        this.title = title;
        this.values = deepCopy(values);
        this.rowLabels = List.copyOf(rowLabels);
        this.colLabels = List.copyOf(colLabels);
        this.rowTitle = rowTitle;
        this.colTitle = colTitle;
        this.valueLabel = valueLabel;
        this.ramp = ramp;
        this.min = min;
        this.max = max;
        this.provenance = provenance;
    }

    /** Range and ramp from the data: sequential blue from min to max, or diverging symmetric around 0. */
    public static MatrixFigure of(String title, double[][] values, List<String> rowLabels, List<String> colLabels,
            String rowTitle, String colTitle, String valueLabel, Provenance provenance) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] row : values) {
            for (double v : row) {
                if (!Double.isNaN(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo > hi) {
            lo = 0;
            hi = 1;
        }
        if (lo < 0 && hi > 0) {
            double a = Math.max(-lo, hi);
            return new MatrixFigure(title, values, rowLabels, colLabels, rowTitle, colTitle, valueLabel,
                    ColorRamp.DIVERGING, -a, a, provenance);
        }
        double from = lo >= 0 ? Math.min(0, lo) : lo;
        double to = hi == from ? from + 1 : hi;
        return new MatrixFigure(title, values, rowLabels, colLabels, rowTitle, colTitle, valueLabel,
                ColorRamp.ATTENTION, from, to, provenance);
    }

    private static double[][] deepCopy(double[][] m) {
        double[][] c = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            c[i] = m[i].clone();
        }
        return c;
    }

    @Override
    public String title() {
        return title;
    }

    @Override
    public Provenance provenance() {
        return provenance;
    }

    @Override
    public Dimension preferredSize() {
        int cols = colLabels.size();
        int rows = rowLabels.size();
        double cell = Math.max(12, Math.min(32, 320.0 / Math.max(1, Math.max(rows, cols))));
        return new Dimension((int) Math.max(300, 150 + cols * cell), (int) Math.max(220, 90 + rows * cell));
    }

    @Override
    public DataTable data() {
        DataTable.Builder t = DataTable.builder("row", "column", "value");
        for (int r = 0; r < values.length; r++) {
            for (int c = 0; c < values[r].length; c++) {
                t.row(rowLabels.get(r), colLabels.get(c), values[r][c]);
            }
        }
        return t.build();
    }

    /** Where the matrix goes inside {@code area}. */
    public Rectangle2D matrixBounds(Rectangle2D area) {
        int rows = values.length;
        int cols = colLabels.size();
        Font f = FigureStyle.TICK;
        double rowW = 0;
        for (String s : rowLabels) {
            rowW = Math.max(rowW, f.getStringBounds(s, FRC).getWidth());
        }
        double colH = 0;
        for (String s : colLabels) {
            colH = Math.max(colH, f.getStringBounds(s, FRC).getWidth());
        }
        double left = area.getX() + MARGIN + (rowTitle == null ? 0 : 16) + rowW + 6;
        double top = area.getY() + MARGIN + TITLE_H + (colTitle == null ? 0 : 14) + colH + 6;
        double right = area.getMaxX() - MARGIN - FigureStyle.colorBarWidth(BAR_W) - 12;
        double bottom = area.getMaxY() - MARGIN;
        double cell = Math.max(1, Math.min((right - left) / Math.max(1, cols), (bottom - top) / Math.max(1, rows)));
        return new Rectangle2D.Double(left, top, cell * cols, cell * rows);
    }

    @Override
    public void draw(Graphics2D g0, Rectangle2D area) {
        Graphics2D g = (Graphics2D) g0.create();
        try {
            FigureStyle.prepare(g);
            FigureStyle.fillBackground(g, area);
            g.setFont(FigureStyle.TITLE);
            g.setPaint(FigureStyle.INK);
            FigureStyle.text(g, title, area.getX() + MARGIN, area.getY() + MARGIN + TITLE_H / 2 - 2, Anchor.LEFT);
            int rows = values.length;
            int cols = colLabels.size();
            if (rows == 0 || cols == 0) {
                return;
            }
            Rectangle2D m = matrixBounds(area);
            double cell = m.getWidth() / cols;
            if (image == null) {
                image = ramp.image(values, null, min, max, ColorRamp.upscaleFor(Math.max(rows, cols)));
            }
            AffineTransform at = AffineTransform.getTranslateInstance(m.getX(), m.getY());
            at.scale(m.getWidth() / image.getWidth(), m.getHeight() / image.getHeight());
            g.drawImage(image, at, null);
            g.setStroke(FigureStyle.stroke(0.5));
            g.setPaint(FigureStyle.FRAME);
            g.draw(m);

            g.setFont(FigureStyle.TICK);
            g.setPaint(FigureStyle.INK);
            for (int r = 0; r < rows; r++) {
                FigureStyle.text(g, rowLabels.get(r), m.getX() - 4, m.getY() + (r + 0.5) * cell, Anchor.RIGHT);
            }
            double colH = 0;
            // narrow columns (a long probe of tokens): every k-th label, so that labels never overlap
            int stride = (int) Math.ceil(9 / Math.max(cell, 1e-9));
            for (int c = 0; c < cols; c += stride) {
                FigureStyle.textUp(g, colLabels.get(c), m.getX() + (c + 0.5) * cell, m.getY() - 4, Anchor.LEFT);
                colH = Math.max(colH, FigureStyle.width(g, colLabels.get(c)));
            }
            if (cell >= 18) {
                Font vf = FigureStyle.TICK.deriveFont((float) Math.min(8, cell * 0.3));
                g.setFont(vf);
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        double v = values[r][c];
                        if (Double.isNaN(v)) {
                            continue;
                        }
                        g.setPaint(ColorRamp.isLight(ramp.argb(v, min, max)) ? FigureStyle.INK : Color.WHITE);
                        FigureStyle.text(g, String.format(java.util.Locale.ROOT, "%.2f", v).replace('-', '\u2212'),
                                m.getX() + (c + 0.5) * cell, m.getY() + (r + 0.5) * cell, Anchor.CENTER);
                    }
                }
            }
            g.setFont(FigureStyle.LABEL);
            g.setPaint(FigureStyle.INK);
            if (colTitle != null) {
                FigureStyle.text(g, colTitle, m.getCenterX(), m.getY() - colH - 12, Anchor.CENTER);
            }
            if (rowTitle != null) {
                FigureStyle.textUp(g, rowTitle, area.getX() + MARGIN + 5, m.getCenterY(), Anchor.CENTER);
            }
            double barH = Math.max(m.getHeight(), Math.min(120, area.getMaxY() - MARGIN - m.getY()));
            FigureStyle.colorBar(g, new Rectangle2D.Double(m.getMaxX() + 12, m.getY(), BAR_W, barH), ramp, min,
                    max, valueLabel);
        } finally {
            g.dispose();
        }
    }
}
