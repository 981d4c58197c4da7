package org.headlab.core.figure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Rows of a {@link StackedFigure} share one step axis, whatever their own steps, y ranges and legends; a figure's legend
 * takes room beside its plot, not from it.
 */
class StackedFigureTest {

    static TrajectoryFigure row(String title, double[] steps, double[] ys, String... names) {
        List<TrajectoryFigure.Series> series = java.util.Arrays.stream(names).map(n -> TrajectoryFigure.Series.of(n,
                n, steps, ys, null)).toList();
        return new TrajectoryFigure(title, "training step", title, series, List.of(), true,
                Provenance.builder().build());
    }

    @Test
    void aStepFallsAtTheSameXInEveryRow() {
        // different step ranges (the second row reaches further on both ends), y ranges that need tick labels of
        // different widths, and a legend only in the first row: drawn alone, their axes would not line up
        TrajectoryFigure a = row("rLLC", new double[] {0, 10, 100, 1000}, new double[] {-1, 0.5, 2, 3},
                "a long series name", "b");
        TrajectoryFigure b = row("score", new double[] {1, 30, 300, 20000}, new double[] {10000, 20000, 15000,
            30000}, "only");
        StackedFigure f = new StackedFigure("stack", List.of(a, b), Provenance.builder().build());
        int w = f.preferredSize().width;
        int h = f.preferredSize().height;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = img.createGraphics();
        f.draw(g, new Rectangle2D.Double(0, 0, w, h));
        g.dispose();
        double rowH = (h - 34.0) / 2;
        double yA = 34 + rowH * 0.5;
        double yB = 34 + rowH * 1.5;
        int compared = 0;
        for (double x = 0; x < w; x += 3) {
            var sa = a.stepAt(x, yA);
            var sb = b.stepAt(x, yB);
            assertEquals(sa.isPresent(), sb.isPresent(), "x " + x + " lies in both plots or in neither");
            if (sa.isPresent()) {
                assertEquals(sa.getAsDouble(), sb.getAsDouble(), 1e-9 * Math.max(1, sa.getAsDouble()), "x " + x);
                compared++;
            }
        }
        assertTrue(compared > 50, "most of the width is plot: " + compared);
        // and the shared axis spans both rows' steps: the last step of row b is inside it
        double right = 0;
        for (double x = 0; x < w; x += 1) {
            if (b.stepAt(x, yB).isPresent()) {
                right = b.stepAt(x, yB).getAsDouble();
            }
        }
        assertTrue(right >= 20000, "the axis reaches row b's last step: " + right);
    }

    @Test
    void theDataIsEveryRowsTableUnderItsRowTitle() {
        TrajectoryFigure a = row("rLLC", new double[] {0, 10}, new double[] {1, 2}, "x");
        TrajectoryFigure b = row("score", new double[] {5}, new double[] {0.5}, "y");
        DataTable t = new StackedFigure("s", List.of(a, b), Provenance.builder().build()).data();
        assertEquals(List.of("row", "panel", "series", "label", "step", "mean", "std"), t.columns());
        assertEquals(3, t.rows().size());
        assertEquals("rLLC", t.rows().get(0).get(0));
        assertEquals("score", t.rows().get(2).get(0));
        assertEquals(a.data().rows().get(1), t.rows().get(1).subList(1, 7));
    }

    /**
     * A long legend (here stage kinds under a long caption) widens the figure by its width instead of taking it from
     * the plot: the space left for the plot (width − legend) stays the same.
     */
    @Test
    void aLongLegendWidensTheFigureNotTheLegendsShareOfIt() {
        TrajectoryFigure plain = FigureFixtures.trajectories();
        List<TrajectoryFigure.Stage> kinds = List.of(new TrajectoryFigure.Stage("S1", 0, 90, "rising"),
                new TrajectoryFigure.Stage("S2", 90, 1e9, "falling"));
        TrajectoryFigure wide = plain.withStages(kinds, "stages of the full-model LLC on the held-out slice");
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        double plainLegend = plain.naturalFrame(g).legendWidth();
        double wideLegend = wide.naturalFrame(g).legendWidth();
        g.dispose();
        assertTrue(wideLegend > plainLegend + 50, wideLegend + " vs " + plainLegend);
        assertEquals(plain.preferredSize().width - plainLegend, wide.preferredSize().width - wideLegend, 1.0,
                "the same room for the plot");
    }
}
