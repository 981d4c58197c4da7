package org.headlab.core.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.Head;
import org.headlab.core.store.ResultTable;

/**
 * Two runs of the same architecture (e.g. two seeds, the paper's Appendix G) compared through their heads' curves of
 * one stored metric: each head of run A matched to one head of run B by the optimal assignment ({@link Assignment})
 * of the distances between their normalised curves over the checkpoints both runs have for every head — within the
 * same layer by default, since a head's place in the circuit is its layer — and the head types each run's own
 * clustering finds, compared through the matching (Adjusted Rand Index).
 */
public final class RunComparison {
    /** A head of A, its match in B and the distance between their normalised curves. */
    public record Pair(String a, String b, double distance) {
    }

    /**
     * @param meanMatched the mean distance of the matched pairs
     * @param meanUnmatched the mean distance over every allowed (A head, B head) pair: what a random matching gives
     * @param clusterAri the ARI between A's k-means clusters and B's, read through the matching
     * @param valuesA each head's stored values in run A on {@code steps} (not normalised), for figures
     */
    public record Result(List<Integer> steps, List<Pair> pairs, double meanMatched, double meanUnmatched,
            Map<String, Integer> clustersA, Map<String, Integer> clustersB, double clusterAri,
            Map<String, double[]> valuesA, Map<String, double[]> valuesB) {
    }

    private RunComparison() {
    }

    public static Result compare(ResultTable a, ResultTable b, String estimator, String variantA, String variantB,
            String metric, HeadClusters.Normalisation norm, boolean withinLayer, long seed) {
        Map<String, TreeMap<Integer, Double>> ra = HeadClusters.rawCurves(a, estimator, variantA, metric);
        Map<String, TreeMap<Integer, Double>> rb = HeadClusters.rawCurves(b, estimator, variantB, metric);
        if (!ra.keySet().equals(rb.keySet())) {
            throw new HeadLabException(metric + ": the runs have it stored for different heads (" + a.runName() + ": "
                    + ra.size() + ", " + b.runName() + ": " + rb.size() + "); compare runs of the same shape with the"
                    + " same heads swept");
        }
        TreeSet<Integer> common = null;
        for (Map<String, TreeMap<Integer, Double>> run : List.of(ra, rb)) {
            for (TreeMap<Integer, Double> c : run.values()) {
                if (common == null) {
                    common = new TreeSet<>(c.keySet());
                } else {
                    common.retainAll(c.keySet());
                }
            }
        }
        if (common == null || common.size() < 3) {
            throw new HeadLabException(metric + ": only " + (common == null ? 0 : common.size()) + " checkpoints are"
                    + " stored for every head in both runs; comparing curves needs at least 3");
        }
        List<String> heads = List.copyOf(ra.keySet());
        Map<String, double[]> ca = curves(ra, common, norm);
        Map<String, double[]> cb = curves(rb, common, norm);
        int n = heads.size();
        double big = 0;
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                d[i][j] = HeadClusters.distance(ca.get(heads.get(i)), cb.get(heads.get(j)));
                big = Math.max(big, d[i][j]);
            }
        }
        double[][] cost = new double[n][n];
        double unmatched = 0;
        int allowed = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                boolean ok = !withinLayer || Head.parse(heads.get(i)).layer() == Head.parse(heads.get(j)).layer();
                // a pair across layers costs more than any allowed assignment: never chosen when forbidden
                cost[i][j] = ok ? d[i][j] : d[i][j] + (big + 1) * n;
                if (ok) {
                    unmatched += d[i][j];
                    allowed++;
                }
            }
        }
        int[] match = Assignment.solve(cost);
        List<Pair> pairs = new ArrayList<>();
        double matched = 0;
        for (int i = 0; i < n; i++) {
            pairs.add(new Pair(heads.get(i), heads.get(match[i]), d[i][match[i]]));
            matched += d[i][match[i]];
        }
        // each run clustered on the same checkpoints as the matching, so that both see the same stretch of training
        TreeSet<Integer> steps = common;
        Map<String, Integer> clustersA = HeadClusters.cluster(onSteps(a, steps), estimator, variantA, metric, null,
                norm, seed).clusterOf();
        Map<String, Integer> clustersB = HeadClusters.cluster(onSteps(b, steps), estimator, variantB, metric, null,
                norm, seed).clusterOf();
        List<String> la = new ArrayList<>();
        List<String> lb = new ArrayList<>();
        for (Pair p : pairs) {
            la.add(String.valueOf(clustersA.get(p.a())));
            lb.add(String.valueOf(clustersB.get(p.b())));
        }
        return new Result(List.copyOf(common), pairs, matched / n, unmatched / allowed, clustersA, clustersB,
                HeadClusters.adjustedRandIndex(la, lb), curves(ra, common, HeadClusters.Normalisation.NONE),
                curves(rb, common, HeadClusters.Normalisation.NONE));
    }

    private static ResultTable onSteps(ResultTable t, java.util.Set<Integer> steps) {
        return new ResultTable(t.runName(), t.rows().stream().filter(r -> steps.contains(r.step())).toList());
    }

    /** Whether a clustering is exactly the split by layer (then a within-layer matching agrees with it trivially). */
    public static boolean isLayerSplit(Map<String, Integer> clusters) {
        Map<Integer, Integer> clusterOfLayer = new java.util.HashMap<>();
        Map<Integer, Integer> layerOfCluster = new java.util.HashMap<>();
        for (Map.Entry<String, Integer> e : clusters.entrySet()) {
            int layer = Head.parse(e.getKey()).layer();
            if (!clusterOfLayer.computeIfAbsent(layer, l -> e.getValue()).equals(e.getValue())
                    || !layerOfCluster.computeIfAbsent(e.getValue(), c -> layer).equals(layer)) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, double[]> curves(Map<String, TreeMap<Integer, Double>> raw, TreeSet<Integer> steps,
            HeadClusters.Normalisation norm) {
        Map<String, double[]> out = new LinkedHashMap<>();
        raw.forEach((h, c) -> out.put(h, HeadClusters.normalise(steps.stream().mapToDouble(c::get).toArray(), norm)));
        return out;
    }
}
