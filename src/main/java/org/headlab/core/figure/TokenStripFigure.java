package org.headlab.core.figure;

import java.awt.Color;
import java.awt.Dimension;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.util.List;
import org.headlab.core.figure.FigureStyle.Anchor;

/**
 * Tokens as running text, each on the diverging colour of a signed value (a head's per-token susceptibility), lines
 * wrapped to the width; a token whose value is not resolved (|v| ≤ 2 se) is drawn in grey type. One line per probe
 * window at least, so windows never run together.
 */
public final class TokenStripFigure implements Figure {
    private static final double MARGIN = 8;
    private static final double TITLE_H = 18;
    private static final double LINE_H = 12;
    private static final double BAR_W = 9;

    /** One token: its window, its text, the value and its standard error. */
    public record Token(int window, int position, String text, String kind, double value, double se) {
        boolean resolved() {
            return Math.abs(value) > 2 * se;
        }
    }

    private final String title;
    private final List<Token> tokens;
    private final String valueLabel;
    private final double scale;
    private final Provenance provenance;

    public TokenStripFigure(String title, List<Token> tokens, String valueLabel, Provenance provenance) {
        this.title = title;
        this.tokens = List.copyOf(tokens);
        this.valueLabel = valueLabel;
        double max = 0;
        for (Token t : tokens) {
            if (Double.isFinite(t.value())) {
                max = Math.max(max, Math.abs(t.value()));
            }
        }
        this.scale = max > 0 ? max : 1;
        this.provenance = provenance;
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
        int windows = tokens.isEmpty() ? 1 : tokens.get(tokens.size() - 1).window() + 1;
        int lines = Math.max(windows, tokens.size() / 60 + windows);
        return new Dimension(620, (int) Math.max(160, TITLE_H + 3 * MARGIN + lines * LINE_H));
    }

    @Override
    public DataTable data() {
        DataTable.Builder t = DataTable.builder("window", "position", "token", "kind", valueLabel, "se", "resolved");
        for (Token k : tokens) {
            t.row(k.window(), k.position(), k.text(), k.kind(), k.value(), k.se(), k.resolved());
        }
        return t.build();
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
            double left = area.getX() + MARGIN;
            double right = area.getMaxX() - MARGIN - FigureStyle.colorBarWidth(BAR_W) - 12;
            double top = area.getY() + MARGIN + TITLE_H + 4;
            double x = left;
            double y = top;
            int window = -1;
            g.setFont(FigureStyle.TOKEN);
            for (Token t : tokens) {
                if (t.window() != window) {
                    if (window >= 0) {
                        y += LINE_H + 3;
                    }
                    x = left;
                    window = t.window();
                }
                String s = t.text().replace("\n", "⏎").replace(" ", "␣");
                double w = FigureStyle.width(g, s) + 2;
                if (x + w > right && x > left) {
                    x = left;
                    y += LINE_H;
                }
                int argb = ColorRamp.DIVERGING.argb(t.value(), -scale, scale);
                g.setPaint(new Color(argb, true));
                g.fill(new Rectangle2D.Double(x, y, w, LINE_H - 1));
                g.setPaint(!t.resolved() ? new Color(0x888888)
                        : ColorRamp.isLight(argb) ? FigureStyle.INK : Color.WHITE);
                FigureStyle.text(g, s, x + 1, y + (LINE_H - 1) / 2, Anchor.LEFT);
                x += w + 1;
            }
            FigureStyle.colorBar(g, new Rectangle2D.Double(right + 12, top, BAR_W,
                    Math.max(60, Math.min(120, area.getMaxY() - MARGIN - top))), ColorRamp.DIVERGING, -scale, scale,
                    valueLabel);
        } finally {
            g.dispose();
        }
    }
}
