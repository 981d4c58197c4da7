package org.headlab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.headlab.core.analysis.HeadClusters;
import org.headlab.core.analysis.HierarchicalClustering;
import org.headlab.core.estimate.Head;
import org.headlab.core.figure.CurveFigures;
import org.headlab.core.labels.HeadEvidence;
import org.headlab.core.labels.LabelSet;
import org.headlab.core.labels.LabelSuggester;
import org.headlab.core.run.Run;
import org.headlab.core.store.ResultTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cluster RUN --metric M}: head types found by the data ({@link HeadClusters}), against the labels. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"Cluster the heads by their curves of a stored metric over training (k-means on per-head",
            "standardised curves, the paper's Figure 1, or hierarchically with Ward's or average linkage) and compare",
            "the clusters with the run's labels (Adjusted Rand Index)."},
        footer = {"", "Exit status: 0 done, 2 a usage or input error."})
final class ClusterCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RUN", description = "The run folder.")
    Path runDir;

    @Mixin
    HeadCurveOptions curves;

    @Option(names = "--k", description = "Clusters (default: chosen by the mean silhouette, 2..8).")
    Integer k;

    @Option(names = "--method", defaultValue = "kmeans", description = "kmeans (default: k-means++, 20 restarts),"
            + " ward (hierarchical, Ward's linkage; also 'hierarchical'), average (hierarchical, average linkage) or"
            + " dtw (k-means under dynamic time warping, DBA centres, 10 restarts).")
    String method;

    @Option(names = "--seed", defaultValue = "0", description = "k-means++ seed (default 0).")
    long seed;

    @Option(names = "--json", description = "JSON: clusters, steps, silhouette, ARI against the labels.")
    boolean json;

    @Override
    public Integer call() {
        HeadClusters.Normalisation norm = curves.normalisation();
        HeadClusters.Method how = HeadClusters.Method.parse(method);
        Run run = Run.open(runDir);
        String est = curves.estimator();
        String metric = curves.metric;
        ResultTable table = curves.table(run);
        String variant = curves.variant(table, run);
        HeadClusters.Result r = HeadClusters.cluster(table, est, variant, metric, k, norm, seed, how);
        LabelSet labels = HeadCurveOptions.labels(run);
        int last = r.steps().get(r.steps().size() - 1);
        List<String> clusters = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        r.clusterOf().forEach((head, c) -> {
            clusters.add(String.valueOf(c));
            classes.add(CurveFigures.labelAt(labels, Head.parse(head), last));
        });
        double ari = labels.isEmpty() ? Double.NaN : HeadClusters.adjustedRandIndex(clusters, classes);
        Map<String, String> suggestedByPatterns = patternSuggestions(run, last, r.clusterOf().keySet());
        double ariPatterns = suggestedByPatterns.isEmpty() ? Double.NaN : HeadClusters.adjustedRandIndex(clusters,
                List.copyOf(suggestedByPatterns.values()));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("run", run.name());
            doc.put("estimator", est);
            doc.put("metric", metric);
            doc.put("variant", variant);
            doc.put("normalisation", norm.name().toLowerCase(Locale.ROOT));
            doc.put("method", how.name().toLowerCase(Locale.ROOT));
            doc.put("steps", r.steps());
            doc.put("dropped_steps", r.droppedSteps());
            doc.put("k", r.k());
            doc.put("silhouette", r.silhouette());
            doc.put("clusters", r.clusterOf());
            doc.put("ari_labels", Double.isNaN(ari) ? null : ari);
            doc.put("pattern_suggestions", suggestedByPatterns);
            doc.put("ari_pattern_suggestions", Double.isNaN(ariPatterns) ? null : ariPatterns);
            if (r.tree() != null) {
                // SciPy's linkage-matrix convention: ids 0..n−1 are the heads in "leaves" order, n + i merge i
                List<Map<String, Object>> merges = new ArrayList<>();
                r.tree().merges().forEach(m -> merges.add(Map.of("left", m.left(), "right", m.right(),
                        "height", m.height(), "size", m.size())));
                doc.put("tree", Map.of("leaves", r.tree().leaves(), "merges", merges));
            }
            JsonOutput.print(out, doc);
            return 0;
        }
        String scaled = norm.words();
        out.printf(Locale.ROOT, "%d clusters (%s, mean silhouette %.2f) of %d heads by their %s %s curves over %d"
                + " checkpoints (%d … %d)%s%n", r.k(), how.words(), r.silhouette(), r.clusterOf().size(), scaled,
                metric, r.steps().size(), r.steps().get(0), last,
                r.droppedSteps().isEmpty() ? "" : "; left out, not stored for every head: " + r.droppedSteps());
        Map<Integer, List<String>> members = new TreeMap<>();
        int i = 0;
        for (Map.Entry<String, Integer> e : r.clusterOf().entrySet()) {
            members.computeIfAbsent(e.getValue(), c -> new ArrayList<>()).add(e.getKey()
                    + (labels.isEmpty() ? "" : " (" + classes.get(i) + ")"));
            i++;
        }
        members.forEach((c, hs) -> out.printf("  cluster %d: %s%n", c, String.join(", ", hs)));
        if (r.tree() != null) {
            List<String> order = r.tree().order().stream().map(r.tree().leaves()::get).toList();
            HierarchicalClustering.Merge top = r.tree().merges().get(r.tree().merges().size() - 1);
            out.printf(Locale.ROOT, "  tree: leaves in dendrogram order %s; the last merge at height %.2f (--json"
                    + " gives every merge)%n", String.join(" ", order), top.height());
        }
        if (!Double.isNaN(ari)) {
            out.printf(Locale.ROOT, "Adjusted Rand Index against the labels at step %d: %.2f (1 = the same grouping,"
                    + " 0 = no better than chance)%n", last, ari);
            Map<String, String> classOf = new LinkedHashMap<>();
            int j = 0;
            for (String head : r.clusterOf().keySet()) {
                classOf.put(head, classes.get(j++));
            }
            Map<String, String[]> suggested = HeadClusters.suggestions(r.clusterOf(), classOf,
                    CurveFigures.UNLABELLED, "Other");
            suggested.forEach((head, s) -> out.printf("  the clusters suggest %s for %s (%s; labelled %s) — to"
                    + " accept: headlab labels %s --set %s=%s%n", s[0], head, s[1], classOf.get(head), runDir, head,
                    labels.classes().stream().filter(c -> c.displayName().equals(s[0])).map(
                            org.headlab.core.labels.LabelClass::id).findFirst().orElse(s[0])));
        }
        if (!Double.isNaN(ariPatterns)) {
            out.printf(Locale.ROOT, "Adjusted Rand Index against the pattern-score suggestions at step %d: %.2f (%d of"
                    + " %d heads have one: %s)%n", last, ariPatterns, suggestedByPatterns.values().stream().filter(
                    c -> !c.equals(NO_SUGGESTION)).count(), suggestedByPatterns.size(), suggestedByPatterns);
        }
        return 0;
    }

    static final String NO_SUGGESTION = "none";

    /**
     * What the stored pattern scores suggest for each head at {@code step} ({@link LabelSuggester}'s rules, the label
     * panel's): the class, or "none" where no score clears its threshold; empty when no pattern scores are stored
     * there. The clusters' other reference beside the hand labels (issue 17).
     */
    static Map<String, String> patternSuggestions(Run run, int step, java.util.Collection<String> heads) {
        Map<String, Map<String, Double>> scores = new LinkedHashMap<>();
        for (ResultTable.Row row : ResultTable.read(run).rows()) {
            if (row.estimator().equals("patterns") && row.step() == step && row.layer() >= 0 && row.head() >= 0) {
                row.metrics().forEach((k, v) -> scores.computeIfAbsent(row.layer() + ":" + row.head(),
                        x -> new LinkedHashMap<>()).put(k.substring(k.indexOf('/') + 1), v));
            }
        }
        if (scores.isEmpty()) {
            return Map.of();
        }
        LabelSuggester suggester = new LabelSuggester();
        Map<String, String> out = new LinkedHashMap<>();
        for (String head : heads) {
            Map<String, Double> sc = scores.getOrDefault(head, Map.of());
            out.put(head, suggester.suggest(new HeadEvidence(Head.parse(head), step, sc, "patterns")).map(LabelSuggester.Suggestion::classId).orElse(NO_SUGGESTION));
        }
        return out;
    }
}
