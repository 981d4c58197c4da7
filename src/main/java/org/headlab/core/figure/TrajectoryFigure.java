package org.headlab.core.figure;

import java.awt.AlphaComposite;
import java.awt.Color;
import java.awt.Composite;
import java.awt.Dimension;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.headlab.core.figure.FigureStyle.Anchor;

/**
 * Curves over training: x = training step (log axis by default), y = a per-step estimate such as a head's rLLC,
 * an ablation loss or a pattern score, each with an optional ± std band. Series are coloured by their label (a
 * head type, a cluster, a dataset), with shades within one label and one legend entry per label; optional shaded
 * stage bands. Series can be split into panels (e.g. one per layer) that share the y axis.
 *
 * <p>Step 0 on a log axis: it has no position, so it gets its own slot left of the first decade, separated by an
 * axis break, instead of being dropped.
 */
public final class TrajectoryFigure implements Figure {
    private static final double MARGIN = 8;
    private static final double TITLE_H = 18;
    private static final double ZERO_SLOT = 16;

    /**
     * One curve. {@code std} may be null (no band); NaN values leave a gap. {@code label} picks the colour and the
     * legend entry (null: the name is the label); {@code panel} groups curves into panels (null: one panel).
     */
    public record Series(String name, String label, String panel, double[] steps, double[] mean, double[] std,
            boolean[] unresolved) {
        public Series {
            Objects.requireNonNull(name, "name");
            if (steps.length != mean.length || (std != null && std.length != mean.length)
                    || (unresolved != null && unresolved.length != mean.length)) {
                throw new IllegalArgumentException("series '" + name + "': steps, mean, std and unresolved differ"
                        + " in length");
            }
        }

        public Series(String name, String label, String panel, double[] steps, double[] mean, double[] std) {
            this(name, label, panel, steps, mean, std, null);
        }

        /**
         * The same curve with some points marked as not resolved (e.g. an rLLC at the noise floor,
         * {@code LlcResolution}): they are drawn as hollow markers, never like a good point; null: none.
         */
        public Series withUnresolved(boolean[] marks) {
            return new Series(name, label, panel, steps, mean, std, marks);
        }

        boolean unresolved(int i) {
            return unresolved != null && unresolved[i];
        }

        boolean anyUnresolved() {
            if (unresolved != null) {
                for (boolean u : unresolved) {
                    if (u) {
                        return true;
                    }
                }
            }
            return false;
        }

        public static Series of(String name, String label, double[] steps, double[] mean, double[] std) {
            return new Series(name, label, null, steps, mean, std);
        }

        String legendKey() {
            return label != null ? label : name;
        }
    }

    /**
     * A training stage shaded from {@code fromStep} to {@code toStep}, named at the top of the plot. {@code kind}
     * (e.g. "rising", "falling", "flat", from {@code StageDetector.Kind#word()}) picks the band's colour and its
     * legend entry; null: bands are shaded alternately in grey, with no legend entry.
     */
    public record Stage(String name, double fromStep, double toStep, String kind) {
        public Stage(String name, double fromStep, double toStep) {
            this(name, fromStep, toStep, null);
        }
    }

    /** Band colours by stage kind: warm for rising, cool for falling, grey for flat (light: the curves go over them). */
    static final Map<String, Color> STAGE_COLOURS = Map.of(
            "rising", new Color(0xFBE3C6), "falling", new Color(0xD5E5F3), "flat", new Color(0xECECEC));

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series;
    private final List<Stage> stages;
    private final boolean logX;
    private final Provenance provenance;
    private final Map<String, Color> labelColours;
    private final java.util.Set<String> emphasised;
    private final Double markerStep;
    private volatile List<PanelGeometry> lastGeometry = List.of();
    private String stageCaption = "stage";

    /** Where one panel was drawn by the last {@link #draw}: for hit tests on screen. */
    private record PanelGeometry(String name, Rectangle2D plot, XAxis ax, double[] yRange, List<Series> members) {
    }

    /**
     * What lies under a point of the last drawing: the panel, the curve nearest to the point (its distance in
     * points, to the drawn line) and the step of that curve nearest in x, with its value.
     */
    public record Pick(String panel, String series, String label, double step, double mean, double std,
            double distance, boolean unresolved) {
    }

    public TrajectoryFigure(String title, String xLabel, String yLabel, List<Series> series, List<Stage> stages,
            boolean logX, Provenance provenance) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.series = List.copyOf(series);
        this.stages = stages == null ? List.of() : List.copyOf(stages);
        this.logX = logX;
        this.provenance = provenance;
        this.labelColours = Map.of();
        this.emphasised = java.util.Set.of();
        this.markerStep = null;
    }

    private TrajectoryFigure(TrajectoryFigure f, Map<String, Color> labelColours, java.util.Set<String> emphasised,
            Double markerStep) {
        this(f, f.stages, f.provenance, labelColours, emphasised, markerStep);
    }

    private TrajectoryFigure(TrajectoryFigure f, List<Stage> stages, Provenance provenance,
            Map<String, Color> labelColours, java.util.Set<String> emphasised, Double markerStep) {
        this.title = f.title;
        this.xLabel = f.xLabel;
        this.yLabel = f.yLabel;
        this.series = f.series;
        this.stages = stages == null ? List.of() : List.copyOf(stages);
        this.stageCaption = f.stageCaption;
        this.logX = f.logX;
        this.provenance = provenance;
        this.labelColours = labelColours == null ? Map.of() : Map.copyOf(labelColours);
        this.emphasised = java.util.Set.copyOf(emphasised);
        this.markerStep = markerStep;
    }

    /**
     * The same figure with fixed base colours for some labels (e.g. a head-label class's own colour; labels not in
     * the map take the palette), one series drawn emphasised over the others (null: none) and a vertical marker
     * line at a step (null: none). The data and the CSV are unchanged.
     */
    public TrajectoryFigure styled(Map<String, Color> labelColours, String emphasisedSeries, Double markerStep) {
        return styledEmphasising(labelColours, emphasisedSeries == null ? java.util.Set.of()
                : java.util.Set.of(emphasisedSeries), markerStep);
    }

    /** As {@link #styled(Map, String, Double)} with several series drawn emphasised (a head and its match). */
    public TrajectoryFigure styledEmphasising(Map<String, Color> labelColours, java.util.Set<String> emphasisedSeries,
            Double markerStep) {
        return new TrajectoryFigure(this, labelColours, emphasisedSeries, markerStep);
    }

    /** The same figure (style kept) with these stage bands behind the curves. */
    public TrajectoryFigure withStages(List<Stage> newStages) {
        return withStages(newStages, "stage");
    }

    /**
     * The same figure with these stage bands, their legend entries reading "{@code caption}: kind" (e.g. "stages of
     * the loss: falling", so a reader knows which curve the bands were found on).
     */
    public TrajectoryFigure withStages(List<Stage> newStages, String caption) {
        TrajectoryFigure f = new TrajectoryFigure(this, newStages, provenance, labelColours, emphasised, markerStep);
        f.stageCaption = caption == null ? "stage" : caption;
        return f;
    }

    /** The same figure (style kept) with another provenance, e.g. one completed with checkpoint hashes. */
    public TrajectoryFigure withProvenance(Provenance newProvenance) {
        return new TrajectoryFigure(this, stages, newProvenance, labelColours, emphasised, markerStep);
    }

    public List<Series> series() {
        return series;
    }

    public List<Stage> stages() {
        return stages;
    }

    /**
     * The curve nearest to ({@code x}, {@code y}) in the coordinates of the last {@link #draw} (on screen: canvas
     * pixels), within the panel under x; empty when nothing has been drawn or x is in no panel.
     */
    public java.util.Optional<Pick> pick(double x, double y) {
        for (PanelGeometry pg : lastGeometry) {
            Rectangle2D r = pg.plot();
            if (x < r.getX() - 6 || x > r.getMaxX() + 6 || y < r.getY() - 6 || y > r.getMaxY() + 6) {
                continue;
            }
            double[] yr = pg.yRange();
            java.util.function.DoubleUnaryOperator yOf = v -> r.getMaxY() - (v - yr[0]) / (yr[1] - yr[0])
                    * r.getHeight();
            Pick best = null;
            for (Series s : pg.members()) {
                double dist = Double.POSITIVE_INFINITY;
                int nearest = -1;
                double nearestDx = Double.POSITIVE_INFINITY;
                double px = Double.NaN;
                double py = Double.NaN;
                for (int i = 0; i < s.steps().length; i++) {
                    double sx = pg.ax().x(s.steps()[i]);
                    double m = s.mean()[i];
                    if (Double.isNaN(sx) || Double.isNaN(m)) {
                        px = Double.NaN;
                        continue;
                    }
                    double sy = yOf.applyAsDouble(m);
                    dist = Math.min(dist, Double.isNaN(px) ? Math.hypot(x - sx, y - sy)
                            : java.awt.geom.Line2D.ptSegDist(px, py, sx, sy, x, y));
                    if (Math.abs(x - sx) < nearestDx) {
                        nearestDx = Math.abs(x - sx);
                        nearest = i;
                    }
                    px = sx;
                    py = sy;
                }
                if (nearest >= 0 && (best == null || dist < best.distance())) {
                    best = new Pick(pg.name(), s.name(), s.label(), s.steps()[nearest], s.mean()[nearest],
                            s.std() == null ? Double.NaN : s.std()[nearest], dist, s.unresolved(nearest));
                }
            }
            if (best != null) {
                return java.util.Optional.of(best);
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * The training step under ({@code x}, {@code y}) in the coordinates of the last {@link #draw} (the inverse of
     * the x axis; the step-0 slot of a log axis reads as 0); empty when nothing has been drawn or the point is in
     * no plot.
     */
    public java.util.OptionalDouble stepAt(double x, double y) {
        for (PanelGeometry pg : lastGeometry) {
            Rectangle2D r = pg.plot();
            if (x < r.getX() || x > r.getMaxX() || y < r.getY() || y > r.getMaxY()) {
                continue;
            }
            XAxis ax = pg.ax();
            if (logX) {
                if (ax.zeroSlot && x < ax.plotLeft()) {
                    return java.util.OptionalDouble.of(0);
                }
                return java.util.OptionalDouble.of(Math.pow(10, ax.lo + (x - ax.plotLeft()) / (ax.right
                        - ax.plotLeft()) * (ax.hi - ax.lo)));
            }
            return java.util.OptionalDouble.of(ax.lo + (x - ax.left) / (ax.right - ax.left) * (ax.hi - ax.lo));
        }
        return java.util.OptionalDouble.empty();
    }

    @Override
    public String title() {
        return title;
    }

    @Override
    public Provenance provenance() {
        return provenance;
    }

    /**
     * 260 points of plot per panel, plus the legend's own width beside them: a long legend (the stage kinds, the
     * hollow-marker note) widens the figure instead of squeezing the plot.
     */
    @Override
    public Dimension preferredSize() {
        int panels = panels().size();
        java.awt.image.BufferedImage scratch = new java.awt.image.BufferedImage(1, 1,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scratch.createGraphics();
        double legend;
        try {
            FigureStyle.prepare(g);
            legend = legendWidth(g, legendEntries());
        } finally {
            g.dispose();
        }
        return new Dimension((int) Math.max(420, Math.ceil(120 + panels * 260 + legend)), 280);
    }

    @Override
    public DataTable data() {
        DataTable.Builder t = DataTable.builder("panel", "series", "label", "step", "mean", "std");
        for (Series s : series) {
            for (int i = 0; i < s.steps().length; i++) {
                t.row(s.panel(), s.name(), s.label(), s.steps()[i], s.mean()[i],
                        s.std() == null ? null : s.std()[i]);
            }
        }
        return t.build();
    }

    private Map<String, List<Series>> panels() {
        Map<String, List<Series>> m = new LinkedHashMap<>();
        for (Series s : series) {
            m.computeIfAbsent(s.panel() == null ? "" : s.panel(), k -> new ArrayList<>()).add(s);
        }
        if (m.isEmpty()) {
            m.put("", List.of());
        }
        return m;
    }

    /** Colour per series: labels in order of first appearance get the palette, series within a label shades. */
    private Map<Series, Color> colours(Map<String, Color> legend) {
        Map<String, List<Series>> byLabel = new LinkedHashMap<>();
        for (Series s : series) {
            byLabel.computeIfAbsent(s.legendKey(), k -> new ArrayList<>()).add(s);
        }
        Map<Series, Color> c = new java.util.IdentityHashMap<>();
        int i = 0;
        for (Map.Entry<String, List<Series>> e : byLabel.entrySet()) {
            Color fixed = labelColours.get(e.getKey());
            Color base = fixed != null ? fixed : FigureStyle.palette(i++);
            legend.put(e.getKey(), base);
            List<Series> members = e.getValue();
            for (int j = 0; j < members.size(); j++) {
                c.put(members.get(j), FigureStyle.shade(base, j, members.size()));
            }
        }
        return c;
    }

    /** Maps steps to x within a plot, with the step-0 slot on a log axis. */
    private final class XAxis {
        final double left;
        final double right;
        final double lo;
        final double hi;
        final boolean zeroSlot;

        XAxis(double left, double right, Frame frame) {
            Frame extent = frame != null ? frame : stepExtent();
            double min = extent.minStep();
            double max = extent.maxStep();
            if (min > max) {
                min = logX ? 1 : 0;
                max = logX ? 10 : 1;
            }
            this.zeroSlot = extent.zeroStep();
            this.left = left;
            this.right = right;
            if (logX) {
                double a = Math.log10(min);
                double b = Math.log10(max);
                double pad = Math.max(0.05, (b - a) * 0.03);
                lo = a - pad;
                hi = b + pad;
            } else {
                double pad = (max - min) * 0.03;
                lo = min - pad;
                hi = max + (pad > 0 ? pad : 1);
            }
        }

        double plotLeft() {
            return zeroSlot ? left + ZERO_SLOT : left;
        }

        /** NaN for a step that cannot be shown (negative on a log axis). */
        double x(double step) {
            if (logX) {
                if (step == 0 && zeroSlot) {
                    return left + ZERO_SLOT * 0.4;
                }
                if (step <= 0) {
                    return Double.NaN;
                }
                return plotLeft() + (Math.log10(step) - lo) / (hi - lo) * (right - plotLeft());
            }
            return left + (step - lo) / (hi - lo) * (right - left);
        }

        /** x of a stage boundary, clamped into the plot; step 0 maps to the plot's left edge. */
        double boundary(double step) {
            if (logX && step <= 0) {
                return left;
            }
            return Math.max(left, Math.min(right, x(step)));
        }
    }

    /**
     * How a figure drawn in a stack with others is laid out so that their x axes line up (see {@link
     * StackedFigure}): the step range shown, whether step 0 has its slot on a log axis, the width of the y tick
     * labels and of the legend, in points.
     */
    record Frame(double minStep, double maxStep, boolean zeroStep, double tickWidth, double legendWidth) {
        /** The frame that holds both: the wider step range and the wider gutters. */
        Frame union(Frame o) {
            return new Frame(Math.min(minStep, o.minStep), Math.max(maxStep, o.maxStep), zeroStep || o.zeroStep,
                    Math.max(tickWidth, o.tickWidth), Math.max(legendWidth, o.legendWidth));
        }
    }

    /** The steps the series span (gutters 0): on a log axis, steps ≤ 0 are left out and step 0 is noted. */
    private Frame stepExtent() {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        boolean zero = false;
        for (Series s : series) {
            for (double x : s.steps()) {
                if (logX && x <= 0) {
                    zero |= x == 0;
                    continue;
                }
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
        }
        return new Frame(min, max, zero, 0, 0);
    }

    /** The frame this figure takes when drawn alone: its steps, its tick labels' width, its legend's width. */
    Frame naturalFrame(Graphics2D g0) {
        Graphics2D g = (Graphics2D) g0.create();
        try {
            FigureStyle.prepare(g);
            Frame steps = stepExtent();
            return new Frame(steps.minStep(), steps.maxStep(), steps.zeroStep(), tickWidth(g, yRange()),
                    legendWidth(g, legendEntries()));
        } finally {
            g.dispose();
        }
    }

    private Map<String, Color> legendEntries() {
        Map<String, Color> legend = new LinkedHashMap<>();
        colours(legend);
        return legend;
    }

    /** The legend on the right, as wide as its longest entry; 0 when there is nothing to tell apart. */
    private double legendWidth(Graphics2D g, Map<String, Color> legend) {
        g.setFont(FigureStyle.LABEL);
        double legendW = 0;
        for (String k : legend.keySet()) {
            legendW = Math.max(legendW, FigureStyle.width(g, k));
        }
        Map<String, Color> stageLegend = stageLegend();
        for (String k : stageLegend.keySet()) {
            legendW = Math.max(legendW, FigureStyle.width(g, k));
        }
        boolean hollow = series.stream().anyMatch(Series::anyUnresolved);
        if (hollow) {
            legendW = Math.max(legendW, FigureStyle.width(g, UNRESOLVED_LEGEND));
        }
        return legend.size() <= 1 && legend.keySet().stream().allMatch(k -> k.equals(yLabel))
                && stageLegend.isEmpty() && !hollow ? 0 : legendW + 32;
    }

    private static double tickWidth(Graphics2D g, double[] y) {
        g.setFont(FigureStyle.TICK);
        double tickW = 0;
        for (double t : FigureStyle.niceTicks(y[0], y[1], 5)) {
            tickW = Math.max(tickW, FigureStyle.width(g, FigureStyle.number(t)));
        }
        return tickW;
    }

    @Override
    public void draw(Graphics2D g0, Rectangle2D area) {
        draw(g0, area, null);
    }

    /** Draws the figure in {@code area}; a non-null {@code frame} fixes the step range and the gutters. */
    void draw(Graphics2D g0, Rectangle2D area, Frame frame) {
        Graphics2D g = (Graphics2D) g0.create();
        try {
            FigureStyle.prepare(g);
            FigureStyle.fillBackground(g, area);
            Map<String, Color> legend = new LinkedHashMap<>();
            Map<Series, Color> colour = colours(legend);

            g.setFont(FigureStyle.TITLE);
            g.setPaint(FigureStyle.INK);
            FigureStyle.text(g, title, area.getX() + MARGIN, area.getY() + MARGIN + TITLE_H / 2 - 2, Anchor.LEFT);

            Map<String, Color> stageLegend = stageLegend();
            boolean hollow = series.stream().anyMatch(Series::anyUnresolved);
            double legendW = frame != null ? frame.legendWidth() : legendWidth(g, legend);
            double[] y = yRange();
            List<Double> yTicks = FigureStyle.niceTicks(y[0], y[1], 5);
            double tickW = frame != null ? frame.tickWidth() : tickWidth(g, y);
            Map<String, List<Series>> panels = panels();
            boolean panelTitles = panels.size() > 1 || !panels.keySet().iterator().next().isEmpty();
            double top = area.getY() + MARGIN + TITLE_H + (panelTitles ? 14 : 4);
            double bottom = area.getMaxY() - MARGIN - 30;
            double left = area.getX() + MARGIN + 16 + tickW + 6;
            double right = area.getMaxX() - MARGIN - legendW;
            double gap = 14;
            double panelW = (right - left - (panels.size() - 1) * gap) / panels.size();

            int p = 0;
            List<PanelGeometry> geometry = new ArrayList<>();
            for (Map.Entry<String, List<Series>> e : panels.entrySet()) {
                double pl = left + p * (panelW + gap);
                Rectangle2D plot = new Rectangle2D.Double(pl, top, panelW, bottom - top);
                drawPanel(g, plot, e.getValue(), colour, y, yTicks, p == 0, frame);
                geometry.add(new PanelGeometry(e.getKey(), plot, new XAxis(plot.getX(), plot.getMaxX(), frame), y,
                        e.getValue()));
                if (panelTitles) {
                    g.setFont(FigureStyle.LABEL);
                    g.setPaint(FigureStyle.INK);
                    FigureStyle.text(g, e.getKey(), plot.getCenterX(), top - 8, Anchor.CENTER);
                }
                p++;
            }
            lastGeometry = List.copyOf(geometry);
            g.setFont(FigureStyle.LABEL);
            g.setPaint(FigureStyle.INK);
            FigureStyle.text(g, xLabel + (logX ? " (log scale)" : ""), (left + right) / 2, bottom + 24,
                    Anchor.CENTER);
            FigureStyle.textUp(g, yLabel, area.getX() + MARGIN + 5, (top + bottom) / 2, Anchor.CENTER);
            if (legendW > 0) {
                double legendTop = top + 4;
                if (hollow) { // first: with many series the bottom of the legend may run out of room
                    double lx = right + 12 + 7;
                    Ellipse2D.Double o = new Ellipse2D.Double(lx - 2.4, legendTop - 2.4, 4.8, 4.8);
                    g.setPaint(FigureStyle.AXIS);
                    g.setStroke(FigureStyle.stroke(1.0));
                    g.draw(o);
                    g.setPaint(FigureStyle.INK);
                    g.setFont(FigureStyle.LABEL);
                    FigureStyle.text(g, UNRESOLVED_LEGEND, right + 12 + 18, legendTop, Anchor.LEFT);
                    legendTop += 20;
                }
                double below = drawLegend(g, legend, right + 12, legendTop);
                drawStageLegend(g, stageLegend, right + 12, below + 6);
            }
        } finally {
            g.dispose();
        }
    }

    private double[] yRange() {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.mean().length; i++) {
                double m = s.mean()[i];
                double d = s.std() == null || Double.isNaN(s.std()[i]) ? 0 : s.std()[i];
                if (Double.isNaN(m) || (logX && s.steps()[i] < 0)) {
                    continue;
                }
                lo = Math.min(lo, m - d);
                hi = Math.max(hi, m + d);
            }
        }
        if (lo > hi) {
            return new double[] {0, 1};
        }
        if (hi - lo <= 1e-9 * Math.max(Math.abs(lo), Math.abs(hi))) { // a constant, maybe with rounding noise
            return new double[] {lo - 0.5, hi + 0.5};
        }
        double pad = (hi - lo) * 0.05;
        return new double[] {lo - pad, hi + pad};
    }

    private void drawPanel(Graphics2D g, Rectangle2D plot, List<Series> members, Map<Series, Color> colour,
            double[] yr, List<Double> yTicks, boolean yLabels, Frame frame) {
        XAxis ax = new XAxis(plot.getX(), plot.getMaxX(), frame);
        double yTop = plot.getY();
        double yBottom = plot.getMaxY();
        java.util.function.DoubleUnaryOperator yOf = v -> yBottom - (v - yr[0]) / (yr[1] - yr[0]) * (yBottom - yTop);

        // stage bands, alternate ones shaded, names on top
        Shape oldClip = g.getClip();
        g.clip(plot);
        for (int i = 0; i < stages.size(); i++) {
            Stage st = stages.get(i);
            double x0 = ax.boundary(st.fromStep());
            double x1 = ax.boundary(st.toStep());
            Color band = stageColour(st, i);
            if (band != null && x1 > x0) {
                g.setPaint(band);
                g.fill(new Rectangle2D.Double(x0, yTop, x1 - x0, yBottom - yTop));
            }
        }
        // grid
        g.setStroke(FigureStyle.stroke(0.5));
        g.setPaint(FigureStyle.GRID);
        for (double t : yTicks) {
            FigureStyle.line(g, plot.getX(), yOf.applyAsDouble(t), plot.getMaxX(), yOf.applyAsDouble(t));
        }
        // bands, then lines over them
        Composite oldComposite = g.getComposite();
        for (Series s : members) {
            if (s.std() == null) {
                continue;
            }
            List<double[]> upper = new ArrayList<>();
            List<double[]> lower = new ArrayList<>();
            for (int i = 0; i < s.steps().length; i++) {
                double x = ax.x(s.steps()[i]);
                double m = s.mean()[i];
                double d = s.std()[i];
                if (Double.isNaN(x) || Double.isNaN(m) || Double.isNaN(d)) {
                    fillBand(g, upper, lower, colour.get(s));
                    upper.clear();
                    lower.clear();
                    continue;
                }
                upper.add(new double[] {x, yOf.applyAsDouble(m + d)});
                lower.add(new double[] {x, yOf.applyAsDouble(m - d)});
            }
            fillBand(g, upper, lower, colour.get(s));
        }
        g.setComposite(oldComposite);
        List<Series> ordered = new ArrayList<>(members);
        boolean emphasis = members.stream().anyMatch(s -> emphasised.contains(s.name()));
        if (emphasis) { // the emphasised curves last, over the others
            ordered.sort(java.util.Comparator.comparing(s -> emphasised.contains(s.name())));
        }
        if (markerStep != null) {
            double mx = ax.x(markerStep);
            if (!Double.isNaN(mx)) {
                g.setPaint(FigureStyle.AXIS);
                g.setStroke(new java.awt.BasicStroke(0.8f, java.awt.BasicStroke.CAP_BUTT,
                        java.awt.BasicStroke.JOIN_MITER, 10f, new float[] {3f, 2f}, 0f));
                FigureStyle.line(g, mx, yTop, mx, yBottom);
            }
        }
        for (Series s : ordered) {
            boolean strong = emphasis && emphasised.contains(s.name());
            boolean faint = emphasis && !strong;
            Path2D line = new Path2D.Double();
            boolean pen = false;
            int points = 0;
            for (int i = 0; i < s.steps().length; i++) {
                double x = ax.x(s.steps()[i]);
                double m = s.mean()[i];
                if (Double.isNaN(x) || Double.isNaN(m)) {
                    pen = false;
                    continue;
                }
                double yy = yOf.applyAsDouble(m);
                if (pen) {
                    line.lineTo(x, yy);
                } else {
                    line.moveTo(x, yy);
                    pen = true;
                }
                points++;
            }
            Color c = colour.get(s);
            Color ink = faint ? new Color(c.getRed(), c.getGreen(), c.getBlue(), 110) : c;
            g.setPaint(ink);
            g.setStroke(new java.awt.BasicStroke(strong ? 2.6f : 1.2f, java.awt.BasicStroke.CAP_ROUND,
                    java.awt.BasicStroke.JOIN_ROUND));
            g.draw(line);
            for (int i = 0; i < s.steps().length; i++) {
                double x = ax.x(s.steps()[i]);
                double m = s.mean()[i];
                if (Double.isNaN(x) || Double.isNaN(m)) {
                    continue;
                }
                if (s.unresolved(i)) {
                    // a point that resolved nothing: hollow, on every curve however dense
                    double r = strong ? 3.2 : 2.4;
                    Ellipse2D.Double o = new Ellipse2D.Double(x - r, yOf.applyAsDouble(m) - r, 2 * r, 2 * r);
                    g.setPaint(Color.WHITE); // the figure's background (FigureStyle.fillBackground)
                    g.fill(o);
                    g.setPaint(ink);
                    g.setStroke(FigureStyle.stroke(strong ? 1.4 : 1.0));
                    g.draw(o);
                } else if (points <= 30) {
                    double r = strong ? 2.6 : 1.6;
                    g.setPaint(ink);
                    g.fill(new Ellipse2D.Double(x - r, yOf.applyAsDouble(m) - r, 2 * r, 2 * r));
                }
            }
        }
        g.setClip(oldClip);
        // stage names
        g.setFont(FigureStyle.TICK);
        g.setPaint(FigureStyle.AXIS);
        for (Stage st : stages) {
            double x0 = ax.boundary(st.fromStep());
            double x1 = ax.boundary(st.toStep());
            if (st.name() != null && x1 - x0 > FigureStyle.width(g, st.name()) + 2) {
                FigureStyle.text(g, st.name(), (x0 + x1) / 2, yTop + 7, Anchor.CENTER);
            }
        }
        drawAxes(g, plot, ax, yOf, yTicks, yLabels);
    }

    private static void fillBand(Graphics2D g, List<double[]> upper, List<double[]> lower, Color c) {
        if (upper.size() < 2) {
            return;
        }
        Path2D band = new Path2D.Double();
        band.moveTo(upper.get(0)[0], upper.get(0)[1]);
        for (int i = 1; i < upper.size(); i++) {
            band.lineTo(upper.get(i)[0], upper.get(i)[1]);
        }
        for (int i = lower.size() - 1; i >= 0; i--) {
            band.lineTo(lower.get(i)[0], lower.get(i)[1]);
        }
        band.closePath();
        g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.2f));
        g.setPaint(c);
        g.fill(band);
        g.setComposite(AlphaComposite.SrcOver);
    }

    private void drawAxes(Graphics2D g, Rectangle2D plot, XAxis ax, java.util.function.DoubleUnaryOperator yOf,
            List<Double> yTicks, boolean yLabels) {
        double yBottom = plot.getMaxY();
        g.setStroke(FigureStyle.stroke(0.7));
        g.setPaint(FigureStyle.AXIS);
        FigureStyle.line(g, plot.getX(), plot.getY(), plot.getX(), yBottom);
        g.setFont(FigureStyle.TICK);
        for (double t : yTicks) {
            double yy = yOf.applyAsDouble(t);
            g.setPaint(FigureStyle.AXIS);
            FigureStyle.line(g, plot.getX() - 3, yy, plot.getX(), yy);
            if (yLabels) {
                g.setPaint(FigureStyle.INK);
                FigureStyle.text(g, FigureStyle.number(t), plot.getX() - 5, yy, Anchor.RIGHT);
            }
        }
        // x axis, with a break between the step-0 slot and the log range
        g.setPaint(FigureStyle.AXIS);
        if (ax.zeroSlot) {
            double bx = ax.left + ZERO_SLOT * 0.8;
            FigureStyle.line(g, plot.getX(), yBottom, bx - 2, yBottom);
            FigureStyle.line(g, bx + 2, yBottom, plot.getMaxX(), yBottom);
            FigureStyle.line(g, bx - 4, yBottom + 3, bx, yBottom - 3);
            FigureStyle.line(g, bx, yBottom + 3, bx + 4, yBottom - 3);
            tickX(g, ax.x(0), yBottom, "0", true);
        } else {
            FigureStyle.line(g, plot.getX(), yBottom, plot.getMaxX(), yBottom);
        }
        if (logX) {
            for (int d = (int) Math.floor(ax.lo); d <= Math.ceil(ax.hi); d++) {
                for (int m = 1; m <= 9; m++) {
                    double v = m * Math.pow(10, d);
                    double lv = Math.log10(v);
                    if (lv < ax.lo || lv > ax.hi) {
                        continue;
                    }
                    tickX(g, ax.x(v), yBottom, m == 1 ? FigureStyle.step(v) : null, m == 1);
                }
            }
        } else {
            for (double t : FigureStyle.niceTicks(ax.lo, ax.hi, 6)) {
                tickX(g, ax.x(t), yBottom, FigureStyle.step(t), true);
            }
        }
    }

    private static void tickX(Graphics2D g, double x, double y, String label, boolean major) {
        g.setPaint(FigureStyle.AXIS);
        FigureStyle.line(g, x, y, x, y + (major ? 3 : 1.8));
        if (label != null) {
            g.setPaint(FigureStyle.INK);
            FigureStyle.text(g, label, x, y + 9, Anchor.CENTER);
        }
    }

    /** Draws the series legend; returns the y below its last entry. */
    private static double drawLegend(Graphics2D g, Map<String, Color> legend, double x, double y) {
        g.setFont(FigureStyle.LABEL);
        double yy = y;
        for (Map.Entry<String, Color> e : legend.entrySet()) {
            g.setPaint(e.getValue());
            g.setStroke(FigureStyle.stroke(2));
            FigureStyle.line(g, x, yy, x + 14, yy);
            g.setPaint(FigureStyle.INK);
            FigureStyle.text(g, e.getKey(), x + 18, yy, Anchor.LEFT);
            yy += 14;
        }
        return yy;
    }

    /** "stage: rising" etc. for the kinds of the stages, in order of first appearance (none without kinds). */
    private Map<String, Color> stageLegend() {
        Map<String, Color> m = new LinkedHashMap<>();
        for (Stage st : stages) {
            if (st.kind() != null) {
                m.putIfAbsent(stageCaption + ": " + st.kind(), stageColour(st, 0));
            }
        }
        return m;
    }

    private static Color stageColour(Stage st, int index) {
        if (st.kind() == null) {
            return index % 2 == 0 ? FigureStyle.STAGE : null;
        }
        return STAGE_COLOURS.getOrDefault(st.kind(), FigureStyle.STAGE);
    }

    /** The legend entry of hollow markers ({@link Series#withUnresolved}). */
    static final String UNRESOLVED_LEGEND = "not resolved (noise floor, not a minimum)";

    /** Draws the stage legend; returns the y below its last entry. */
    private static double drawStageLegend(Graphics2D g, Map<String, Color> stageLegend, double x, double y) {
        g.setFont(FigureStyle.LABEL);
        double yy = y;
        for (Map.Entry<String, Color> e : stageLegend.entrySet()) {
            g.setPaint(e.getValue());
            g.fill(new Rectangle2D.Double(x, yy - 5, 14, 10));
            g.setPaint(FigureStyle.FRAME);
            g.setStroke(FigureStyle.stroke(0.4));
            g.draw(new Rectangle2D.Double(x, yy - 5, 14, 10));
            g.setPaint(FigureStyle.INK);
            FigureStyle.text(g, e.getKey(), x + 18, yy, Anchor.LEFT);
            yy += 14;
        }
        return yy;
    }
}
