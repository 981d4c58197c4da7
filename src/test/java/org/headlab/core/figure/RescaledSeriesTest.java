package org.headlab.core.figure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The small multiples' rescaling ({@code FigureSet.rescaled}) against values worked out by hand: min–max past step 0,
 * the error bar divided by the same span, a constant at 0.5, and what is not finite left out.
 */
class RescaledSeriesTest {
    private static TrajectoryFigure.Series series(double[] mean, double[] std) {
        double[] steps = new double[mean.length];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = i == 0 ? 0 : Math.pow(10, i);
        }
        return new TrajectoryFigure.Series("1:2", null, null, steps, mean, std);
    }

    @Test
    void minMaxPastInitialisationWithTheErrorBarScaledAlike() {
        // step 0 at 100 would squash the rest into [0, 0.03]: it is left out, and 2..6 spans [0, 1]
        TrajectoryFigure.Series r = FigureSet.rescaled(series(new double[] {100, 2, 4, 6}, new double[] {1, 0.4, 0.2,
            0.8}), "1:2 Induction", "Fisher trace");
        assertArrayEquals(new double[] {10, 100, 1000}, r.steps(), 0.0);
        assertArrayEquals(new double[] {0, 0.5, 1}, r.mean(), 1e-12);
        assertArrayEquals(new double[] {0.1, 0.05, 0.2}, r.std(), 1e-12);
        assertEquals("Fisher trace", r.label());
        assertEquals("1:2 Induction", r.panel());
    }

    @Test
    void aConstantSitsAtTheMiddleAndWhatIsNotFiniteStaysOut() {
        TrajectoryFigure.Series constant = FigureSet.rescaled(series(new double[] {1, 3, 3, 3}, null), "p", "m");
        assertArrayEquals(new double[] {0.5, 0.5, 0.5}, constant.mean(), 0.0);
        TrajectoryFigure.Series holes = FigureSet.rescaled(series(new double[] {0, 1, Double.NaN,
            Double.POSITIVE_INFINITY, 3}, new double[] {0, 0.2, 0.1, 0.1, Double.NaN}), "p", "m");
        assertArrayEquals(new double[] {0, Double.NaN, Double.NaN, 1}, holes.mean(), 1e-12);
        assertArrayEquals(new double[] {0.1, Double.NaN, Double.NaN, Double.NaN}, holes.std(), 1e-12);
    }
}
