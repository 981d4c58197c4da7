package org.headlab.ui.attention;

import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import org.headlab.core.figure.ColorRamp;

/**
 * Attention weights to pixels: one pixel per cell, drawn later with smoothing off, so a 1024×1024 map is one
 * image and one draw call rather than a million rectangles (stack.md: per-cell drawing is 10–100× slower).
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
        int n = pattern.length;
        int[] pixels = new int[n * n];
        for (int q = 0; q < n; q++) {
            float[] row = pattern[q];
            for (int k = 0; k < n; k++) {
                pixels[q * n + k] = k > q ? MASKED_ARGB
                        : baseline == null ? argb(row[k])
                        : ColorRamp.DIVERGING.argb(row[k] - baseline[q][k], -1, 1);
            }
        }
        WritableImage img = new WritableImage(Math.max(1, n), Math.max(1, n));
        if (n > 0) {
            img.getPixelWriter().setPixels(0, 0, n, n, PixelFormat.getIntArgbInstance(), pixels, 0, n);
        }
        return img;
    }
}
