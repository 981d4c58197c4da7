package org.headlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.headlab.core.HeadLabException;
import org.junit.jupiter.api.Test;

class CheckpointScheduleTest {

    @Test
    void propertiesHoldForManySizes() {
        for (int total : new int[] {1, 2, 5, 10, 37, 100, 999, 3000, 50_000}) {
            for (int count : new int[] {2, 3, 5, 10, 32, 40, 60, 107}) {
                List<Integer> s = CheckpointSchedule.of(total, count).steps();
                String what = "total " + total + ", count " + count + ": " + s;
                assertEquals(0, s.get(0), what);
                assertEquals(total, s.get(s.size() - 1), what);
                assertEquals(Math.min(count, total + 1), s.size(), what);
                for (int i = 1; i < s.size(); i++) {
                    assertTrue(s.get(i) > s.get(i - 1), what);
                }
            }
        }
    }

    @Test
    void denseEarlySparseLate() {
        List<Integer> s = CheckpointSchedule.of(3000, 40).steps();
        // half of the checkpoints lie in the first 5% of training
        long early = s.stream().filter(x -> x <= 150).count();
        assertTrue(early >= 19, s.toString());
        // every gap in the first half of the schedule is smaller than every gap in the linear tail
        int lateGap = s.get(s.size() - 1) - s.get(s.size() - 2);
        for (int i = 1; i < s.size() / 2; i++) {
            assertTrue(s.get(i) - s.get(i - 1) < lateGap, s.toString());
        }
        // the tail is linear: equal gaps up to rounding
        for (int i = s.size() - 15; i < s.size(); i++) {
            assertTrue(Math.abs(s.get(i) - s.get(i - 1) - 150) <= 1, s.toString());
        }
        assertEquals(List.of(0, 1, 2, 3), s.subList(0, 4));
    }

    @Test
    void lookups() {
        CheckpointSchedule s = CheckpointSchedule.of(100, 10);
        assertTrue(s.contains(0));
        assertTrue(s.contains(100));
        assertEquals(100, s.last());
        assertEquals(100, s.atOrBefore(1000));
        assertEquals(0, s.atOrBefore(0));
    }

    @Test
    void refusesImpossibleSchedules() {
        assertThrows(HeadLabException.class, () -> CheckpointSchedule.of(0, 10));
        assertThrows(HeadLabException.class, () -> CheckpointSchedule.of(100, 1));
    }

    @Test
    void extraStepsJoinTheScheduleSortedAndOnce() {
        CheckpointSchedule base = CheckpointSchedule.of(3000, 40);
        CheckpointSchedule dense = base.with(List.of(1310, 1420, 1530, base.steps().get(5), 3000));
        assertEquals(base.steps().size() + 3, dense.steps().size(), "a step already scheduled is not saved twice");
        assertTrue(dense.contains(1310) && dense.contains(1420) && dense.contains(1530));
        for (int i = 1; i < dense.steps().size(); i++) {
            assertTrue(dense.steps().get(i) > dense.steps().get(i - 1), "ascending and distinct");
        }
        assertThrows(HeadLabException.class, () -> base.with(List.of(3001)));
        assertThrows(HeadLabException.class, () -> base.with(List.of(0)));
    }
}
