package org.headlab.ui.timeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The log-step axis against hand-computed positions (log10 arithmetic done by hand in the comments). */
class LogStepScaleTest {
    private static final List<Integer> STEPS = List.of(0, 10, 100, 1000);

    @Test
    void decadesAreEquallySpacedAndStepZeroSitsOneDecadeBeforeTheFirstCheckpoint() {
        // first positive step 10 → log 1; step 0 placed at log 0; last step 1000 → log 3; width 300 → 100 px/decade
        LogStepScale s = new LogStepScale(STEPS, 10, 300);
        assertEquals(10, s.x(0), 1e-9);
        assertEquals(110, s.x(10), 1e-9);
        assertEquals(210, s.x(100), 1e-9);
        assertEquals(310, s.x(1000), 1e-9);
        assertEquals(460, s.x(31623), 0.01, "log10(31623) = 4.5: beyond the last step the scale continues");
        assertArrayEquals(new int[] {0, 1, 2, 3}, s.decades());
    }

    @Test
    void nearestIndexPicksTheClosestTick() {
        LogStepScale s = new LogStepScale(STEPS, 0, 300);
        assertEquals(0, s.nearestIndex(STEPS, 20));
        assertEquals(1, s.nearestIndex(STEPS, 120));
        assertEquals(2, s.nearestIndex(STEPS, 199));
        assertEquals(3, s.nearestIndex(STEPS, 1e6));
    }

    @Test
    void withoutStepZeroTheAxisStartsAtTheFirstCheckpoint() {
        List<Integer> steps = List.of(100, 1000);
        LogStepScale s = new LogStepScale(steps, 0, 100);
        assertEquals(0, s.x(100), 1e-9);
        assertEquals(100, s.x(1000), 1e-9);
        assertTrue(s.x(300) > 0 && s.x(300) < 100);
    }
}
