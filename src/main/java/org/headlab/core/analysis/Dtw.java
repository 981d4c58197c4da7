package org.headlab.core.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Dynamic time warping for per-head curves: the distance (Sakoe and Chiba 1978; squared differences summed along the
 * cheapest monotone alignment, square-rooted, as tslearn's {@code dtw}), the DTW barycenter average of a set of curves
 * (DBA, Petitjean, Ketterlin and Gançarski 2011) and k-means under DTW with DBA centroids and k-means++ seeding (what
 * tslearn's {@code TimeSeriesKMeans(metric="dtw")} does, and what the paper's companion specs try beside Euclidean
 * k-means). Two heads whose curves have the same shape but turn a few checkpoints apart are close under DTW and far
 * apart in Euclidean distance. No library on the classpath has DTW (Commons Math, Smile's GPL parts are out), so
 * this is written here and checked against brute force (DtwTest).
 */
public final class Dtw {
    /** Lloyd iterations at most, and DBA refinements per centroid update. */
    static final int MAX_ITERATIONS = 50;
    static final int DBA_ITERATIONS = 10;

    private Dtw() {
    }

    /** The DTW distance: √ of the least sum of (a_i − b_j)² over monotone, continuous alignments of all points. */
    public static double distance(double[] a, double[] b) {
        return Math.sqrt(cost(a, b)[a.length][b.length]);
    }

    /** The cumulative cost matrix, 1-based with an infinite border. */
    private static double[][] cost(double[] a, double[] b) {
        int n = a.length;
        int m = b.length;
        double[][] c = new double[n + 1][m + 1];
        for (double[] row : c) {
            Arrays.fill(row, Double.POSITIVE_INFINITY);
        }
        c[0][0] = 0;
        for (int i = 1; i <= n; i++) {
            for (int j = 1; j <= m; j++) {
                double d = a[i - 1] - b[j - 1];
                c[i][j] = d * d + Math.min(c[i - 1][j - 1], Math.min(c[i - 1][j], c[i][j - 1]));
            }
        }
        return c;
    }

    /** The optimal alignment as (i, j) pairs from (0, 0) to (n − 1, m − 1). */
    static List<int[]> path(double[] a, double[] b) {
        double[][] c = cost(a, b);
        List<int[]> path = new ArrayList<>();
        int i = a.length;
        int j = b.length;
        while (i > 0 && j > 0) {
            path.add(new int[] {i - 1, j - 1});
            double diag = c[i - 1][j - 1];
            double up = c[i - 1][j];
            double left = c[i][j - 1];
            if (diag <= up && diag <= left) {
                i--;
                j--;
            } else if (up <= left) {
                i--;
            } else {
                j--;
            }
        }
        java.util.Collections.reverse(path);
        return path;
    }

    /**
     * DBA: starting from {@code init}, each point of the centre becomes the mean of the points of every curve that the
     * optimal alignment maps onto it, {@link #DBA_ITERATIONS} times (or until nothing moves).
     */
    public static double[] barycenter(List<double[]> curves, double[] init) {
        double[] centre = init.clone();
        for (int it = 0; it < DBA_ITERATIONS; it++) {
            double[] sum = new double[centre.length];
            int[] count = new int[centre.length];
            for (double[] c : curves) {
                for (int[] p : path(centre, c)) {
                    sum[p[0]] += c[p[1]];
                    count[p[0]]++;
                }
            }
            double[] next = new double[centre.length];
            for (int i = 0; i < next.length; i++) {
                next[i] = count[i] == 0 ? centre[i] : sum[i] / count[i];
            }
            boolean moved = !Arrays.equals(next, centre);
            centre = next;
            if (!moved) {
                break;
            }
        }
        return centre;
    }

    /**
     * k-means under DTW: k-means++ seeding by DTW distance, then assignment to the nearest centre and DBA updates until
     * no curve changes cluster; the best of {@code restarts} runs by inertia (the sum of squared DTW distances to the
     * centres). Returns the cluster of each curve, numbered by first appearance.
     */
    public static int[] kmeans(List<double[]> curves, int k, long seed, int restarts) {
        if (k < 1 || k > curves.size()) {
            throw new IllegalArgumentException("k = " + k + " for " + curves.size() + " curves");
        }
        double[][] d = new double[curves.size()][curves.size()];
        for (int i = 0; i < d.length; i++) {
            for (int j = i + 1; j < d.length; j++) {
                d[i][j] = d[j][i] = distance(curves.get(i), curves.get(j));
            }
        }
        SplittableRandom rng = new SplittableRandom(seed);
        int[] best = null;
        double bestInertia = Double.POSITIVE_INFINITY;
        for (int r = 0; r < restarts; r++) {
            int[] labels = new int[curves.size()];
            double inertia = lloyd(curves, seeds(d, k, rng), labels);
            if (inertia < bestInertia - 1e-12) {
                bestInertia = inertia;
                best = labels;
            }
        }
        return renumber(best);
    }

    /** k-means++ (Arthur and Vassilvitskii 2007) on the DTW distances: each next seed drawn ∝ its squared distance. */
    private static int[] seeds(double[][] d, int k, SplittableRandom rng) {
        int n = d.length;
        int[] chosen = new int[k];
        chosen[0] = rng.nextInt(n);
        double[] nearest = new double[n];
        Arrays.fill(nearest, Double.POSITIVE_INFINITY);
        for (int c = 1; c < k; c++) {
            double total = 0;
            for (int i = 0; i < n; i++) {
                nearest[i] = Math.min(nearest[i], d[i][chosen[c - 1]] * d[i][chosen[c - 1]]);
                total += nearest[i];
            }
            double u = rng.nextDouble() * total;
            int pick = 0;
            for (double acc = nearest[0]; acc < u && pick < n - 1; acc += nearest[++pick]) {
                // walk to the point whose share of the total holds u
            }
            chosen[c] = total == 0 ? (chosen[c - 1] + 1) % n : pick;
        }
        return chosen;
    }

    private static double lloyd(List<double[]> curves, int[] seedIndex, int[] labels) {
        int k = seedIndex.length;
        double[][] centres = new double[k][];
        for (int c = 0; c < k; c++) {
            centres[c] = curves.get(seedIndex[c]).clone();
        }
        Arrays.fill(labels, -1);
        double inertia = 0;
        for (int it = 0; it < MAX_ITERATIONS; it++) {
            boolean changed = false;
            inertia = 0;
            for (int i = 0; i < curves.size(); i++) {
                int arg = 0;
                double min = Double.POSITIVE_INFINITY;
                for (int c = 0; c < k; c++) {
                    double dist = distance(curves.get(i), centres[c]);
                    if (dist < min) {
                        min = dist;
                        arg = c;
                    }
                }
                inertia += min * min;
                changed |= labels[i] != arg;
                labels[i] = arg;
            }
            if (!changed) {
                break;
            }
            for (int c = 0; c < k; c++) {
                List<double[]> members = new ArrayList<>();
                for (int i = 0; i < curves.size(); i++) {
                    if (labels[i] == c) {
                        members.add(curves.get(i));
                    }
                }
                if (!members.isEmpty()) { // an empty cluster keeps its centre (and may win curves back)
                    centres[c] = barycenter(members, centres[c]);
                }
            }
        }
        return inertia;
    }

    private static int[] renumber(int[] raw) {
        java.util.Map<Integer, Integer> map = new java.util.HashMap<>();
        int[] out = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            out[i] = map.computeIfAbsent(raw[i], c -> map.size());
        }
        return out;
    }
}
