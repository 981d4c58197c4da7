package org.headlab.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.Scope;
import org.headlab.core.store.ResultTable;
import org.junit.jupiter.api.Test;

/**
 * Clustering of per-head curves: two planted groups of shapes are found with k chosen by the silhouette, and the
 * Adjusted Rand Index equals its definition computed by brute force (pair counts, and the expected index as the
 * mean over every permutation of one labelling).
 */
class HeadClustersTest {

    static ResultTable planted(int[] steps, long seed) {
        Random r = new Random(seed);
        List<ResultTable.Row> rows = new ArrayList<>();
        for (int h = 0; h < 8; h++) {
            boolean rising = h < 3;
            double scale = 0.5 + r.nextDouble() * 3; // standardising takes the scale out
            for (int i = 0; i < steps.length; i++) {
                double x = Math.log1p(steps[i]);
                double y = scale * (rising ? x : Math.sin(x)) + 0.02 * r.nextGaussian();
                rows.add(new ResultTable.Row("llc", "v", "{}", "train", Scope.HEAD, h / 4, h % 4, steps[i],
                        Map.of("llc/mean", y)));
            }
        }
        return new ResultTable("planted", rows);
    }

    @Test
    void twoPlantedShapesAreFoundWithKFromTheSilhouette() {
        int[] steps = {0, 10, 30, 100, 300, 1000, 3000, 10000};
        HeadClusters.Result r = HeadClusters.cluster(planted(steps, 1), "llc", "v", "llc/mean", null,
                HeadClusters.Normalisation.STANDARDISE, 0);
        assertEquals(2, r.k(), "silhouette " + r.silhouette());
        List<String> found = new ArrayList<>();
        List<String> truth = new ArrayList<>();
        r.clusterOf().forEach((head, c) -> {
            int h = Integer.parseInt(head.split(":")[0]) * 4 + Integer.parseInt(head.split(":")[1]);
            found.add(String.valueOf(c));
            truth.add(h < 3 ? "rising" : "waving");
        });
        assertEquals(1.0, HeadClusters.adjustedRandIndex(found, truth), 1e-12, r.clusterOf().toString());
        HeadClusters.Result three = HeadClusters.cluster(planted(steps, 1), "llc", "v", "llc/mean", 3,
                HeadClusters.Normalisation.STANDARDISE, 0);
        assertEquals(3, three.k());
        assertEquals(3, three.clusterOf().values().stream().distinct().count());
    }

    /** k-means under DTW finds the planted shapes too, through the same entry point (silhouette in DTW distance). */
    @Test
    void dtwKMeansFindsThePlantedShapes() {
        int[] steps = {0, 10, 30, 100, 300, 1000, 3000, 10000};
        HeadClusters.Result r = HeadClusters.cluster(planted(steps, 1), "llc", "v", "llc/mean", null,
                HeadClusters.Normalisation.STANDARDISE, 0, HeadClusters.Method.DTW);
        assertEquals(2, r.k(), "silhouette " + r.silhouette());
        assertEquals(null, r.tree());
        List<String> found = new ArrayList<>();
        List<String> truth = new ArrayList<>();
        r.clusterOf().forEach((head, c) -> {
            int h = Integer.parseInt(head.split(":")[0]) * 4 + Integer.parseInt(head.split(":")[1]);
            found.add(String.valueOf(c));
            truth.add(h < 3 ? "rising" : "waving");
        });
        assertEquals(1.0, HeadClusters.adjustedRandIndex(found, truth), 1e-12, r.clusterOf().toString());
        assertEquals(HeadClusters.Method.DTW, HeadClusters.Method.parse("dtw"));
    }

    /** Both hierarchical linkages find the planted shapes too, and their tree's cut is the reported clustering. */
    @Test
    void hierarchicalClusteringFindsThePlantedShapesAndReportsItsTree() {
        int[] steps = {0, 10, 30, 100, 300, 1000, 3000, 10000};
        for (HeadClusters.Method m : new HeadClusters.Method[] {HeadClusters.Method.WARD,
            HeadClusters.Method.AVERAGE}) {
            HeadClusters.Result r = HeadClusters.cluster(planted(steps, 1), "llc", "v", "llc/mean", null,
                    HeadClusters.Normalisation.STANDARDISE, 0, m);
            assertEquals(2, r.k(), m + " silhouette " + r.silhouette());
            List<String> found = new ArrayList<>();
            List<String> truth = new ArrayList<>();
            r.clusterOf().forEach((head, c) -> {
                int h = Integer.parseInt(head.split(":")[0]) * 4 + Integer.parseInt(head.split(":")[1]);
                found.add(String.valueOf(c));
                truth.add(h < 3 ? "rising" : "waving");
            });
            assertEquals(1.0, HeadClusters.adjustedRandIndex(found, truth), 1e-12, m + " " + r.clusterOf());
            assertEquals(r.clusterOf().size() - 1, r.tree().merges().size());
            int[] cut = r.tree().cut(2);
            for (int i = 0; i < cut.length; i++) {
                assertEquals(cut[i], (int) r.clusterOf().get(r.tree().leaves().get(i)));
            }
        }
        assertEquals(null, HeadClusters.cluster(planted(steps, 1), "llc", "v", "llc/mean", null,
                HeadClusters.Normalisation.STANDARDISE, 0).tree(), "k-means has no tree");
    }

    /** A cluster's majority class is suggested to the heads that lack it; "Other" and ties suggest nothing. */
    @Test
    void clustersSuggestTheirMajorityClass() {
        Map<String, Integer> clusters = new java.util.LinkedHashMap<>();
        Map<String, String> classes = new java.util.LinkedHashMap<>();
        String[][] heads = {{"0:0", "0", "Induction"}, {"0:1", "0", "Induction"}, {"0:2", "0", "unlabelled"},
            {"0:3", "0", "Other"}, {"1:0", "1", "Other"}, {"1:1", "1", "Other"}, {"1:2", "1", "Previous token"},
            {"1:3", "1", "unlabelled"}};
        for (String[] h : heads) {
            clusters.put(h[0], Integer.parseInt(h[1]));
            classes.put(h[0], h[2]);
        }
        Map<String, String[]> s = HeadClusters.suggestions(clusters, classes, "unlabelled", "Other");
        // cluster 0: two Induction of three labelled mates for 0:2 and 0:3; 0:0 and 0:1 have one Induction mate only
        assertEquals(List.of("0:2", "0:3"), List.copyOf(s.keySet()));
        assertEquals("Induction", s.get("0:2")[0]);
        assertEquals("2 of 3 labelled cluster-mates", s.get("0:2")[1]);
        // cluster 1: one Previous token of three labelled mates: no majority, no suggestion
    }

    @Test
    void theAdjustedRandIndexIsItsDefinition() {
        Random r = new Random(3);
        for (int trial = 0; trial < 20; trial++) {
            int n = 7;
            List<String> a = new ArrayList<>();
            List<String> b = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                a.add("a" + r.nextInt(3));
                b.add("b" + r.nextInt(3));
            }
            assertEquals(bruteForce(a, b), HeadClusters.adjustedRandIndex(a, b), 1e-9, a + " vs " + b);
        }
        assertEquals(1.0, HeadClusters.adjustedRandIndex(List.of("x", "x", "y", "y"), List.of("p", "p", "q", "q")));
    }

    /** (index − mean index over all permutations of b) / (max index − that mean), indices by pair counting. */
    static double bruteForce(List<String> a, List<String> b) {
        double index = agreeingPairs(a, b);
        double sum = 0;
        int count = 0;
        for (List<String> p : permutations(b)) {
            sum += agreeingPairs(a, p);
            count++;
        }
        double expected = sum / count;
        double max = (samePairs(a) + samePairs(b)) / 2.0;
        return max == expected ? 1.0 : (index - expected) / (max - expected);
    }

    static int agreeingPairs(List<String> a, List<String> b) {
        int n = 0;
        for (int i = 0; i < a.size(); i++) {
            for (int j = i + 1; j < a.size(); j++) {
                n += a.get(i).equals(a.get(j)) && b.get(i).equals(b.get(j)) ? 1 : 0;
            }
        }
        return n;
    }

    static int samePairs(List<String> a) {
        return agreeingPairs(a, a);
    }

    static List<List<String>> permutations(List<String> items) {
        if (items.size() <= 1) {
            return List.of(items);
        }
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<String> rest = new ArrayList<>(items);
            String first = rest.remove(i);
            for (List<String> p : permutations(rest)) {
                List<String> q = new ArrayList<>();
                q.add(first);
                q.addAll(p);
                out.add(q);
            }
        }
        return out;
    }

    @Test
    void missingCheckpointsAndABadKAreOneLineEach() {
        List<ResultTable.Row> rows = new ArrayList<>(planted(new int[] {0, 10, 100, 1000}, 2).rows());
        rows.removeIf(r -> r.head() == 1 && r.layer() == 0 && r.step() >= 10); // head 0:1 only at step 0
        HeadLabException e = assertThrows(HeadLabException.class, () -> HeadClusters.cluster(new ResultTable("x",
                rows), "llc", "v", "llc/mean", null, HeadClusters.Normalisation.STANDARDISE, 0));
        assertTrue(e.getMessage().contains("only 1 checkpoints are stored for every head ([0])"), e.getMessage());
        HeadLabException k = assertThrows(HeadLabException.class, () -> HeadClusters.cluster(planted(
                new int[] {0, 10, 100}, 2), "llc", "v", "llc/mean", 8, HeadClusters.Normalisation.NONE, 0));
        assertTrue(k.getMessage().contains("--k must be between 2 and 7"), k.getMessage());
    }
}
