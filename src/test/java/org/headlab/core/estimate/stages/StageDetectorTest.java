package org.headlab.core.estimate.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.headlab.core.estimate.stages.StageDetector.Kind;
import org.headlab.core.estimate.stages.StageDetector.Stage;
import org.junit.jupiter.api.Test;

/**
 * Hand-built curves whose stages are known by construction (piecewise straight over u = ln(1 + step), a peak, a
 * logistic step, the same with noise, on a dense log grid and on the Dyck run's own uneven checkpoint grid): the
 * detector must name the same kinds in the same order and put each boundary within a stated distance in log-step.
 */
class StageDetectorTest {
    /** The Dyck sample run's checkpoint steps. */
    static final double[] DYCK_STEPS = {0, 1, 2, 3, 4, 5, 6, 9, 13, 19, 27, 40, 57, 83, 120, 173, 250, 500, 750,
        1000, 1250, 1500, 1750, 2000, 2250, 2500, 2750, 3000, 3250, 3500, 3750, 4000};

    /** Step 0 and 60 steps spaced evenly in ln(1 + step) up to 100 000. */
    static double[] logGrid() {
        double[] s = new double[61];
        for (int i = 1; i <= 60; i++) {
            s[i] = Math.expm1(i / 60.0 * Math.log1p(100_000));
        }
        return s;
    }

    static double u(double step) {
        return Math.log1p(step);
    }

    /** Straight from (u(a), ya) to (u(b), yb) over u, constant outside. */
    static DoubleUnaryOperator ramp(double a, double ya, double b, double yb) {
        return st -> {
            double t = (u(st) - u(a)) / (u(b) - u(a));
            return ya + (yb - ya) * Math.max(0, Math.min(1, t));
        };
    }

    static double[] values(double[] steps, DoubleUnaryOperator f) {
        double[] v = new double[steps.length];
        for (int i = 0; i < steps.length; i++) {
            v[i] = f.applyAsDouble(steps[i]);
        }
        return v;
    }

    static void assertStages(List<Stage> got, double[] steps, List<Kind> kinds, double[] boundaries, double tolLn) {
        assertEquals(kinds, got.stream().map(Stage::kind).toList(), got.toString());
        assertEquals(steps[0], got.get(0).startStep(), 0.0, got.toString());
        assertEquals(steps[steps.length - 1], got.get(got.size() - 1).endStep(), 0.0, got.toString());
        for (int i = 0; i < boundaries.length; i++) {
            double b = got.get(i).endStep();
            assertEquals(b, got.get(i + 1).startStep(), 0.0, "stages touch: " + got);
            assertTrue(Math.abs(u(b) - u(boundaries[i])) <= tolLn,
                    "boundary " + i + " at " + b + ", expected " + boundaries[i] + " within " + tolLn + " in ln: " + got);
        }
    }

    @Test
    void aPlateauThenARiseThenAPlateau() {
        double[] s = logGrid();
        List<Stage> got = StageDetector.detect(s, values(s, ramp(100, 1.0, 2000, 3.0)));
        assertStages(got, s, List.of(Kind.FLAT, Kind.RISING, Kind.FLAT), new double[] {100, 2000}, 0.05);
    }

    @Test
    void aPeakIsOneBoundaryBetweenRisingAndFalling() {
        double[] s = logGrid();
        DoubleUnaryOperator up = ramp(0, 0.2, 500, 2.0);
        DoubleUnaryOperator down = ramp(500, 2.0, 100_000, 1.0);
        List<Stage> got = StageDetector.detect(s, values(s, st -> st <= 500 ? up.applyAsDouble(st)
                : down.applyAsDouble(st)));
        assertStages(got, s, List.of(Kind.RISING, Kind.FALLING), new double[] {500}, 0.05);
    }

    @Test
    void twoSlopesOfOneSignAreOneStage() {
        double[] s = logGrid();
        DoubleUnaryOperator a = ramp(0, 0, 300, 1.0);
        DoubleUnaryOperator b = ramp(300, 1.0, 100_000, 5.0);
        List<Stage> got = StageDetector.detect(s, values(s, st -> st <= 300 ? a.applyAsDouble(st)
                : b.applyAsDouble(st)));
        assertEquals(List.of(new Stage(0, s[s.length - 1], Kind.RISING)), got, "no critical point, no boundary");
    }

    @Test
    void noiseOfAFewPercentMovesNothingButTheBoundariesALittle() {
        double[] s = logGrid();
        double[] v = values(s, ramp(100, 1.0, 2000, 3.0));
        Random rnd = new Random(7);
        for (int i = 0; i < v.length; i++) {
            v[i] += 0.04 * rnd.nextGaussian(); // 2 % of the range
        }
        assertStages(StageDetector.detect(s, v), s, List.of(Kind.FLAT, Kind.RISING, Kind.FLAT),
                new double[] {100, 2000}, 0.4);
    }

    @Test
    void aLogisticStepRisesAroundItsMiddle() {
        double[] s = logGrid();
        double mid = 150;
        List<Stage> got = StageDetector.detect(s, values(s, st -> 1 / (1 + Math.exp(-(u(st) - u(mid)) / 0.4))));
        assertEquals(List.of(Kind.FLAT, Kind.RISING, Kind.FLAT), got.stream().map(Stage::kind).toList(),
                got.toString());
        // the slope of the logistic, σ(1 − σ)/w, falls to the flat threshold (a quarter of the range per the ln-step
        // span) at |u − u(mid)| = w · acosh-like d below; the boundaries should be there, within half a unit of ln step
        double w = 0.4;
        double tau = 0.25 / u(s[s.length - 1]);
        double p = (1 - Math.sqrt(1 - 4 * tau * w)) / 2; // σ(1 − σ) = τ·w
        double d = w * Math.log((1 - p) / p);
        assertTrue(Math.abs(u(mid) - d - u(got.get(1).startStep())) <= 0.5, d + " " + got);
        assertTrue(Math.abs(u(mid) + d - u(got.get(1).endStep())) <= 0.5, d + " " + got);
    }

    @Test
    void aLossLikeDropOnTheDyckRunsOwnCheckpoints() {
        double[] v = values(DYCK_STEPS, ramp(27, 2.0, 250, 0.5));
        assertStages(StageDetector.detect(DYCK_STEPS, v), DYCK_STEPS, List.of(Kind.FLAT, Kind.FALLING, Kind.FLAT),
                new double[] {27, 250}, 0.05);
    }

    @Test
    void flatEmptyAndSinglePointCurves() {
        double[] s = {0, 10, 100, 1000};
        assertEquals(List.of(new Stage(0, 1000, Kind.FLAT)), StageDetector.detect(s, new double[] {2, 2, 2, 2}));
        assertEquals(List.of(), StageDetector.detect(new double[0], new double[0]));
        assertEquals(List.of(new Stage(10, 10, Kind.FLAT)), StageDetector.detect(new double[] {10},
                new double[] {0.3}));
        assertEquals(List.of(), StageDetector.detect(new double[] {1, 2}, new double[] {Double.NaN, Double.NaN}));
    }

    @Test
    void missingValuesAreSkippedNotZeroes() {
        double[] s = logGrid();
        double[] v = values(s, ramp(100, 1.0, 2000, 3.0));
        for (int i = 3; i < v.length; i += 7) {
            v[i] = Double.NaN;
        }
        assertStages(StageDetector.detect(s, v), s, List.of(Kind.FLAT, Kind.RISING, Kind.FLAT),
                new double[] {100, 2000}, 0.1);
    }

    @Test
    void badInputIsOneClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StageDetector.detect(new double[] {0, 1}, new double[] {1}));
        assertTrue(e.getMessage().contains("2 steps but 1 values"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> StageDetector.detect(new double[] {0, 5, 5}, new double[] {1, 2, 3}));
        assertTrue(e.getMessage().contains("steps must increase") && e.getMessage().contains("index 2"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> StageDetector.detect(new double[] {-1, 5}, new double[] {1, 2}));
        assertTrue(e.getMessage().contains("not a finite step >= 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> StageDetector.detect(new double[] {0, 5}, new double[] {1, Double.POSITIVE_INFINITY}));
        assertTrue(e.getMessage().contains("infinite"), e.getMessage());
    }
}
