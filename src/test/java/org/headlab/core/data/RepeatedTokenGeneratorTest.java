package org.headlab.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.headlab.core.HeadLabException;
import org.junit.jupiter.api.Test;

/** Checks repeated-token sequences against the definition in estimators.md §4.2, read directly off the id arrays. */
class RepeatedTokenGeneratorTest {

    @Test
    void secondHalfRepeatsFirstHalfWithinRangeAfterTheBos() {
        RepeatedTokenGenerator gen = new RepeatedTokenGenerator(3, 20, Set.of(5, 7), 50, 0);
        Set<Integer> seen = new HashSet<>();
        for (RepeatedTokens r : gen.generate(1, 100)) {
            int[] ids = r.ids();
            assertEquals(101, ids.length);
            assertEquals(0, ids[0]);
            assertEquals(1, r.firstHalfStart());
            assertEquals(51, r.secondHalfStart());
            assertArrayEquals(Arrays.copyOfRange(ids, 1, 51), Arrays.copyOfRange(ids, 51, 101));
            for (int i = 1; i < ids.length; i++) {
                assertTrue(ids[i] >= 3 && ids[i] < 20 && ids[i] != 5 && ids[i] != 7, "id " + ids[i]);
                seen.add(ids[i]);
            }
        }
        Set<Integer> allowed = new HashSet<>();
        IntStream.range(3, 20).filter(i -> i != 5 && i != 7).forEach(allowed::add);
        assertEquals(allowed, seen, "every allowed id is drawn");
    }

    @Test
    void inductionKeyIsTheTokenAfterTheEarlierCopy() {
        RepeatedTokens r = new RepeatedTokenGenerator(0, 1000, Set.of(), 30, -1).generate(4, 1).get(0);
        int[] ids = r.ids();
        assertEquals(0, r.prefixLength());
        for (int q = r.secondHalfStart(); q < r.length(); q++) {
            int key = r.inductionKeyPosition(q);
            assertEquals(q - 30 + 1, key);
            assertEquals(ids[q], ids[key - 1], "the key follows the earlier copy of the query token");
        }
        assertThrows(IllegalArgumentException.class, () -> r.inductionKeyPosition(29));
    }

    @Test
    void sameSeedSameSequences() {
        RepeatedTokenGenerator gen = new RepeatedTokenGenerator(1, 50, Set.of(), 20, 0);
        List<RepeatedTokens> a = gen.generate(9, 10);
        assertEquals(a, gen.generate(9, 10));
        assertNotEquals(a, gen.generate(10, 10));
    }

    @Test
    void forTokenizerExcludesAndPrefixesTheBos() {
        CharTokenizer tok = new CharTokenizer(List.of("a", "b", "<bos>", "c"), "<bos>");
        for (RepeatedTokens r : RepeatedTokenGenerator.forTokenizer(tok, 10).generate(2, 20)) {
            int[] ids = r.ids();
            assertEquals(2, ids[0]);
            assertTrue(Arrays.stream(ids, 1, ids.length).allMatch(id -> id >= 0 && id < 4 && id != 2));
        }
    }

    @Test
    void emptyRangeIsRefused() {
        assertThrows(HeadLabException.class, () -> new RepeatedTokenGenerator(5, 5, Set.of(), 10, -1));
        assertThrows(HeadLabException.class, () -> new RepeatedTokenGenerator(0, 2, Set.of(0, 1), 10, -1));
        assertThrows(HeadLabException.class, () -> new RepeatedTokenGenerator(0, 9, Set.of(), 0, -1));
        assertThrows(HeadLabException.class, () -> new RepeatedTokenGenerator(0, 2, Set.of(1), 10, 0));
    }

    @Test
    void theBosIsNeverDrawnEvenWhenNotExcluded() {
        for (RepeatedTokens r : new RepeatedTokenGenerator(0, 3, Set.of(), 40, 1).generate(3, 20)) {
            assertTrue(Arrays.stream(r.ids(), 1, r.length()).noneMatch(id -> id == 1));
        }
    }
}
