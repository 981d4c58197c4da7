package org.headlab.core.analysis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.DoublePoint;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.ml.clustering.MultiKMeansPlusPlusClusterer;
import org.apache.commons.math3.ml.distance.EuclideanDistance;
import org.apache.commons.math3.random.MersenneTwister;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.Scope;
import org.headlab.core.store.ResultTable;

/**
 * Head types found by the data (the paper's Figure 1, Appendix F): every head's curve of one stored metric over the
 * checkpoints all heads share, normalised per head, clustered by k-means (k-means++ seeding, several restarts;
 * Apache Commons Math) or hierarchically (Ward, average; {@link HierarchicalClustering}), k given or chosen by the
 * mean silhouette. The clusters can be compared with the labels by
 * the Adjusted Rand Index ({@link #adjustedRandIndex}).
 */
public final class HeadClusters {
    /** How each head's curve is scaled before clustering. */
    public enum Normalisation {
        /** (x − mean) / std: the curve's shape only (the paper's choice). */
        STANDARDISE,
        /** (x − min) / (max − min). */
        MINMAX,
        /** the values as stored. */
        NONE;

        /** "standardised", "min-max scaled" or "unscaled", for sentences. */
        public String words() {
            return switch (this) {
                case STANDARDISE -> "standardised";
                case MINMAX -> "min-max scaled";
                case NONE -> "unscaled";
            };
        }
    }

    /** How the heads are grouped. */
    public enum Method {
        /** k-means, k-means++ seeding, 20 restarts (the paper's Appendix F). */
        KMEANS("k-means"),
        /** hierarchical, Ward's linkage ({@link HierarchicalClustering}). */
        WARD("hierarchical, Ward"),
        /** hierarchical, average linkage. */
        AVERAGE("hierarchical, average linkage"),
        /** k-means under dynamic time warping with DBA centres ({@link Dtw}): curves that turn a little apart match. */
        DTW("k-means under DTW");

        private final String words;

        Method(String words) {
            this.words = words;
        }

        public String words() {
            return words;
        }

        /** kmeans, ward (or hierarchical), average; one line naming the choices otherwise. */
        public static Method parse(String name) {
            return switch (name.toLowerCase(java.util.Locale.ROOT)) {
                case "kmeans", "k-means" -> KMEANS;
                case "ward", "hierarchical" -> WARD;
                case "average" -> AVERAGE;
                case "dtw" -> DTW;
                default -> throw new HeadLabException("--method must be kmeans, ward (hierarchical), average or dtw,"
                        + " not '" + name + "'");
            };
        }
    }

    /**
     * The clustering: cluster by head ("L:H"), the steps used, the steps dropped, k and its mean silhouette, the
     * method, and for a hierarchical method its tree (null for k-means).
     */
    public record Result(Map<String, Integer> clusterOf, List<Integer> steps, List<Integer> droppedSteps, int k,
            double silhouette, Map<String, double[]> curves, Method method, HierarchicalClustering.Tree tree) {
    }

    private HeadClusters() {
    }

    /**
     * Clusters the heads' curves of {@code metric} of {@code estimator} rows of {@code variant}; {@code k} null picks
     * k in 2..min(8, heads − 1) by the mean silhouette.
     */
    public static Result cluster(ResultTable table, String estimator, String variant, String metric, Integer k,
            Normalisation norm, long seed) {
        return cluster(table, estimator, variant, metric, k, norm, seed, Method.KMEANS);
    }

    /** As {@link #cluster(ResultTable, String, String, String, Integer, Normalisation, long)} by {@code method}. */
    public static Result cluster(ResultTable table, String estimator, String variant, String metric, Integer k,
            Normalisation norm, long seed, Method method) {
        Map<String, TreeMap<Integer, Double>> byHead = rawCurves(table, estimator, variant, metric);
        if (byHead.size() < 3) {
            throw new HeadLabException(metric + ": " + byHead.size() + " heads have stored values; clustering needs"
                    + " at least 3");
        }
        TreeSet<Integer> all = new TreeSet<>();
        byHead.values().forEach(c -> all.addAll(c.keySet()));
        TreeSet<Integer> common = new TreeSet<>(all);
        byHead.values().forEach(c -> common.retainAll(c.keySet()));
        if (common.size() < 3) {
            throw new HeadLabException(metric + ": only " + common.size() + " checkpoints are stored for every head ("
                    + common + "); clustering curves needs at least 3 (sweep the missing heads at the same steps)");
        }
        List<Integer> dropped = all.stream().filter(s -> !common.contains(s)).toList();
        int n = byHead.size();
        if (k != null && (k < 2 || k >= n)) {
            throw new HeadLabException("--k must be between 2 and " + (n - 1) + " (the number of heads − 1), not " + k);
        }
        Map<String, double[]> curves = new LinkedHashMap<>();
        for (Map.Entry<String, TreeMap<Integer, Double>> e : byHead.entrySet()) {
            double[] x = common.stream().mapToDouble(s -> e.getValue().get(s)).toArray();
            curves.put(e.getKey(), normalise(x, norm));
        }
        List<String> heads = List.copyOf(curves.keySet());
        boolean hierarchical = method == Method.WARD || method == Method.AVERAGE;
        HierarchicalClustering.Tree tree = !hierarchical ? null : HierarchicalClustering.cluster(heads,
                heads.stream().map(curves::get).toList(), method == Method.WARD ? HierarchicalClustering.Linkage.WARD
                : HierarchicalClustering.Linkage.AVERAGE);
        int[] best = null;
        int bestK = 0;
        double bestS = Double.NEGATIVE_INFINITY;
        int from = k != null ? k : 2;
        int to = k != null ? k : Math.min(8, n - 1);
        for (int kk = from; kk <= to; kk++) {
            int[] labels = tree != null ? tree.cut(kk) : method == Method.DTW
                    ? Dtw.kmeans(heads.stream().map(curves::get).toList(), kk, seed, 10)
                    : kmeans(heads, curves, kk, seed);
            // the silhouette in the distance the clustering used
            double s = silhouette(heads, curves, labels, method == Method.DTW ? Dtw::distance : HeadClusters::distance);
            if (s > bestS) {
                bestS = s;
                best = labels;
                bestK = kk;
            }
        }
        Map<String, Integer> clusterOf = new LinkedHashMap<>();
        for (int i = 0; i < heads.size(); i++) {
            clusterOf.put(heads.get(i), best[i]);
        }
        return new Result(clusterOf, List.copyOf(common), dropped, bestK, bestS, curves, method, tree);
    }

    /** Each head's ("L:H") stored values of {@code metric} by step, for rows of {@code variant}. */
    static Map<String, TreeMap<Integer, Double>> rawCurves(ResultTable table, String estimator, String variant,
            String metric) {
        Map<String, TreeMap<Integer, Double>> byHead = new TreeMap<>();
        for (ResultTable.Row r : table.rows()) {
            if (r.estimator().equals(estimator) && r.scope() == Scope.HEAD && r.variant().equals(variant)
                    && r.metrics().containsKey(metric)) {
                byHead.computeIfAbsent(r.layer() + ":" + r.head(), h -> new TreeMap<>()).put(r.step(),
                        r.metrics().get(metric));
            }
        }
        return byHead;
    }

    static double[] normalise(double[] x, Normalisation norm) {
        double[] out = x.clone();
        switch (norm) {
            case STANDARDISE -> {
                double m = java.util.Arrays.stream(x).average().orElse(0);
                double v = java.util.Arrays.stream(x).map(a -> (a - m) * (a - m)).sum() / x.length;
                double sd = Math.sqrt(v);
                for (int i = 0; i < x.length; i++) {
                    out[i] = sd > 0 ? (x[i] - m) / sd : 0;
                }
            }
            case MINMAX -> {
                double lo = java.util.Arrays.stream(x).min().orElse(0);
                double hi = java.util.Arrays.stream(x).max().orElse(0);
                for (int i = 0; i < x.length; i++) {
                    out[i] = hi > lo ? (x[i] - lo) / (hi - lo) : 0;
                }
            }
            case NONE -> { }
        }
        return out;
    }

    /** Cluster index per head (0..k−1, numbered by first appearance in head order). */
    private static int[] kmeans(List<String> heads, Map<String, double[]> curves, int k, long seed) {
        List<DoublePoint> points = new ArrayList<>();
        heads.forEach(h -> points.add(new DoublePoint(curves.get(h))));
        KMeansPlusPlusClusterer<DoublePoint> one = new KMeansPlusPlusClusterer<>(k, 300, new EuclideanDistance(),
                new MersenneTwister(seed));
        List<CentroidCluster<DoublePoint>> clusters = new MultiKMeansPlusPlusClusterer<>(one, 20).cluster(points);
        // by identity: two heads with equal curves are equal DoublePoints but two items
        Map<DoublePoint, Integer> index = new java.util.IdentityHashMap<>();
        for (int i = 0; i < points.size(); i++) {
            index.put(points.get(i), i);
        }
        int[] raw = new int[heads.size()];
        for (int c = 0; c < clusters.size(); c++) {
            for (DoublePoint p : clusters.get(c).getPoints()) {
                raw[index.get(p)] = c;
            }
        }
        Map<Integer, Integer> renumber = new HashMap<>();
        int[] out = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            out[i] = renumber.computeIfAbsent(raw[i], c -> renumber.size());
        }
        return out;
    }

    /** The mean silhouette (Rousseeuw 1987) of a clustering; a point alone in its cluster counts 0. */
    static double silhouette(List<String> heads, Map<String, double[]> curves, int[] labels,
            java.util.function.ToDoubleBiFunction<double[], double[]> distance) {
        int n = heads.size();
        double total = 0;
        for (int i = 0; i < n; i++) {
            Map<Integer, double[]> sums = new HashMap<>(); // cluster → {sum of distances, count}
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    double[] s = sums.computeIfAbsent(labels[j], c -> new double[2]);
                    s[0] += distance.applyAsDouble(curves.get(heads.get(i)), curves.get(heads.get(j)));
                    s[1]++;
                }
            }
            double[] own = sums.get(labels[i]);
            if (own == null) {
                continue;
            }
            double a = own[0] / own[1];
            double b = Double.POSITIVE_INFINITY;
            for (Map.Entry<Integer, double[]> e : sums.entrySet()) {
                if (e.getKey() != labels[i]) {
                    b = Math.min(b, e.getValue()[0] / e.getValue()[1]);
                }
            }
            total += Double.isInfinite(b) ? 0 : (b - a) / Math.max(a, b);
        }
        return total / n;
    }

    static double distance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }

    /**
     * Labels the clusters suggest (issue 17: clusters offered as label suggestions, never applied): for each head
     * that is unlabelled or labelled {@code other}, the class most of its cluster-mates carry, when at least two of
     * them and more than half of the labelled ones carry it. A head with a class of its own is never offered another:
     * a cluster groups curves of one shape, which several classes can share. {@code classOf} is each head's class
     * (null or {@code unlabelled}: none); {@code other} never suggests anything.
     *
     * @return head → suggested class and its support ("2 of 3 cluster-mates"), in head order
     */
    public static Map<String, String[]> suggestions(Map<String, Integer> clusterOf, Map<String, String> classOf,
            String unlabelled, String other) {
        Map<String, String[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : clusterOf.entrySet()) {
            String own = classOf.get(e.getKey());
            if (own != null && !own.equals(unlabelled) && !own.equals(other)) {
                continue;
            }
            Map<String, Integer> votes = new TreeMap<>();
            int labelled = 0;
            for (Map.Entry<String, Integer> mate : clusterOf.entrySet()) {
                String c = classOf.get(mate.getKey());
                if (!mate.getKey().equals(e.getKey()) && mate.getValue().equals(e.getValue()) && c != null
                        && !c.equals(unlabelled)) {
                    labelled++;
                    if (!c.equals(other)) {
                        votes.merge(c, 1, Integer::sum);
                    }
                }
            }
            int total = labelled;
            votes.entrySet().stream().max(Map.Entry.comparingByValue()).ifPresent(best -> {
                if (best.getValue() >= 2 && 2 * best.getValue() > total
                        && !best.getKey().equals(classOf.get(e.getKey()))) {
                    out.put(e.getKey(), new String[] {best.getKey(), best.getValue() + " of " + total
                            + " labelled cluster-mates"});
                }
            });
        }
        return out;
    }

    /**
     * The Adjusted Rand Index (Hubert and Arabie 1985) of two labellings of the same items: 1 for identical
     * partitions, about 0 for independent ones.
     */
    public static double adjustedRandIndex(List<String> a, List<String> b) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException("two labellings of " + a.size() + " and " + b.size() + " items");
        }
        Map<String, Map<String, Integer>> table = new HashMap<>();
        Map<String, Integer> rows = new HashMap<>();
        Map<String, Integer> cols = new HashMap<>();
        for (int i = 0; i < a.size(); i++) {
            table.computeIfAbsent(a.get(i), x -> new HashMap<>()).merge(b.get(i), 1, Integer::sum);
            rows.merge(a.get(i), 1, Integer::sum);
            cols.merge(b.get(i), 1, Integer::sum);
        }
        double index = 0;
        for (Map<String, Integer> r : table.values()) {
            for (int v : r.values()) {
                index += pairs(v);
            }
        }
        double sa = rows.values().stream().mapToDouble(HeadClusters::pairs).sum();
        double sb = cols.values().stream().mapToDouble(HeadClusters::pairs).sum();
        double expected = sa * sb / pairs(a.size());
        double max = (sa + sb) / 2;
        return max == expected ? 1.0 : (index - expected) / (max - expected);
    }

    private static double pairs(int n) {
        return n * (n - 1) / 2.0;
    }
}
