package org.headlab.core.figure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Axis ticks: nice steps over an ordinary range, and no endless loop over a constant with rounding noise. */
class FigureStyleTest {
    /** Tick labels against hand-written expectations: plain notation up to 1e5, 4 significant digits. */
    @Test
    void tickLabelsArePlainWithAtMostFourSignificantDigits() {
        assertEquals("15000", FigureStyle.number(15000));
        assertEquals("10000", FigureStyle.number(1e4));
        assertEquals("12350", FigureStyle.number(12345.6));
        assertEquals("2.5", FigureStyle.number(2.5));
        assertEquals("0.001234", FigureStyle.number(0.0012344));
        assertEquals("\u22120.5", FigureStyle.number(-0.5));
        assertEquals("0", FigureStyle.number(0));
        assertEquals("100", FigureStyle.number(100));
        assertEquals("1.2e+05", FigureStyle.number(123456));
    }

    @Test
    void ticksAreNiceStepsCoveringTheRange() {
        assertEquals(List.of(0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0), FigureStyle.niceTicks(0, 1, 5));
        assertEquals(List.of(-100.0, -50.0, 0.0), FigureStyle.niceTicks(-120, 10, 3));
    }

    /**
     * A Hessian rank of 256 at every checkpoint, read back as 256.00000000000006 and 256.0000000000001: the step
     * (2e-14) is below the values' resolution, so adding it never moved the tick on and the figure set ran out of
     * memory. Now one tick, and the figure of such a series draws.
     */
    @Test
    void aConstantWithRoundingNoiseGetsOneTickAndItsFigureDraws() throws Exception {
        List<Double> ticks = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> FigureStyle.niceTicks(256.00000000000006, 256.0000000000001, 5));
        assertEquals(List.of(256.00000000000006), ticks);
        TrajectoryFigure f = new TrajectoryFigure("rank", "step", "rank", List.of(new TrajectoryFigure.Series("1:2",
                null, null, new double[] {0, 10, 100}, new double[] {256.00000000000006, 256.0000000000001, 256},
                null)), List.of(), true, Provenance.none());
        java.nio.file.Path png = java.nio.file.Files.createTempFile("constant", ".png");
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> FigureExporter.export(f, png, 72));
        } finally {
            java.nio.file.Files.deleteIfExists(png);
        }
    }
}
