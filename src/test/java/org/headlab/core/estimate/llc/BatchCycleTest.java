package org.headlab.core.estimate.llc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** peek() announces exactly what next() returns within the current pass and draws nothing from the stream. */
class BatchCycleTest {
    @Test
    void peekIsWhatNextReturnsAndLeavesTheRandomStreamAlone() {
        SplittableRandom a = new SplittableRandom(7);
        SplittableRandom b = new SplittableRandom(7);
        BatchCycle peeking = new BatchCycle(10, 3, a);
        BatchCycle plain = new BatchCycle(10, 3, b);
        assertEquals(0, peeking.peek(5).length, "nothing is known before the first pass is shuffled");
        for (int step = 0; step < 12; step++) {
            int[] got = peeking.next();
            assertArrayEquals(plain.next(), got, "step " + step);
            int[] ahead = peeking.peek(6);
            int left = 10 - ((step + 1) * 3) % 10;
            assertEquals(Math.min(6, left == 10 ? 0 : left), ahead.length, "step " + step);
        }
        // same draws from both streams afterwards: peek consumed no random numbers
        assertEquals(b.nextLong(), a.nextLong());
    }

    @Test
    void peekedWindowsComeNextInOrder() {
        BatchCycle c = new BatchCycle(12, 4, new SplittableRandom(3));
        c.next();
        int[] ahead = c.peek(8);
        assertEquals(8, ahead.length);
        int[] n1 = c.next();
        int[] n2 = c.next();
        for (int i = 0; i < 4; i++) {
            assertEquals(ahead[i], n1[i]);
            assertEquals(ahead[4 + i], n2[i]);
        }
    }
}
