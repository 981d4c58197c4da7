package org.headlab.core.figure;

import java.util.Map;

import java.util.LinkedHashMap;

import org.headlab.core.run.Run;

import java.awt.Color;
import java.awt.Dimension;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.font.FontRenderContext;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.headlab.core.data.TokenStructure;
import org.headlab.core.estimate.Head;
import org.headlab.core.figure.FigureStyle.Anchor;
import org.headlab.core.run.Run;
import org.headlab.core.session.AttentionResult;

/**
 * Attention maps as a figure, looking like the workbench's attention map: query tokens down the left, key tokens
 * along the top, white → deep blue by weight, the causal upper triangle grey, an orange depth strip beside the
 * query axis, an orange outline where a closing bracket's row meets its opening bracket's column, and a red dot at
 * a bracket problem. Either one head ({@link #head}) or small multiples of several heads, one row per layer
 * ({@link #layer}, {@link #allHeads}), with one shared colour bar. Each map is one nearest-neighbour image.
 */
public final class AttentionMapFigure implements Figure {
    private static final FontRenderContext FRC = new FontRenderContext(null, true, true);
    private static final double MARGIN = 8;
    private static final double TITLE_H = 18;
    private static final double DEPTH_STRIP = 5;
    private static final double BAR_W = 9;

    private final AttentionResult result;
    private final List<Head> heads; // in drawing order
    private final int columns;
    private final String title;
    private final Provenance provenance;
    private final BufferedImage[] images;
    private BufferedImage depthImage;

    private AttentionMapFigure(AttentionResult result, List<Head> heads, int columns, String title,
            Provenance provenance) {
        this.result = result;
        this.heads = heads;
        this.columns = columns;
        this.title = title;
        this.provenance = provenance;
        this.images = new BufferedImage[heads.size()];
    }

    /** One head's map. */
    /** Where an attention figure comes from: the run, the checkpoint and its hash, the input, the heads drawn. */
    public static Provenance provenance(Run run, AttentionResult r, List<String> heads) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("text", r.text());
        input.put("tokens", r.tokens());
        input.put("token_ids", r.tokenIds());
        return Provenance.builder()
                .run(run.name(), run.dir().toAbsolutePath().toString())
                .checkpoint(r.step(), run.contentHash(r.step()))
                .extra("view", "attention")
                .extra("heads", heads)
                .extra("input", input)
                .build();
    }

    public static AttentionMapFigure head(AttentionResult r, Head head, Provenance provenance) {
        check(r, head);
        return new AttentionMapFigure(r, List.of(head), 1,
                String.format(Locale.ROOT, "Attention of head %s at step %s", head, FigureStyle.step(r.step())),
                provenance);
    }

    /** All heads of one layer side by side. */
    public static AttentionMapFigure layer(AttentionResult r, int layer, Provenance provenance) {
        check(r, new Head(layer, 0));
        List<Head> hs = new ArrayList<>();
        for (int h = 0; h < r.heads(); h++) {
            hs.add(new Head(layer, h));
        }
        return new AttentionMapFigure(r, hs, r.heads(),
                String.format(Locale.ROOT, "Attention of layer %d at step %s", layer, FigureStyle.step(r.step())),
                provenance);
    }

    /** Every head of the model: one row per layer. */
    public static AttentionMapFigure allHeads(AttentionResult r, Provenance provenance) {
        return new AttentionMapFigure(r, Head.all(r.layers(), r.heads()), Math.max(1, r.heads()),
                String.format(Locale.ROOT, "Attention of every head at step %s", FigureStyle.step(r.step())),
                provenance);
    }

    private static void check(AttentionResult r, Head head) {
        if (head.layer() < 0 || head.layer() >= r.layers() || head.head() < 0 || head.head() >= r.heads()) {
            throw new IllegalArgumentException("no head " + head + " in a model of " + r.layers()
                    + " layers × " + r.heads() + " heads");
        }
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
        if (heads.size() == 1) {
            return new Dimension(400, 380);
        }
        int rows = (heads.size() + columns - 1) / columns;
        return new Dimension(Math.max(360, 80 + columns * 130), Math.max(200, 36 + rows * 134));
    }

    @Override
    public DataTable data() {
        DataTable.Builder t = DataTable.builder("layer", "head", "query", "key", "query_token", "key_token",
                "weight");
        List<String> tok = result.tokens();
        for (Head h : heads) {
            float[][] p = result.pattern(h.layer(), h.head());
            for (int q = 0; q < p.length; q++) {
                for (int k = 0; k <= q; k++) {
                    t.row(h.layer(), h.head(), q, k, tok.get(q), tok.get(k), p[q][k]);
                }
            }
        }
        return t.build();
    }

    /** Where the maps go inside {@code area}: one square per head, in drawing order (for tests and hit-testing). */
    public Rectangle2D[] mapBounds(Rectangle2D area) {
        return layout(area).maps;
    }

    private record Layout(Rectangle2D[] maps, Rectangle2D bar, Font tokenFont, int labelEvery, double labelWidth) {
    }

    private Layout layout(Rectangle2D area) {
        int n = result.length();
        int rows = (heads.size() + columns - 1) / columns;
        boolean single = heads.size() == 1;
        double top = area.getY() + MARGIN + TITLE_H;
        double left = area.getX() + MARGIN;
        double right = area.getMaxX() - MARGIN - FigureStyle.colorBarWidth(BAR_W);
        double bottom = area.getMaxY() - MARGIN;
        // token labels take the longest label's width, at a font that fits the cells (measured with a fixed
        // FontRenderContext so the layout is the same on every backend)
        double guessSide = Math.max(20, Math.min((right - left) / columns, (bottom - top) / rows) * 0.75);
        double fontSize = Math.max(4, Math.min(8, guessSide / n * 0.85));
        Font font = FigureStyle.TOKEN.deriveFont((float) fontSize);
        double labelW = 0;
        for (int i = 0; i < n; i++) {
            labelW = Math.max(labelW, font.getStringBounds(label(i), FRC).getWidth());
        }
        double axisLeft = labelW + 4 + 8 + DEPTH_STRIP + 2; // labels, problem dot, depth strip, gap
        double axisTop = single ? labelW + 4 + 12 : 0;       // rotated key labels and "key →" (one map only)
        double gap = single ? 0 : 14;                          // panel title row in small multiples
        double cellW = (right - left - axisLeft - (columns - 1) * 6) / columns;
        double cellH = (bottom - top - axisTop - rows * gap - (rows - 1) * 6) / rows;
        double side = Math.max(10, Math.min(cellW, cellH));
        Rectangle2D[] maps = new Rectangle2D[heads.size()];
        for (int i = 0; i < heads.size(); i++) {
            int r = i / columns;
            int c = i % columns;
            double x = left + axisLeft + c * (side + 6);
            double y = top + axisTop + gap + r * (side + gap + 6);
            maps[i] = new Rectangle2D.Double(x, y, side, side);
        }
        double barTop = maps[0].getY();
        double barBottom = maps[maps.length - 1].getMaxY();
        double barH = Math.min(barBottom - barTop, Math.max(side, 120));
        double gridRight = left + axisLeft + columns * side + (columns - 1) * 6;
        Rectangle2D bar = new Rectangle2D.Double(gridRight + 12, barTop, BAR_W, barH);
        double cell = side / Math.max(1, n);
        int every = (int) Math.max(1, Math.ceil((fontSize + 1) / cell));
        return new Layout(maps, bar, font, every, labelW);
    }

    @Override
    public void draw(Graphics2D g0, Rectangle2D area) {
        Graphics2D g = (Graphics2D) g0.create();
        try {
            FigureStyle.prepare(g);
            FigureStyle.fillBackground(g, area);
            Layout lay = layout(area);
            g.setFont(FigureStyle.TITLE);
            g.setPaint(FigureStyle.INK);
            FigureStyle.text(g, title, area.getX() + MARGIN, area.getY() + MARGIN + TITLE_H / 2 - 2, Anchor.LEFT);
            boolean single = heads.size() == 1;
            for (int i = 0; i < heads.size(); i++) {
                Rectangle2D m = lay.maps[i];
                boolean firstCol = i % columns == 0;
                boolean firstRow = i < columns;
                drawMap(g, i, m, firstCol);
                if (!single) {
                    g.setFont(FigureStyle.LABEL);
                    g.setPaint(FigureStyle.INK);
                    FigureStyle.text(g, heads.get(i).toString(), m.getCenterX(), m.getY() - 7,
                            Anchor.CENTER);
                }
                if (firstCol) {
                    drawQueryLabels(g, lay, m);
                }
                if (single && firstRow) {
                    drawKeyLabels(g, lay, m);
                }
            }
            if (single) {
                Rectangle2D m = lay.maps[0];
                g.setFont(FigureStyle.LABEL);
                g.setPaint(FigureStyle.AXIS);
                FigureStyle.text(g, "key \u2192", m.getCenterX(), m.getY() - lay.labelWidth - 10, Anchor.CENTER);
            }
            FigureStyle.colorBar(g, lay.bar, ColorRamp.ATTENTION, 0, 1, "attention weight");
        } finally {
            g.dispose();
        }
    }

    private void drawMap(Graphics2D g, int i, Rectangle2D m, boolean depthStrip) {
        int n = result.length();
        if (n == 0) {
            return;
        }
        BufferedImage img = image(i);
        AffineTransform at = AffineTransform.getTranslateInstance(m.getX(), m.getY());
        at.scale(m.getWidth() / img.getWidth(), m.getHeight() / img.getHeight());
        g.drawImage(img, at, null);
        g.setStroke(FigureStyle.stroke(0.5));
        g.setPaint(FigureStyle.FRAME);
        g.draw(m);
        double cell = m.getWidth() / n;
        TokenStructure s = result.structure();
        if (s == null || s.size() != n) {
            return;
        }
        g.setPaint(FigureStyle.MATCH_OUTLINE);
        g.setStroke(FigureStyle.stroke(Math.max(0.3, Math.min(1.2, cell * 0.12))));
        for (int q = 0; q < n; q++) {
            int k = s.match(q);
            if (k >= 0 && k < q) {
                g.draw(new Rectangle2D.Double(m.getX() + k * cell, m.getY() + q * cell, cell, cell));
            }
        }
        if (depthStrip) {
            BufferedImage depth = depthImage();
            AffineTransform dt = AffineTransform.getTranslateInstance(m.getX() - DEPTH_STRIP - 2, m.getY());
            dt.scale(DEPTH_STRIP / depth.getWidth(), m.getHeight() / depth.getHeight());
            g.drawImage(depth, dt, null);
            g.setPaint(FigureStyle.PROBLEM);
            double r = Math.min(2.5, Math.max(1, cell / 2));
            for (TokenStructure.Problem p : s.problems()) {
                double cy = m.getY() + (p.position() + 0.5) * cell;
                Shape dot = new Ellipse2D.Double(m.getX() - DEPTH_STRIP - 2 - 3 - 2 * r, cy - r, 2 * r, 2 * r);
                g.fill(dot);
            }
        }
    }

    private void drawQueryLabels(Graphics2D g, Layout lay, Rectangle2D m) {
        int n = result.length();
        double cell = m.getHeight() / n;
        g.setFont(lay.tokenFont);
        g.setPaint(FigureStyle.INK);
        for (int q = 0; q < n; q += lay.labelEvery) {
            FigureStyle.text(g, label(q), m.getX() - DEPTH_STRIP - 2 - 9, m.getY() + (q + 0.5) * cell, Anchor.RIGHT);
        }
    }

    private void drawKeyLabels(Graphics2D g, Layout lay, Rectangle2D m) {
        int n = result.length();
        double cell = m.getWidth() / n;
        g.setFont(lay.tokenFont);
        g.setPaint(FigureStyle.INK);
        double ascent = lay.tokenFont.getLineMetrics("M", FRC).getAscent();
        for (int k = 0; k < n; k += lay.labelEvery) {
            String t = label(k);
            if (t.codePointCount(0, t.length()) <= 1) { // one character reads best upright
                FigureStyle.text(g, t, m.getX() + (k + 0.5) * cell, m.getY() - 3 - ascent / 2, Anchor.CENTER);
            } else {
                FigureStyle.textUp(g, t, m.getX() + (k + 0.5) * cell, m.getY() - 3, Anchor.LEFT);
            }
        }
    }

    private BufferedImage image(int i) {
        if (images[i] == null) {
            Head h = heads.get(i);
            float[][] p = result.pattern(h.layer(), h.head());
            int n = p.length;
            double[][] v = new double[n][n];
            boolean[][] masked = new boolean[n][n];
            for (int q = 0; q < n; q++) {
                for (int k = 0; k < n; k++) {
                    v[q][k] = p[q][k];
                    masked[q][k] = k > q;
                }
            }
            images[i] = ColorRamp.ATTENTION.image(v, masked, 0, 1, ColorRamp.upscaleFor(n));
        }
        return images[i];
    }

    private BufferedImage depthImage() {
        if (depthImage == null) {
            TokenStructure s = result.structure();
            int n = s.size();
            int maxDepth = 1;
            for (int i = 0; i < n; i++) {
                maxDepth = Math.max(maxDepth, s.depth(i) + 1);
            }
            int scale = ColorRamp.upscaleFor(n);
            BufferedImage img = new BufferedImage(1, n * scale, BufferedImage.TYPE_INT_RGB);
            for (int i = 0; i < n; i++) {
                double t = (s.depth(i) + 1.0) / maxDepth;
                int rgb = mix(FigureStyle.DEPTH_SHALLOW, FigureStyle.DEPTH_DEEP, t);
                for (int j = 0; j < scale; j++) {
                    img.setRGB(0, i * scale + j, rgb);
                }
            }
            depthImage = img;
        }
        return depthImage;
    }

    private static int mix(Color a, Color b, double t) {
        int r = (int) Math.round(a.getRed() + (b.getRed() - a.getRed()) * t);
        int g = (int) Math.round(a.getGreen() + (b.getGreen() - a.getGreen()) * t);
        int bl = (int) Math.round(a.getBlue() + (b.getBlue() - a.getBlue()) * t);
        return (r << 16) | (g << 8) | bl;
    }

    private String label(int i) {
        List<String> tokens = result.tokens();
        return TokenLabel.of(i < tokens.size() ? tokens.get(i) : "?", 8);
    }
}
