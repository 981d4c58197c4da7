package org.headlab.core.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The Hungarian method against every permutation (brute force) on random matrices up to 7 × 7. */
class AssignmentTest {
    @Test
    void aCaseWorkedByHand() {
        // rows prefer column 0, but only row 1 is much worse elsewhere: 1→0, 0→1, 2→2 costs 1 + 2 + 3 = 6
        double[][] c = {{4, 2, 8}, {1, 9, 9}, {5, 6, 3}};
        assertArrayEquals(new int[] {1, 0, 2}, Assignment.solve(c));
        assertEquals(6, Assignment.total(c, Assignment.solve(c)), 0);
    }

    @Test
    void theTotalIsTheBestOfAllPermutations() {
        Random r = new Random(5);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + r.nextInt(7);
            double[][] c = new double[n][n];
            for (double[] row : c) {
                for (int j = 0; j < n; j++) {
                    row[j] = trial % 3 == 0 ? r.nextInt(4) : r.nextGaussian() * 10; // ties, and negatives
                }
            }
            int[] m = Assignment.solve(c);
            Set<Integer> columns = new HashSet<>();
            for (int j : m) {
                columns.add(j);
            }
            assertEquals(n, columns.size(), "one to one");
            assertEquals(best(c, new int[n], new boolean[n], 0), Assignment.total(c, m), 1e-9, "trial " + trial);
        }
    }

    private static double best(double[][] c, int[] perm, boolean[] used, int i) {
        if (i == c.length) {
            return Assignment.total(c, perm);
        }
        double b = Double.POSITIVE_INFINITY;
        for (int j = 0; j < c.length; j++) {
            if (!used[j]) {
                used[j] = true;
                perm[i] = j;
                b = Math.min(b, best(c, perm, used, i + 1));
                used[j] = false;
            }
        }
        return b;
    }
}
