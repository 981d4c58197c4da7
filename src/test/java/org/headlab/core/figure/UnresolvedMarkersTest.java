package org.headlab.core.figure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An estimate that resolved nothing is drawn hollow, never like a good point, and the legend says what that means. */
class UnresolvedMarkersTest {
    private static TrajectoryFigure figure(boolean[] unresolved) {
        TrajectoryFigure.Series s = new TrajectoryFigure.Series("1:0", null, null, new double[] {10, 100, 1000},
                new double[] {1, 2, 3}, null, unresolved);
        return new TrajectoryFigure("llc · llc/mean", "training step", "llc/mean", List.of(s), List.of(), true,
                FigureFixtures.provenance());
    }

    @Test
    void theUnresolvedPointIsHollowWhereTheResolvedOneIsFilled() {
        BufferedImage filled = FigureExporter.render(figure(null), 480, 300, 2);
        BufferedImage hollow = FigureExporter.render(figure(new boolean[] {false, true, false}), 480, 300, 2);
        int cleared = 0;
        for (int x = 0; x < filled.getWidth(); x++) {
            for (int y = 0; y < filled.getHeight(); y++) {
                // a pixel of the curve's colour in the filled marker that is white inside the hollow one
                if (!white(filled.getRGB(x, y)) && white(hollow.getRGB(x, y))) {
                    cleared++;
                }
            }
        }
        assertTrue(cleared >= 4, "the hollow marker's inside is background: " + cleared + " pixels");
    }

    @Test
    void theLegendExplainsHollowMarkersOnlyWhenThereAreAny() {
        String with = new String(FigureExporter.svgBytes(figure(new boolean[] {false, true, false}), 480, 300),
                StandardCharsets.UTF_8);
        String without = new String(FigureExporter.svgBytes(figure(new boolean[3]), 480, 300),
                StandardCharsets.UTF_8);
        assertTrue(with.contains(TrajectoryFigure.UNRESOLVED_LEGEND), "legend entry");
        assertFalse(without.contains(TrajectoryFigure.UNRESOLVED_LEGEND));
        assertEquals(true, figure(new boolean[] {true, false, false}).series().get(0).anyUnresolved());
    }

    private static boolean white(int rgb) {
        return (rgb & 0xFFFFFF) == 0xFFFFFF;
    }
}
