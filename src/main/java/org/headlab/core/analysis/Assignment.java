package org.headlab.core.analysis;

import java.util.Arrays;

/**
 * The optimal assignment: a one-to-one matching of the rows of a square cost matrix to its columns with the least
 * total cost, by the Hungarian method with row and column potentials (Kuhn 1955, Munkres 1957; the O(n³) form of
 * Jonker and Volgenant 1987 as in Burkard, Dell'Amico and Martello, "Assignment Problems", §4.4). Commons Math has
 * no assignment solver; this is checked against all n! permutations on small matrices.
 */
public final class Assignment {
    private Assignment() {
    }

    /** {@code match[i]} = the column row i is assigned to; costs may be any finite doubles. */
    public static int[] solve(double[][] cost) {
        int n = cost.length;
        for (double[] row : cost) {
            if (row.length != n) {
                throw new IllegalArgumentException("the cost matrix must be square, not " + n + " × " + row.length);
            }
            for (double c : row) {
                if (!Double.isFinite(c)) {
                    throw new IllegalArgumentException("costs must be finite, not " + c);
                }
            }
        }
        // 1-based arrays: column 0 is a virtual column holding the row being inserted
        double[] u = new double[n + 1];
        double[] v = new double[n + 1];
        int[] rowOf = new int[n + 1];
        int[] way = new int[n + 1];
        for (int i = 1; i <= n; i++) {
            rowOf[0] = i;
            int j0 = 0;
            double[] minv = new double[n + 1];
            Arrays.fill(minv, Double.POSITIVE_INFINITY);
            boolean[] used = new boolean[n + 1];
            do {
                used[j0] = true;
                int i0 = rowOf[j0];
                double delta = Double.POSITIVE_INFINITY;
                int j1 = -1;
                for (int j = 1; j <= n; j++) {
                    if (!used[j]) {
                        double cur = cost[i0 - 1][j - 1] - u[i0] - v[j];
                        if (cur < minv[j]) {
                            minv[j] = cur;
                            way[j] = j0;
                        }
                        if (minv[j] < delta) {
                            delta = minv[j];
                            j1 = j;
                        }
                    }
                }
                for (int j = 0; j <= n; j++) {
                    if (used[j]) {
                        u[rowOf[j]] += delta;
                        v[j] -= delta;
                    } else {
                        minv[j] -= delta;
                    }
                }
                j0 = j1;
            } while (rowOf[j0] != 0);
            do {
                int j1 = way[j0];
                rowOf[j0] = rowOf[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        int[] match = new int[n];
        for (int j = 1; j <= n; j++) {
            match[rowOf[j] - 1] = j - 1;
        }
        return match;
    }

    /** The total cost of a matching. */
    public static double total(double[][] cost, int[] match) {
        double s = 0;
        for (int i = 0; i < match.length; i++) {
            s += cost[i][match[i]];
        }
        return s;
    }
}
