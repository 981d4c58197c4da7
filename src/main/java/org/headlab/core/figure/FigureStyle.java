package org.headlab.core.figure;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The shared look of all figures: fonts, greys, the colour-blind-safe series palette (Okabe–Ito), and the few
 * drawing helpers every figure needs (anchored text, nice ticks, colour bar). One place, so the figures of a paper
 * look like one set.
 */
public final class FigureStyle {
    public static final String FONT_FAMILY = Font.SANS_SERIF;
    public static final Font TITLE = new Font(FONT_FAMILY, Font.BOLD, 11);
    public static final Font LABEL = new Font(FONT_FAMILY, Font.PLAIN, 10);
    public static final Font TICK = new Font(FONT_FAMILY, Font.PLAIN, 8);
    public static final Font TOKEN = new Font(Font.MONOSPACED, Font.PLAIN, 8);

    public static final Color INK = new Color(0x222222);
    public static final Color AXIS = new Color(0x555555);
    public static final Color GRID = new Color(0xE8E8E8);
    public static final Color FRAME = new Color(0x999999);
    public static final Color STAGE = new Color(0xF0F0F0);
    /** Where a closing bracket's row meets its opening bracket's column (as in the on-screen attention map). */
    public static final Color MATCH_OUTLINE = new Color(0xE8710A);
    public static final Color DEPTH_DEEP = new Color(0xE8710A);
    public static final Color DEPTH_SHALLOW = new Color(0xFDD0A2);
    public static final Color PROBLEM = new Color(0xD62728);

    /**
     * Okabe & Ito (2008), ordered for lines on white: blue, orange, bluish green, vermillion, reddish purple, sky
     * blue, black, yellow (last: weak on white).
     */
    public static final List<Color> PALETTE = List.of(new Color(0x0072B2), new Color(0xE69F00),
            new Color(0x009E73), new Color(0xD55E00), new Color(0xCC79A7), new Color(0x56B4E9),
            new Color(0x000000), new Color(0xF0E442));

    public enum Anchor { LEFT, CENTER, RIGHT }

    private FigureStyle() {
    }

    public static Color palette(int i) {
        return PALETTE.get(Math.floorMod(i, PALETTE.size()));
    }

    /**
     * Member {@code i} of {@code n} of one colour's family: shades from darker to lighter around the base colour,
     * so series of one class read as one colour (the paper's "shades within a cluster").
     */
    public static Color shade(Color base, int i, int n) {
        if (n <= 1) {
            return base;
        }
        double t = -0.35 + 0.7 * i / (n - 1.0); // -0.35 (darker) .. +0.35 (lighter)
        if (t < 0) {
            double f = 1 + t;
            return new Color((int) Math.round(base.getRed() * f), (int) Math.round(base.getGreen() * f),
                    (int) Math.round(base.getBlue() * f));
        }
        return new Color(mix(base.getRed(), t), mix(base.getGreen(), t), mix(base.getBlue(), t));
    }

    private static int mix(int c, double t) {
        return (int) Math.round(c + (255 - c) * t);
    }

    /** Antialiased shapes and text, exact image pixels, pure strokes: the same on every backend. */
    public static void prepare(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
    }

    public static void fillBackground(Graphics2D g, Rectangle2D area) {
        g.setPaint(Color.WHITE);
        g.fill(area);
    }

    /** Draws {@code text} with its baseline centred vertically on {@code y}, anchored horizontally at {@code x}. */
    public static void text(Graphics2D g, String text, double x, double y, Anchor anchor) {
        FontMetrics fm = g.getFontMetrics();
        double w = fm.getStringBounds(text, g).getWidth();
        double dx = switch (anchor) {
            case LEFT -> 0;
            case CENTER -> -w / 2;
            case RIGHT -> -w;
        };
        double dy = (fm.getAscent() - fm.getDescent()) / 2.0;
        g.drawString(text, (float) (x + dx), (float) (y + dy));
    }

    /** Like {@link #text} but rotated by -90° (reading upwards), anchored at its start (LEFT) or middle. */
    public static void textUp(Graphics2D g, String text, double x, double y, Anchor anchor) {
        AffineTransform saved = g.getTransform();
        g.translate(x, y);
        g.rotate(-Math.PI / 2);
        text(g, text, 0, 0, anchor);
        g.setTransform(saved);
    }

    public static double width(Graphics2D g, String text) {
        return g.getFontMetrics().getStringBounds(text, g).getWidth();
    }

    public static void line(Graphics2D g, double x1, double y1, double x2, double y2) {
        g.draw(new Line2D.Double(x1, y1, x2, y2));
    }

    public static BasicStroke stroke(double width) {
        return new BasicStroke((float) width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER);
    }

    /**
     * About {@code target} "nice" ticks (1, 2, 5 × 10^k) covering [lo, hi]. A range too narrow for its magnitude to
     * step through (256.00000000000006 to 256.0000000000001: a constant with rounding noise) gets the one tick lo.
     */
    public static List<Double> niceTicks(double lo, double hi, int target) {
        List<Double> ticks = new ArrayList<>();
        if (!(hi > lo) || Double.isInfinite(lo) || Double.isInfinite(hi)
                || hi - lo < 1e-9 * Math.max(Math.abs(lo), Math.abs(hi))) {
            ticks.add(lo);
            return ticks;
        }
        double step = niceStep((hi - lo) / Math.max(1, target));
        double start = Math.ceil(lo / step - 1e-9) * step;
        for (double v = start; v <= hi + step * 1e-9; v += step) {
            ticks.add(Math.abs(v) < step * 1e-9 ? 0.0 : v);
        }
        return ticks;
    }

    static double niceStep(double raw) {
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / mag;
        double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
        return nice * mag;
    }

    /** A tick label: no trailing zeros, a true minus sign, at most 4 significant digits. */
    public static String number(double v) {
        if (v == 0) {
            return "0";
        }
        String s;
        double a = Math.abs(v);
        if (a >= 1e5 || a < 1e-3) {
            s = String.format(Locale.ROOT, "%.2g", v);
        } else {
            // 4 significant digits in plain notation: %.4g writes 15000 as 1.500e+04
            s = java.math.BigDecimal.valueOf(v).round(new java.math.MathContext(4)).stripTrailingZeros()
                    .toPlainString();
        }
        return s.replace('-', '\u2212');
    }

    /** A training step as axis text: 0, 10, 100, 1k, 10k, 2.5k, 1M. */
    public static String step(double v) {
        double a = Math.abs(v);
        if (a >= 1e6) {
            return number(v / 1e6) + "M";
        }
        if (a >= 1e3) {
            return number(v / 1e3) + "k";
        }
        return number(v);
    }

    /**
     * A vertical colour bar in {@code box} from {@code min} (bottom) to {@code max} (top), with ticks on its right
     * and {@code label} reading upwards beside them. Drawn as one image, like the heatmaps.
     */
    public static void colorBar(Graphics2D g, Rectangle2D box, ColorRamp ramp, double min, double max, String label) {
        int steps = 256;
        double[][] column = new double[steps][1];
        for (int i = 0; i < steps; i++) {
            column[i][0] = max - (max - min) * (i + 0.5) / steps;
        }
        java.awt.image.BufferedImage img = ramp.image(column, null, min, max, 1);
        AffineTransform at = new AffineTransform();
        at.translate(box.getX(), box.getY());
        at.scale(box.getWidth() / img.getWidth(), box.getHeight() / img.getHeight());
        g.drawImage(img, at, null);
        g.setStroke(stroke(0.5));
        g.setPaint(FRAME);
        g.draw(box);
        g.setFont(TICK);
        g.setPaint(INK);
        double maxWidth = 0;
        for (double t : niceTicks(min, max, 4)) {
            double y = box.getMaxY() - (t - min) / (max - min) * box.getHeight();
            g.setPaint(AXIS);
            line(g, box.getMaxX(), y, box.getMaxX() + 3, y);
            g.setPaint(INK);
            String s = number(t);
            text(g, s, box.getMaxX() + 5, y, Anchor.LEFT);
            maxWidth = Math.max(maxWidth, width(g, s));
        }
        if (label != null && !label.isEmpty()) {
            g.setFont(LABEL);
            textUp(g, label, box.getMaxX() + 9 + maxWidth + 6, box.getCenterY(), Anchor.CENTER);
        }
    }

    /** Width a {@link #colorBar} of bar width {@code barWidth} takes with its ticks and label. */
    public static double colorBarWidth(double barWidth) {
        return barWidth + 40;
    }
}
