package org.headlab.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Multigram counting on hand-made attention: a pure previous-token head's pairs are the sequence's bigrams, counted
 * by brute force, and the expected counts are the baseline's formula worked by hand.
 */
class MultigramsTest {

    static float[][] previousToken(int n) {
        float[][] a = new float[n][n];
        a[0][0] = 1;
        for (int q = 1; q < n; q++) {
            a[q][q - 1] = 0.9f;
            a[q][0] = 0.1f;
        }
        return a;
    }

    @Test
    void aPreviousTokenHeadsPairsAreTheBigrams() {
        List<String> seq = List.of("<bos>", "a", "b", "a", "b", "c", "a", "b");
        Multigrams.Result r = Multigrams.count(List.of(seq), List.<float[][]>of(previousToken(seq.size())));
        assertEquals(7, r.queries());
        assertEquals(1, r.restingOnFirst(), "the first query (position 1) has only position 0 and itself before it");
        Map<String, Integer> bigrams = new HashMap<>();
        for (int q = 2; q < seq.size(); q++) {
            bigrams.merge(seq.get(q - 1) + ">" + seq.get(q), 1, Integer::sum);
        }
        Map<String, Integer> found = new HashMap<>();
        for (Multigrams.Pair p : r.pairs()) {
            found.put(p.key() + ">" + p.query(), p.count());
            assertEquals(1, p.distance());
        }
        assertEquals(bigrams, found);
        // a→b: queries 'b' at positions 2, 4, 7; the baseline picks a key uniformly from positions 1..q:
        // q=2: one 'a' of 2; q=4: two of 4; q=7: three of 7
        Multigrams.Pair ab = r.pairs().stream().filter(p -> p.key().equals("a") && p.query().equals("b")).findFirst()
                .orElseThrow();
        assertEquals(3, ab.count());
        assertEquals(1 / 2.0 + 2 / 4.0 + 3 / 7.0, ab.expected(), 1e-12);
    }
}
