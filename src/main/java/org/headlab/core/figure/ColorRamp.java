package org.headlab.core.figure;

import java.awt.Color;
import java.awt.image.BufferedImage;

/**
 * Colour scales for heatmaps: a value in [min, max] to an opaque ARGB colour, linear between a few anchor colours.
 * {@link #ATTENTION} is the one the on-screen attention map uses (white → deep blue), so a figure and the view look
 * the same. Both ramps are readable with the common colour-vision deficiencies (sequential blue; blue–white–red).
 */
public final class ColorRamp {
    /** Cells a causal mask hides (above the diagonal), and missing values (NaN). */
    public static final int MASKED_ARGB = 0xFFE6E6E6;

    /** White (0) to deep blue (1), linear in the value so that equal steps look equal. */
    public static final ColorRamp ATTENTION = new ColorRamp(0xFFFFFF, 0x08306B);

    /** Diverging, for signed values around 0: blue (min) – white (middle) – red (max), ColorBrewer RdBu. */
    public static final ColorRamp DIVERGING = new ColorRamp(0x2166AC, 0x92C5DE, 0xF7F7F7, 0xF4A582, 0xB2182B);

    private final int[] anchors;

    private ColorRamp(int... rgbAnchors) {
        this.anchors = rgbAnchors.clone();
    }

    /** The colour of {@code t} in [0, 1] (clamped); NaN gives {@link #MASKED_ARGB}. */
    public int argb(double t) {
        if (Double.isNaN(t)) {
            return MASKED_ARGB;
        }
        double v = Math.max(0.0, Math.min(1.0, t));
        int segments = anchors.length - 1;
        int i = Math.min(segments - 1, (int) Math.floor(v * segments));
        double f = v * segments - i;
        int a = anchors[i];
        int b = anchors[i + 1];
        int r = (int) Math.round(((a >> 16) & 0xFF) + (((b >> 16) & 0xFF) - ((a >> 16) & 0xFF)) * f);
        int g = (int) Math.round(((a >> 8) & 0xFF) + (((b >> 8) & 0xFF) - ((a >> 8) & 0xFF)) * f);
        int bl = (int) Math.round((a & 0xFF) + ((b & 0xFF) - (a & 0xFF)) * f);
        return 0xFF000000 | (r << 16) | (g << 8) | bl;
    }

    /** The colour of {@code value} on the scale {@code [min, max]}. */
    public int argb(double value, double min, double max) {
        if (Double.isNaN(value)) {
            return MASKED_ARGB;
        }
        double span = max - min;
        return argb(span > 0 ? (value - min) / span : 0.5);
    }

    public Color color(double value, double min, double max) {
        return new Color(argb(value, min, max), false);
    }

    /** Whether dark text reads better than white text on this colour. */
    public static boolean isLight(int argb) {
        double lum = 0.2126 * ((argb >> 16) & 0xFF) + 0.7152 * ((argb >> 8) & 0xFF) + 0.0722 * (argb & 0xFF);
        return lum > 150;
    }

    /**
     * A matrix [row][col] as one image, {@code scale} pixels per cell (nearest neighbour), so that viewers that
     * smooth images when they scale them still show sharp cells. {@code masked[row][col]} cells (may be null) and
     * NaN are drawn grey.
     */
    public BufferedImage image(double[][] values, boolean[][] masked, double min, double max, int scale) {
        int rows = values.length;
        int cols = rows == 0 ? 0 : values[0].length;
        int w = Math.max(1, cols * scale);
        int h = Math.max(1, rows * scale);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] line = new int[w];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                boolean hidden = masked != null && masked[r][c];
                int argb = hidden ? MASKED_ARGB : argb(values[r][c], min, max);
                for (int s = 0; s < scale; s++) {
                    line[c * scale + s] = argb;
                }
            }
            for (int s = 0; s < scale; s++) {
                img.setRGB(0, r * scale + s, w, 1, line, 0, w);
            }
        }
        return img;
    }

    /** Pixels per cell so that an n-cell side is at least about 512 pixels (1 for n ≥ 512). */
    public static int upscaleFor(int cells) {
        return cells <= 0 ? 1 : Math.max(1, (int) Math.ceil(512.0 / cells));
    }
}
