package org.headlab.ui.attention;

import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import org.headlab.core.figure.ColorRamp;

/**
 * Attention weights to pixels: one pixel per cell (or per screen pixel, when there are more cells than pixels),
 * drawn later with smoothing off, so a 1024×1024 map is one image and one draw call rather than a million rectangles
 * (stack.md: per-cell drawing is 10–100× slower).
 */
public final class HeatmapRaster {
    /** Cells above the diagonal that causal masking hides. */
    static final int MASKED_ARGB = ColorRamp.MASKED_ARGB;

    private HeatmapRaster() {
    }

    /** White (0) to deep blue (1), linear in the weight so that equal steps look equal. */
    public static int argb(double value) {
        return ColorRamp.ATTENTION.argb(value); // the figures' ramp, so exported maps match the screen
    }

    /** The pattern [q][k] as a k-wide, q-tall image; cells with k > q are drawn as masked. */
    public static WritableImage image(float[][] pattern) {
        return image(pattern, null);
    }

    /**
     * {@code pattern − baseline} on the diverging ramp (blue: weight lost, red: weight gained, white: unchanged;
     * ±1 at the ends), or the plain pattern when {@code baseline} is null.
     */
    public static WritableImage image(float[][] pattern, float[][] baseline) {
        return image(pattern, baseline, Integer.MAX_VALUE);
    }

    /**
     * The same at most {@code maxSide} pixels wide: when the map has more cells than the screen has pixels for it,
     * each pixel shows the strongest cell it covers (the largest weight, or the largest change either way), so a
     * line one cell wide, a previous-token diagonal say, stays visible instead of being averaged away, and the
     * renderer draws the image 1:1 instead of scaling a million cells down on every frame. A pixel is masked only when
     * every cell it covers is.
     */
    public static WritableImage image(float[][] pattern, float[][] baseline, int maxSide) {
        int n = pattern.length;
        if (n > Math.max(1, maxSide)) {
            return pooled(pattern, baseline, Math.max(1, maxSide));
        }
        int[] pixels = new int[n * n];
        for (int q = 0; q < n; q++) {
            float[] row = pattern[q];
            for (int k = 0; k < n; k++) {
                pixels[q * n + k] = k > q ? MASKED_ARGB
                        : baseline == null ? argb(row[k])
                        : ColorRamp.DIVERGING.argb(row[k] - baseline[q][k], -1, 1);
            }
        }
        return toImage(pixels, n);
    }

    private static WritableImage toImage(int[] pixels, int n) {
        WritableImage img = new WritableImage(Math.max(1, n), Math.max(1, n));
        if (n > 0) {
            img.getPixelWriter().setPixels(0, 0, n, n, PixelFormat.getIntArgbInstance(), pixels, 0, n);
        }
        return img;
    }

    private static WritableImage pooled(float[][] pattern, float[][] baseline, int side) {
        int n = pattern.length;
        int[] from = new int[side + 1]; // cells [from[i], from[i + 1]) fall in pixel i
        for (int i = 0; i <= side; i++) {
            from[i] = (int) ((long) i * n / side);
        }
        int[] pixels = new int[side * side];
        for (int py = 0; py < side; py++) {
            for (int px = 0; px < side; px++) {
                double best = Double.NaN;
                for (int q = from[py]; q < from[py + 1]; q++) {
                    int kEnd = Math.min(from[px + 1], q + 1); // cells with k > q are masked
                    for (int k = from[px]; k < kEnd; k++) {
                        double v = baseline == null ? pattern[q][k] : pattern[q][k] - baseline[q][k];
                        if (Double.isNaN(best) || (baseline == null ? v > best : Math.abs(v) > Math.abs(best))) {
                            best = v;
                        }
                    }
                }
                pixels[py * side + px] = Double.isNaN(best) ? MASKED_ARGB
                        : baseline == null ? argb(best) : ColorRamp.DIVERGING.argb(best, -1, 1);
            }
        }
        return toImage(pixels, side);
    }
}
