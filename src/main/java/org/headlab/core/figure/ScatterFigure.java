package org.headlab.core.figure;

import java.awt.Color;
import java.awt.Dimension;
import java.awt.Graphics2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.headlab.core.figure.FigureStyle.Anchor;

/**
 * One point per head: y against x (e.g. final rLLC against a pattern score or an ablation's loss increase, as the
 * paper's Fig. 1 right and its {@code memorization-*} figures), points coloured by label, each point named (its head
 * id), an optional ± y error bar, and the least-squares line of y on x with its slope, r and n written in the plot.
 */
public final class ScatterFigure implements Figure {
    /** At most this many points are named on the plot, the farthest from the centre first. */
    static final int MAX_NAMED = 40;

    private static final double MARGIN = 8;
    private static final double TITLE_H = 18;

    /** One point; {@code label} picks the colour and legend entry (null: unlabelled), {@code yStd} may be NaN. */
    public record Point(String name, String label, double x, double y, double yStd, boolean unresolved) {
        public Point {
            Objects.requireNonNull(name, "name");
        }

        public Point(String name, String label, double x, double y, double yStd) {
            this(name, label, x, y, yStd, false);
        }
    }

    /** The least-squares line y = intercept + slope·x over the finite points, with Pearson's r and the count. */
    public record Fit(double slope, double intercept, double r, int n) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("slope", slope);
            m.put("intercept", intercept);
            m.put("r", r);
            m.put("n", n);
            return m;
        }
    }

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Point> points;
    private final boolean regression;
    private final Provenance provenance;
    private final Map<String, Color> labelColours;

    public ScatterFigure(String title, String xLabel, String yLabel, List<Point> points, boolean regression,
            Provenance provenance) {
        this(title, xLabel, yLabel, points, regression, provenance, Map.of());
    }

    private ScatterFigure(String title, String xLabel, String yLabel, List<Point> points, boolean regression,
            Provenance provenance, Map<String, Color> labelColours) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.points = List.copyOf(points);
        this.regression = regression;
        this.provenance = provenance;
        this.labelColours = Map.copyOf(labelColours);
    }

    /** The same figure with fixed colours for some labels (others take the palette). */
    public ScatterFigure styled(Map<String, Color> colours) {
        return new ScatterFigure(title, xLabel, yLabel, points, regression, provenance,
                colours == null ? Map.of() : colours);
    }

    /** The same figure with another provenance. */
    public ScatterFigure withProvenance(Provenance p) {
        return new ScatterFigure(title, xLabel, yLabel, points, regression, p, labelColours);
    }

    public List<Point> points() {
        return points;
    }

    /** The least-squares fit of y on x over the points with finite x and y; null with fewer than 2 or one x. */
    public Fit fit() {
        int n = 0;
        double mx = 0;
        double my = 0;
        for (Point p : points) {
            if (Double.isFinite(p.x()) && Double.isFinite(p.y())) {
                n++;
                mx += p.x();
                my += p.y();
            }
        }
        if (n < 2) {
            return null;
        }
        mx /= n;
        my /= n;
        double sxx = 0;
        double syy = 0;
        double sxy = 0;
        for (Point p : points) {
            if (Double.isFinite(p.x()) && Double.isFinite(p.y())) {
                sxx += (p.x() - mx) * (p.x() - mx);
                syy += (p.y() - my) * (p.y() - my);
                sxy += (p.x() - mx) * (p.y() - my);
            }
        }
        if (sxx == 0) {
            return null;
        }
        double slope = sxy / sxx;
        double r = syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
        return new Fit(slope, my - slope * mx, r, n);
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
        return new Dimension(440, 320);
    }

    @Override
    public DataTable data() {
        DataTable.Builder t = DataTable.builder("point", "label", "x", "y", "y_std");
        for (Point p : points) {
            t.row(p.name(), p.label(), p.x(), p.y(), Double.isNaN(p.yStd()) ? null : p.yStd());
        }
        return t.build();
    }

    private Map<String, Color> legendColours() {
        Map<String, Color> m = new LinkedHashMap<>();
        int i = 0;
        for (Point p : points) {
            String key = key(p);
            if (!m.containsKey(key)) {
                Color fixed = labelColours.get(key);
                m.put(key, fixed != null ? fixed : FigureStyle.palette(i++));
            }
        }
        return m;
    }

    private static String key(Point p) {
        return p.label() == null ? "" : p.label();
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

            Map<String, Color> colours = legendColours();
            boolean legend = colours.size() > 1 || (colours.size() == 1 && !colours.containsKey(""));
            g.setFont(FigureStyle.LABEL);
            double legendW = 0;
            if (legend) {
                for (String k : colours.keySet()) {
                    legendW = Math.max(legendW, FigureStyle.width(g, k.isEmpty() ? "unlabelled" : k));
                }
                legendW += 30;
            }
            double[] xr = range(true);
            double[] yr = range(false);
            List<Double> xTicks = FigureStyle.niceTicks(xr[0], xr[1], 6);
            List<Double> yTicks = FigureStyle.niceTicks(yr[0], yr[1], 5);
            g.setFont(FigureStyle.TICK);
            double tickW = 0;
            for (double t : yTicks) {
                tickW = Math.max(tickW, FigureStyle.width(g, FigureStyle.number(t)));
            }
            double top = area.getY() + MARGIN + TITLE_H + 6;
            double bottom = area.getMaxY() - MARGIN - 30;
            double left = area.getX() + MARGIN + 16 + tickW + 6;
            double right = area.getMaxX() - MARGIN - legendW;
            Rectangle2D plot = new Rectangle2D.Double(left, top, Math.max(10, right - left), Math.max(10,
                    bottom - top));
            java.util.function.DoubleUnaryOperator xOf = v -> plot.getX() + (v - xr[0]) / (xr[1] - xr[0])
                    * plot.getWidth();
            java.util.function.DoubleUnaryOperator yOf = v -> plot.getMaxY() - (v - yr[0]) / (yr[1] - yr[0])
                    * plot.getHeight();

            // grid and axes
            g.setStroke(FigureStyle.stroke(0.5));
            g.setPaint(FigureStyle.GRID);
            for (double t : yTicks) {
                FigureStyle.line(g, plot.getX(), yOf.applyAsDouble(t), plot.getMaxX(), yOf.applyAsDouble(t));
            }
            for (double t : xTicks) {
                FigureStyle.line(g, xOf.applyAsDouble(t), plot.getY(), xOf.applyAsDouble(t), plot.getMaxY());
            }
            g.setStroke(FigureStyle.stroke(0.7));
            g.setPaint(FigureStyle.AXIS);
            FigureStyle.line(g, plot.getX(), plot.getY(), plot.getX(), plot.getMaxY());
            FigureStyle.line(g, plot.getX(), plot.getMaxY(), plot.getMaxX(), plot.getMaxY());
            g.setFont(FigureStyle.TICK);
            for (double t : yTicks) {
                double yy = yOf.applyAsDouble(t);
                g.setPaint(FigureStyle.AXIS);
                FigureStyle.line(g, plot.getX() - 3, yy, plot.getX(), yy);
                g.setPaint(FigureStyle.INK);
                FigureStyle.text(g, FigureStyle.number(t), plot.getX() - 5, yy, Anchor.RIGHT);
            }
            for (double t : xTicks) {
                double xx = xOf.applyAsDouble(t);
                g.setPaint(FigureStyle.AXIS);
                FigureStyle.line(g, xx, plot.getMaxY(), xx, plot.getMaxY() + 3);
                g.setPaint(FigureStyle.INK);
                FigureStyle.text(g, FigureStyle.number(t), xx, plot.getMaxY() + 9, Anchor.CENTER);
            }
            g.setFont(FigureStyle.LABEL);
            FigureStyle.text(g, xLabel, plot.getCenterX(), bottom + 24, Anchor.CENTER);
            FigureStyle.textUp(g, yLabel, area.getX() + MARGIN + 5, plot.getCenterY(), Anchor.CENTER);

            java.awt.Shape oldClip = g.getClip();
            g.clip(plot);
            Fit fit = regression ? fit() : null;
            if (fit != null) {
                g.setPaint(FigureStyle.AXIS);
                g.setStroke(new java.awt.BasicStroke(1f, java.awt.BasicStroke.CAP_BUTT,
                        java.awt.BasicStroke.JOIN_MITER, 10f, new float[] {4f, 3f}, 0f));
                FigureStyle.line(g, xOf.applyAsDouble(xr[0]), yOf.applyAsDouble(fit.intercept() + fit.slope() * xr[0]),
                        xOf.applyAsDouble(xr[1]), yOf.applyAsDouble(fit.intercept() + fit.slope() * xr[1]));
            }
            // error bars, points, then names over them
            g.setStroke(FigureStyle.stroke(0.8));
            for (Point p : points) {
                if (!Double.isFinite(p.x()) || !Double.isFinite(p.y()) || !Double.isFinite(p.yStd())) {
                    continue;
                }
                g.setPaint(colours.get(key(p)));
                double xx = xOf.applyAsDouble(p.x());
                FigureStyle.line(g, xx, yOf.applyAsDouble(p.y() - p.yStd()), xx, yOf.applyAsDouble(p.y() + p.yStd()));
            }
            for (Point p : points) {
                if (!Double.isFinite(p.x()) || !Double.isFinite(p.y())) {
                    continue;
                }
                double xx = xOf.applyAsDouble(p.x());
                double yy = yOf.applyAsDouble(p.y());
                if (p.unresolved()) { // resolved nothing (LlcResolution): hollow, in its colour
                    g.setPaint(Color.WHITE);
                    g.fill(new Ellipse2D.Double(xx - 3, yy - 3, 6, 6));
                    g.setPaint(colours.get(key(p)));
                    g.setStroke(FigureStyle.stroke(1.2));
                    g.draw(new Ellipse2D.Double(xx - 3, yy - 3, 6, 6));
                    continue;
                }
                g.setPaint(colours.get(key(p)));
                g.fill(new Ellipse2D.Double(xx - 3, yy - 3, 6, 6));
                g.setPaint(FigureStyle.INK);
                g.setStroke(FigureStyle.stroke(0.4));
                g.draw(new Ellipse2D.Double(xx - 3, yy - 3, 6, 6));
            }
            g.setFont(FigureStyle.TICK);
            g.setPaint(FigureStyle.INK);
            // with many points only the outermost are named (the CSV names them all): a thousand names are ink
            double cx = 0;
            double cy = 0;
            int finite = 0;
            for (Point p : points) {
                if (Double.isFinite(p.x()) && Double.isFinite(p.y())) {
                    cx += xOf.applyAsDouble(p.x());
                    cy += yOf.applyAsDouble(p.y());
                    finite++;
                }
            }
            double mx = finite == 0 ? 0 : cx / finite;
            double my = finite == 0 ? 0 : cy / finite;
            List<Point> named = points.stream().filter(p -> Double.isFinite(p.x()) && Double.isFinite(p.y()))
                    .sorted(java.util.Comparator.comparingDouble((Point p) -> -Math.hypot(
                            xOf.applyAsDouble(p.x()) - mx, yOf.applyAsDouble(p.y()) - my)))
                    .limit(MAX_NAMED).toList();
            for (Point p : named) {
                FigureStyle.text(g, p.name(), xOf.applyAsDouble(p.x()) + 4.5, yOf.applyAsDouble(p.y()) - 5,
                        Anchor.LEFT);
            }
            g.setClip(oldClip);
            if (fit != null) {
                g.setFont(FigureStyle.TICK);
                g.setPaint(FigureStyle.AXIS);
                FigureStyle.text(g, String.format(Locale.ROOT, "least squares: slope %s, r = %s, n = %d",
                        FigureStyle.number(fit.slope()), Double.isNaN(fit.r()) ? "–" : String.format(Locale.ROOT,
                        "%.2f", fit.r()), fit.n()), plot.getMaxX() - 4, plot.getY() + 7, Anchor.RIGHT);
            }
            if (legend) {
                double lx = plot.getMaxX() + 12;
                double ly = top + 4;
                g.setFont(FigureStyle.LABEL);
                for (Map.Entry<String, Color> e : colours.entrySet()) {
                    g.setPaint(e.getValue());
                    g.fill(new Ellipse2D.Double(lx + 4, ly - 3, 6, 6));
                    g.setPaint(FigureStyle.INK);
                    FigureStyle.text(g, e.getKey().isEmpty() ? "unlabelled" : e.getKey(), lx + 16, ly, Anchor.LEFT);
                    ly += 14;
                }
            }
        } finally {
            g.dispose();
        }
    }

    /** The data range of x or y (y with its error bars), padded by 8 %; a single value is widened. */
    private double[] range(boolean x) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Point p : points) {
            double v = x ? p.x() : p.y();
            if (!Double.isFinite(v) || !Double.isFinite(x ? p.y() : p.x())) {
                continue;
            }
            double d = !x && Double.isFinite(p.yStd()) ? p.yStd() : 0;
            lo = Math.min(lo, v - d);
            hi = Math.max(hi, v + d);
        }
        if (lo > hi) {
            return new double[] {0, 1};
        }
        if (lo == hi) {
            double w = Math.max(0.5, Math.abs(lo) * 0.1);
            return new double[] {lo - w, hi + w};
        }
        double pad = (hi - lo) * 0.08;
        return new double[] {lo - pad, hi + pad};
    }

    /** Labels as a list of legend keys, for tests. */
    List<String> legendKeys() {
        return new ArrayList<>(legendColours().keySet());
    }
}
