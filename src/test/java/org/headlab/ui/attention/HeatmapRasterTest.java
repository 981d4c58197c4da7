package org.headlab.ui.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;

import javafx.scene.image.PixelReader;
import javafx.scene.image.WritableImage;
import javafx.stage.Stage;
import org.headlab.core.figure.ColorRamp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A map with more cells than pixels, pooled to the pixels: every pixel the strongest cell it covers, worked out by
 * hand for a previous-token diagonal of 1000 tokens on 100 pixels, so a line one cell wide stays on screen.
 */
@ExtendWith(ApplicationExtension.class)
class HeatmapRasterTest {
    @Start
    void start(Stage stage) {
        // the toolkit, for images
    }

    @Test
    void aOneCellDiagonalSurvivesPoolingAndTheMaskStaysAboveIt() throws Exception {
        int n = 1000;
        float[][] p = new float[n][n];
        p[0][0] = 1;
        for (int q = 1; q < n; q++) {
            p[q][q - 1] = 1; // previous token: all weight one cell left of the diagonal
        }
        WritableImage[] img = new WritableImage[1];
        WaitForAsyncUtils.asyncFx(() -> img[0] = HeatmapRaster.image(p, null, 100)).get();
        assertEquals(100, (int) img[0].getWidth());
        PixelReader r = img[0].getPixelReader();
        int one = ColorRamp.ATTENTION.argb(1);
        int zero = ColorRamp.ATTENTION.argb(0);
        for (int i = 0; i < 100; i++) {
            // pixel (i, i) covers cells 10i … 10i+9 both ways: (10i+1, 10i) is on the diagonal
            assertEquals(one, r.getArgb(i, i), "pixel " + i + "," + i);
            if (i + 1 < 100) {
                assertEquals(HeatmapRaster.MASKED_ARGB, r.getArgb(i + 1, i), "above the diagonal: masked");
            }
            if (i >= 2) {
                assertEquals(zero, r.getArgb(i - 2, i), "far left of it: no weight");
            }
        }
        // the change between two maps keeps its sign: the largest change either way wins
        float[][] base = new float[n][n];
        WaitForAsyncUtils.asyncFx(() -> img[0] = HeatmapRaster.image(base, p, 100)).get();
        assertEquals(ColorRamp.DIVERGING.argb(-1, -1, 1), img[0].getPixelReader().getArgb(50, 50));
        // no pooling when the pixels suffice: one pixel per cell
        WaitForAsyncUtils.asyncFx(() -> img[0] = HeatmapRaster.image(p, null, 5000)).get();
        assertEquals(n, (int) img[0].getWidth());
    }
}
