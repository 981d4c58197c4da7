package org.headlab.core.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Agglomerative clustering of points (heads' curves) with Ward's or average linkage, by the Lance–Williams
 * recurrence on Euclidean distances (Müllner 2011, "Modern hierarchical, agglomerative clustering algorithms",
 * Fig. 2; the same conventions as SciPy's {@code linkage}: a merge's height is its cluster distance, for Ward
 * √(2·|A||B|/(|A|+|B|))·‖c_A − c_B‖, the square root of twice the increase in the within-cluster sum of squares).
 * No well-kept permissive Java library with hierarchical clustering is available offline here (Commons Math has
 * k-means only), so this is the one piece written by hand; it is checked against a brute-force version that
 * recomputes every cluster distance from the members at every merge.
 */
public final class HierarchicalClustering {
    /** How the distance between two clusters is defined. */
    public enum Linkage {
        /** The increase in within-cluster variance (Ward 1963), the paper's companion specs' choice. */
        WARD,
        /** The mean distance between their members (UPGMA). */
        AVERAGE
    }

    /**
     * One merge: the two clusters joined (0..n−1 are the leaves, n + i the cluster made by merge i, as SciPy), the
     * height at which they join and the size of the new cluster.
     */
    public record Merge(int left, int right, double height, int size) {
    }

    /** The tree: the leaves in input order and the n − 1 merges in order of height. */
    public record Tree(List<String> leaves, List<Merge> merges, Linkage linkage) {
        /** Cluster index per leaf (0..k−1, numbered by first appearance in leaf order) when the tree is cut into k. */
        public int[] cut(int k) {
            int n = leaves.size();
            if (k < 1 || k > n) {
                throw new IllegalArgumentException("cut into " + k + " clusters of " + n + " leaves");
            }
            int[] parent = new int[2 * n - 1];
            Arrays.fill(parent, -1);
            for (int i = 0; i < n - k; i++) {
                Merge m = merges.get(i);
                parent[m.left()] = n + i;
                parent[m.right()] = n + i;
            }
            Map<Integer, Integer> number = new HashMap<>();
            int[] out = new int[n];
            for (int leaf = 0; leaf < n; leaf++) {
                int root = leaf;
                while (parent[root] >= 0) {
                    root = parent[root];
                }
                out[leaf] = number.computeIfAbsent(root, r -> number.size());
            }
            return out;
        }

        /** The leaves in the order a dendrogram draws them (each merge's left subtree before its right). */
        public List<Integer> order() {
            int n = leaves.size();
            List<Integer> out = new ArrayList<>();
            if (n == 1) {
                out.add(0);
                return out;
            }
            walk(n + merges.size() - 1, n, out);
            return out;
        }

        private void walk(int node, int n, List<Integer> out) {
            if (node < n) {
                out.add(node);
                return;
            }
            Merge m = merges.get(node - n);
            walk(m.left(), n, out);
            walk(m.right(), n, out);
        }
    }

    private HierarchicalClustering() {
    }

    public static Tree cluster(List<String> names, List<double[]> points, Linkage linkage) {
        int n = points.size();
        if (n != names.size() || n < 2) {
            throw new IllegalArgumentException(n + " points and " + names.size() + " names; at least 2 needed");
        }
        double[][] d = new double[2 * n - 1][2 * n - 1];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                d[i][j] = d[j][i] = euclidean(points.get(i), points.get(j));
            }
        }
        int[] size = new int[2 * n - 1];
        boolean[] active = new boolean[2 * n - 1];
        for (int i = 0; i < n; i++) {
            size[i] = 1;
            active[i] = true;
        }
        List<Merge> merges = new ArrayList<>();
        for (int step = 0; step < n - 1; step++) {
            int a = -1;
            int b = -1;
            double best = Double.POSITIVE_INFINITY;
            for (int i = 0; i < n + step; i++) {
                for (int j = i + 1; active[i] && j < n + step; j++) {
                    if (active[j] && d[i][j] < best) {
                        best = d[i][j];
                        a = i;
                        b = j;
                    }
                }
            }
            int u = n + step;
            size[u] = size[a] + size[b];
            for (int x = 0; x < u; x++) {
                if (active[x] && x != a && x != b) {
                    d[u][x] = d[x][u] = switch (linkage) {
                        case AVERAGE -> (size[a] * d[a][x] + size[b] * d[b][x]) / size[u];
                        case WARD -> {
                            double t = size[a] + size[b] + size[x];
                            yield Math.sqrt(((size[a] + size[x]) * d[a][x] * d[a][x]
                                    + (size[b] + size[x]) * d[b][x] * d[b][x] - size[x] * best * best) / t);
                        }
                    };
                }
            }
            active[a] = false;
            active[b] = false;
            active[u] = true;
            merges.add(new Merge(a, b, best, size[u]));
        }
        return new Tree(List.copyOf(names), List.copyOf(merges), linkage);
    }

    static double euclidean(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }
}
