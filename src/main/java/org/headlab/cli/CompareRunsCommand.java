package org.headlab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.headlab.core.HeadLabException;
import org.headlab.core.analysis.HeadClusters;
import org.headlab.core.analysis.RunComparison;
import org.headlab.core.estimate.Head;
import org.headlab.core.figure.CurveFigures;
import org.headlab.core.figure.Figure;
import org.headlab.core.figure.FigureExporter;
import org.headlab.core.figure.Provenance;
import org.headlab.core.figure.StackedFigure;
import org.headlab.core.figure.TrajectoryFigure;
import org.headlab.core.labels.LabelSet;
import org.headlab.core.run.Run;
import org.headlab.core.store.ResultTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code compare-runs A B --metric M}: two runs' heads matched by their curves ({@link RunComparison}). */
@Command(name = "compare-runs", mixinStandardHelpOptions = true,
        description = {"Match the heads of two runs of the same architecture (e.g. two seeds) by the curves of a",
            "stored metric over training (optimal assignment of curve distances, within each layer), and compare",
            "the head types each run's clustering finds through the matching."},
        footer = {"", "Exit status: 0 done, 2 a usage or input error."})
final class CompareRunsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_A", description = "The first run folder.")
    Path runA;

    @Parameters(index = "1", paramLabel = "RUN_B", description = "The second run folder.")
    Path runB;

    @Mixin
    HeadCurveOptions curves;

    @Option(names = "--across-layers", description = "Let a head match a head of another layer.")
    boolean acrossLayers;

    @Option(names = "--json", description = "JSON: the pairs, distances, clusters and their agreement.")
    boolean json;

    @Option(names = "--figure", paramLabel = "FILE", description = "Also write the figure (.png, .svg or .pdf, with"
            + " its CSV and provenance beside it): per layer, both runs' curves, matched heads in the same colour.")
    Path figure;

    @Override
    public Integer call() {
        HeadClusters.Normalisation norm = curves.normalisation();
        String metric = curves.metric;
        Run a = Run.open(runA);
        Run b = Run.open(runB);
        if (a.config().nLayers() != b.config().nLayers() || a.config().nHeads() != b.config().nHeads()) {
            throw new HeadLabException(a.name() + " has " + a.config().nLayers() + " × " + a.config().nHeads()
                    + " heads, " + b.name() + " " + b.config().nLayers() + " × " + b.config().nHeads()
                    + ": only runs of the same shape can be matched head to head");
        }
        String est = curves.estimator();
        ResultTable ta = curves.table(a);
        ResultTable tb = curves.table(b);
        String va = curves.variant(ta, a);
        String vb = curves.variant(tb, b);
        RunComparison.Result r = RunComparison.compare(ta, tb, est, va, vb, metric, norm, !acrossLayers, 0);
        LabelSet la = HeadCurveOptions.labels(a);
        LabelSet lb = HeadCurveOptions.labels(b);
        int last = r.steps().get(r.steps().size() - 1);
        if (figure != null) {
            FigureExporter.export(figure(a, b, est, r), figure, 150);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("run_a", a.name());
            doc.put("run_b", b.name());
            doc.put("estimator", est);
            doc.put("metric", metric);
            doc.put("normalisation", norm.name().toLowerCase(Locale.ROOT));
            doc.put("within_layers", !acrossLayers);
            doc.put("steps", r.steps());
            List<Map<String, Object>> pairs = new ArrayList<>();
            for (RunComparison.Pair p : r.pairs()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("a", p.a());
                m.put("b", p.b());
                m.put("distance", p.distance());
                m.put("label_a", label(la, p.a(), last));
                m.put("label_b", label(lb, p.b(), last));
                pairs.add(m);
            }
            doc.put("pairs", pairs);
            doc.put("mean_matched_distance", r.meanMatched());
            doc.put("mean_unmatched_distance", r.meanUnmatched());
            doc.put("clusters_a", r.clustersA());
            doc.put("clusters_b", r.clustersB());
            doc.put("cluster_ari_through_matching", r.clusterAri());
            doc.put("clusters_are_layers", RunComparison.isLayerSplit(r.clustersA())
                    && RunComparison.isLayerSplit(r.clustersB()));
            JsonOutput.print(out, doc);
            return 0;
        }
        out.printf(Locale.ROOT, "%s → %s: heads matched by their %s %s curves over %d checkpoints (%d … %d)%s;"
                + " mean distance %.2f matched, %.2f for a random matching%n", a.name(), b.name(),
                norm.words(), metric, r.steps().size(), r.steps().get(0), last,
                acrossLayers ? "" : ", within each layer", r.meanMatched(), r.meanUnmatched());
        for (RunComparison.Pair p : r.pairs()) {
            out.printf(Locale.ROOT, "  %s %-18s → %s %-18s distance %.2f%n", p.a(), "(" + label(la, p.a(), last) + ")",
                    p.b(), "(" + label(lb, p.b(), last) + ")", p.distance());
        }
        out.printf(Locale.ROOT, "Head types by k-means in each run: %d clusters in %s, %d in %s; Adjusted Rand Index"
                + " through the matching %.2f (1 = the same types, 0 = chance)%s%n",
                r.clustersA().values().stream().distinct().count(), a.name(),
                r.clustersB().values().stream().distinct().count(), b.name(), r.clusterAri(),
                !acrossLayers && RunComparison.isLayerSplit(r.clustersA()) && RunComparison.isLayerSplit(r.clustersB())
                        ? "; both runs' clusters are their layers, which a matching within layers agrees with by"
                        + " construction: nothing learnt from this index" : "");
        return 0;
    }

    /** Per layer a row with one panel per run; a matched pair shares its colour and legend entry. */
    private Figure figure(Run a, Run b, String est, RunComparison.Result r) {
        double[] steps = r.steps().stream().mapToDouble(Integer::doubleValue).toArray();
        Map<Integer, List<TrajectoryFigure.Series>> byLayer = new java.util.TreeMap<>();
        for (RunComparison.Pair p : r.pairs()) {
            String pair = p.a() + " ↔ " + p.b();
            List<TrajectoryFigure.Series> row = byLayer.computeIfAbsent(Head.parse(p.a()).layer(),
                    l -> new ArrayList<>());
            row.add(new TrajectoryFigure.Series(a.name() + " " + p.a(), pair, a.name(), steps,
                    r.valuesA().get(p.a()), null));
            row.add(new TrajectoryFigure.Series(b.name() + " " + p.b(), pair, b.name(), steps,
                    r.valuesB().get(p.b()), null));
        }
        String metric = curves.metric;
        Provenance prov = Provenance.builder().run(a.name() + " vs " + b.name(), a.dir() + " | " + b.dir())
                .checkpoints(r.steps()).extra("metric", metric).extra("estimator", est)
                .extra("matching", "optimal assignment of distances between " + "per-head curves ("
                        + curves.normalise + ")" + (acrossLayers ? "" : " within each layer"))
                .extra("pairs", r.pairs().stream().map(p -> p.a() + " -> " + p.b()).toList())
                .extra("mean_matched_distance", r.meanMatched()).extra("mean_unmatched_distance",
                        r.meanUnmatched()).extra("cluster_ari_through_matching", r.clusterAri()).build();
        List<TrajectoryFigure> rows = new ArrayList<>();
        byLayer.forEach((layer, series) -> rows.add(new TrajectoryFigure("layer " + layer, "training step", metric,
                series, List.of(), true, prov)));
        // a pair's two curves take two shades of its colour: the darker is run A's head
        return new StackedFigure(String.format(Locale.ROOT, "%s, %s vs %s: matched heads share a colour", metric,
                a.name(), b.name()), rows, prov);
    }

    private static String label(LabelSet labels, String head, int step) {
        return CurveFigures.labelAt(labels, Head.parse(head), step);
    }
}
