package org.headlab.core.figure;

import java.awt.Color;
import java.awt.Dimension;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.headlab.core.analysis.HierarchicalClustering;
import org.headlab.core.figure.FigureStyle.Anchor;

/**
 * The tree of a hierarchical clustering of the heads' curves: leaves (heads, named and coloured by label) along
 * the bottom in dendrogram order, each merge a bracket at its height, a dashed line where the tree is cut into the
 * chosen k clusters. The CSV holds the merges (SciPy's linkage-matrix convention).
 */
public final class DendrogramFigure implements Figure {
    private static final double MARGIN = 8;
    private static final double TITLE_H = 18;

    private final String title;
    private final HierarchicalClustering.Tree tree;
    private final Map<String, String> labelOf;
    private final int k;
    private final Provenance provenance;
    private final Map<String, Color> labelColours;

    /**
     * @param labelOf label per leaf name (null or missing: unlabelled)
     * @param k the cut drawn as a dashed line (≤ 1: none)
     */
    public DendrogramFigure(String title, HierarchicalClustering.Tree tree, Map<String, String> labelOf, int k,
            Provenance provenance, Map<String, Color> labelColours) {
        this.title = title;
        this.tree = tree;
        this.labelOf = labelOf == null ? Map.of() : new HashMap<>(labelOf);
        this.k = k;
        this.provenance = provenance;
        this.labelColours = labelColours == null ? Map.of() : Map.copyOf(labelColours);
    }

    @Override
    public String title() {
        return title;
    }

    @Override
    public Provenance provenance() {
        return provenance;
    }

    /** The tree drawn. */
    public HierarchicalClustering.Tree tree() {
        return tree;
    }

    public DendrogramFigure withProvenance(Provenance p) {
        return new DendrogramFigure(title, tree, labelOf, k, p, labelColours);
    }

    @Override
    public Dimension preferredSize() {
        return new Dimension(Math.max(360, 24 * tree.leaves().size() + 120), 300);
    }

    @Override
    public DataTable data() {
        DataTable.Builder t = DataTable.builder("merge", "left", "right", "height", "size", "left_name", "right_name");
        int n = tree.leaves().size();
        for (int i = 0; i < tree.merges().size(); i++) {
            HierarchicalClustering.Merge m = tree.merges().get(i);
            t.row(n + i, m.left(), m.right(), m.height(), m.size(), name(m.left()), name(m.right()));
        }
        return t.build();
    }

    private String name(int node) {
        return node < tree.leaves().size() ? tree.leaves().get(node) : "merge " + (node - tree.leaves().size());
    }

    private Map<String, Color> legendColours() {
        Map<String, Color> m = new LinkedHashMap<>();
        int i = 0;
        for (String leaf : tree.leaves()) {
            String key = labelOf.getOrDefault(leaf, "");
            if (key != null && !key.isEmpty() && !m.containsKey(key)) {
                Color fixed = labelColours.get(key);
                m.put(key, fixed != null ? fixed : FigureStyle.palette(i++));
            }
        }
        return m;
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
            g.setFont(FigureStyle.LABEL);
            double legendW = 0;
            for (String key : colours.keySet()) {
                legendW = Math.max(legendW, FigureStyle.width(g, key) + 30);
            }
            int n = tree.leaves().size();
            double top = tree.merges().get(tree.merges().size() - 1).height();
            List<Double> ticks = FigureStyle.niceTicks(0, top, 5);
            double yMax = Math.max(top, ticks.get(ticks.size() - 1));
            g.setFont(FigureStyle.TICK);
            double tickW = 0;
            for (double t : ticks) {
                tickW = Math.max(tickW, FigureStyle.width(g, FigureStyle.number(t)));
            }
            Rectangle2D plot = new Rectangle2D.Double(area.getX() + MARGIN + 16 + tickW + 6,
                    area.getY() + MARGIN + TITLE_H + 6, 0, 0);
            plot.setRect(plot.getX(), plot.getY(), Math.max(10, area.getMaxX() - MARGIN - legendW - plot.getX()),
                    Math.max(10, area.getMaxY() - MARGIN - 34 - plot.getY()));
            java.util.function.DoubleUnaryOperator yOf = v -> plot.getMaxY() - v / yMax * plot.getHeight();
            List<Integer> order = tree.order();
            double[] x = new double[2 * n - 1];
            double[] h = new double[2 * n - 1];
            for (int i = 0; i < n; i++) {
                x[order.get(i)] = plot.getX() + (i + 0.5) * plot.getWidth() / n;
            }
            // axis and ticks
            g.setStroke(FigureStyle.stroke(0.5));
            for (double t : ticks) {
                double yy = yOf.applyAsDouble(t);
                g.setPaint(FigureStyle.GRID);
                FigureStyle.line(g, plot.getX(), yy, plot.getMaxX(), yy);
                g.setPaint(FigureStyle.INK);
                FigureStyle.text(g, FigureStyle.number(t), plot.getX() - 5, yy, Anchor.RIGHT);
            }
            g.setPaint(FigureStyle.AXIS);
            g.setStroke(FigureStyle.stroke(0.7));
            FigureStyle.line(g, plot.getX(), plot.getY(), plot.getX(), plot.getMaxY());
            g.setFont(FigureStyle.LABEL);
            FigureStyle.textUp(g, "merge height (" + (tree.linkage() == HierarchicalClustering.Linkage.WARD
                    ? "Ward" : "average linkage") + ")", area.getX() + MARGIN + 5, plot.getCenterY(), Anchor.CENTER);
            // brackets
            g.setStroke(FigureStyle.stroke(1.0));
            g.setPaint(FigureStyle.INK);
            for (int i = 0; i < tree.merges().size(); i++) {
                HierarchicalClustering.Merge m = tree.merges().get(i);
                int u = n + i;
                h[u] = m.height();
                x[u] = (x[m.left()] + x[m.right()]) / 2;
                double yu = yOf.applyAsDouble(m.height());
                FigureStyle.line(g, x[m.left()], yOf.applyAsDouble(h[m.left()]), x[m.left()], yu);
                FigureStyle.line(g, x[m.right()], yOf.applyAsDouble(h[m.right()]), x[m.right()], yu);
                FigureStyle.line(g, x[m.left()], yu, x[m.right()], yu);
            }
            if (k > 1 && k <= n) {
                // the cut: between the heights of merge n−k−1 (the last kept) and n−k (the first undone)
                double lo = n - k - 1 >= 0 ? tree.merges().get(n - k - 1).height() : 0;
                double cut = (lo + tree.merges().get(n - k).height()) / 2;
                g.setPaint(FigureStyle.PROBLEM);
                g.setStroke(new java.awt.BasicStroke(1f, java.awt.BasicStroke.CAP_BUTT,
                        java.awt.BasicStroke.JOIN_MITER, 10f, new float[] {4f, 3f}, 0f));
                FigureStyle.line(g, plot.getX(), yOf.applyAsDouble(cut), plot.getMaxX(), yOf.applyAsDouble(cut));
                g.setFont(FigureStyle.TICK);
                FigureStyle.text(g, k + " clusters", plot.getMaxX() - 2, yOf.applyAsDouble(cut) - 6, Anchor.RIGHT);
            }
            // leaves
            g.setFont(FigureStyle.TICK);
            for (int i = 0; i < n; i++) {
                String leaf = tree.leaves().get(i);
                String label = labelOf.get(leaf);
                Color c = label == null ? FigureStyle.INK : colours.getOrDefault(label, FigureStyle.INK);
                g.setPaint(c);
                g.fill(new java.awt.geom.Ellipse2D.Double(x[i] - 2.5, plot.getMaxY() - 2.5, 5, 5));
                FigureStyle.text(g, leaf, x[i], plot.getMaxY() + 10, Anchor.CENTER);
            }
            // legend
            double ly = plot.getY() + 4;
            g.setFont(FigureStyle.LABEL);
            for (Map.Entry<String, Color> e : colours.entrySet()) {
                g.setPaint(e.getValue());
                g.fill(new java.awt.geom.Ellipse2D.Double(plot.getMaxX() + 10, ly - 3, 6, 6));
                g.setPaint(FigureStyle.INK);
                FigureStyle.text(g, e.getKey(), plot.getMaxX() + 20, ly, Anchor.LEFT);
                ly += 14;
            }
        } finally {
            g.dispose();
        }
    }
}
