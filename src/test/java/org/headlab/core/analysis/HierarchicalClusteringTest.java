package org.headlab.core.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The Lance–Williams recurrences against a brute-force agglomeration that recomputes every cluster distance from
 * the members (average: the mean pairwise distance; Ward: √(2·(ESS(A∪B) − ESS(A) − ESS(B)))) at every merge, and a
 * case worked by hand.
 */
class HierarchicalClusteringTest {
    @Test
    void averageLinkageOfFivePointsOnALineAsWorkedByHand() {
        // {0,1} at 1, {5,6} at 1, then their mean pairwise distance (5+6+4+5)/4 = 5, then 20 at (20+19+15+14)/4 = 17
        HierarchicalClustering.Tree t = HierarchicalClustering.cluster(List.of("a", "b", "c", "d", "e"),
                List.of(new double[] {0}, new double[] {1}, new double[] {5}, new double[] {6}, new double[] {20}),
                HierarchicalClustering.Linkage.AVERAGE);
        assertArrayEquals(new double[] {1, 1, 5, 17}, t.merges().stream().mapToDouble(
                HierarchicalClustering.Merge::height).toArray(), 1e-12);
        assertArrayEquals(new int[] {0, 0, 1, 1, 2}, t.cut(3));
        assertEquals(List.of(4, 0, 1, 2, 3), t.order(), "each merge: the smaller id (here leaf 4) on the left");
    }

    @Test
    void recurrencesEqualBruteForceOnRandomCurves() {
        Random r = new Random(11);
        for (HierarchicalClustering.Linkage linkage : HierarchicalClustering.Linkage.values()) {
            for (int trial = 0; trial < 20; trial++) {
                int n = 3 + r.nextInt(9);
                List<double[]> points = new ArrayList<>();
                List<String> names = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    double[] p = new double[4];
                    for (int j = 0; j < p.length; j++) {
                        p[j] = r.nextGaussian() + (i % 3) * 2.0;
                    }
                    points.add(p);
                    names.add("h" + i);
                }
                HierarchicalClustering.Tree fast = HierarchicalClustering.cluster(names, points, linkage);
                List<double[]> brute = bruteForce(points, linkage); // {a, b, height} per merge
                for (int m = 0; m < n - 1; m++) {
                    HierarchicalClustering.Merge got = fast.merges().get(m);
                    assertEquals(brute.get(m)[2], got.height(), 1e-9, linkage + " trial " + trial + " merge " + m);
                    assertEquals(Set.of((int) brute.get(m)[0], (int) brute.get(m)[1]),
                            Set.of(got.left(), got.right()), linkage + " trial " + trial + " merge " + m);
                }
            }
        }
    }

    /** Merges by the definition: every cluster distance recomputed from the member lists. */
    private static List<double[]> bruteForce(List<double[]> points, HierarchicalClustering.Linkage linkage) {
        int n = points.size();
        List<List<Integer>> clusters = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            clusters.add(List.of(i));
            ids.add(i);
        }
        List<double[]> out = new ArrayList<>();
        for (int step = 0; step < n - 1; step++) {
            int bi = -1;
            int bj = -1;
            double best = Double.POSITIVE_INFINITY;
            for (int i = 0; i < clusters.size(); i++) {
                for (int j = i + 1; j < clusters.size(); j++) {
                    double dist = linkage == HierarchicalClustering.Linkage.AVERAGE
                            ? meanPairwise(points, clusters.get(i), clusters.get(j))
                            : Math.sqrt(2 * (ess(points, union(clusters.get(i), clusters.get(j)))
                                    - ess(points, clusters.get(i)) - ess(points, clusters.get(j))));
                    if (dist < best) {
                        best = dist;
                        bi = i;
                        bj = j;
                    }
                }
            }
            out.add(new double[] {ids.get(bi), ids.get(bj), best});
            List<Integer> merged = union(clusters.get(bi), clusters.get(bj));
            clusters.remove(bj);
            ids.remove(bj);
            clusters.remove(bi);
            ids.remove(bi);
            clusters.add(merged);
            ids.add(n + step);
        }
        return out;
    }

    private static List<Integer> union(List<Integer> a, List<Integer> b) {
        List<Integer> u = new ArrayList<>(a);
        u.addAll(b);
        return u;
    }

    private static double meanPairwise(List<double[]> p, List<Integer> a, List<Integer> b) {
        double s = 0;
        for (int i : a) {
            for (int j : b) {
                s += HierarchicalClustering.euclidean(p.get(i), p.get(j));
            }
        }
        return s / (a.size() * b.size());
    }

    private static double ess(List<double[]> p, List<Integer> members) {
        int dim = p.get(0).length;
        double[] c = new double[dim];
        for (int i : members) {
            for (int k = 0; k < dim; k++) {
                c[k] += p.get(i)[k] / members.size();
            }
        }
        double s = 0;
        for (int i : members) {
            for (int k = 0; k < dim; k++) {
                s += (p.get(i)[k] - c[k]) * (p.get(i)[k] - c[k]);
            }
        }
        return s;
    }

    @Test
    void cutsAreNested() {
        Random r = new Random(3);
        List<double[]> points = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            points.add(new double[] {r.nextGaussian(), r.nextGaussian()});
            names.add("h" + i);
        }
        HierarchicalClustering.Tree t = HierarchicalClustering.cluster(names, points,
                HierarchicalClustering.Linkage.WARD);
        for (int k = 2; k <= 10; k++) {
            int[] coarse = t.cut(k - 1);
            int[] fine = t.cut(k);
            Set<Integer> distinct = new HashSet<>();
            for (int c : fine) {
                distinct.add(c);
            }
            assertEquals(k, distinct.size());
            for (int i = 0; i < 10; i++) {
                for (int j = 0; j < 10; j++) {
                    if (fine[i] == fine[j]) {
                        assertEquals(coarse[i], coarse[j], "a finer cut only splits clusters");
                    }
                }
            }
        }
        assertEquals(10, new HashSet<>(t.order()).size());
    }
}
