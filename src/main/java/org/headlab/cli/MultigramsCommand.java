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
import org.headlab.core.analysis.MemorisedMultigrams;
import org.headlab.core.analysis.Multigrams;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.Scope;
import org.headlab.core.estimate.ablation.Ablation;
import org.headlab.core.estimate.ablation.AblationResult;
import org.headlab.core.estimate.ablation.AblationScores;
import org.headlab.core.estimate.llc.LlcMetrics;
import org.headlab.core.estimate.llc.LlcSweepEstimator;
import org.headlab.core.figure.FigureExporter;
import org.headlab.core.figure.Provenance;
import org.headlab.core.figure.ScatterFigure;
import org.headlab.core.labels.HeadLabel;
import org.headlab.core.labels.LabelSet;
import org.headlab.core.run.Run;
import org.headlab.core.store.ResultTable;
import org.headlab.core.model.Transformer;
import org.headlab.core.session.RunSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code multigrams RUN --head L:H}: the token pairs a head attends along on a slice ({@link Multigrams}).
 * {@code multigrams RUN --memorised}: per head, the memorised predictions its mean ablation destroys, by kind, and
 * the count of distinct memorised multigrams against the head's stored rLLC ({@link MemorisedMultigrams}).
 */
@Command(name = "multigrams", mixinStandardHelpOptions = true,
        description = {"The token pairs a head attends along on a dataset slice (key token → query token, at which",
            "distance), counted against the pairs a head picking earlier tokens at random would make (lift).",
            "With --memorised: for every head, the predictions the model knows (loss ≤ ln 2) that the head's mean",
            "ablation destroys (loss up ≥ ln 2), sorted into induction, Dyck, n-gram, skip n-gram and other; the",
            "distinct n-grams and skip n-grams are the head's memorised multigrams, set against its stored rLLC on",
            "the same slice and checkpoint (the paper's Appendix B scatter)."},
        footer = {"", "Exit status: 0 done, 2 a usage or input error."})
final class MultigramsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RUN", description = "The run folder.")
    Path runDir;

    @Option(names = "--head", paramLabel = "L:H", description = "The head (required without --memorised).")
    String head;

    @Option(names = "--memorised", description = "Every head's memorised multigrams against its rLLC (see above).")
    boolean memorised;

    @Option(names = "--figure", paramLabel = "FILE", description = "With --memorised: also write the scatter of rLLC"
            + " against memorised multigrams (.png, .svg or .pdf, with its CSV and provenance).")
    Path figure;

    @Option(names = "--step", description = "Checkpoint (default: the last).")
    Integer step;

    @Option(names = "--slice", description = "Dataset slice (default: the run's first).")
    String slice;

    @Option(names = "--windows", defaultValue = "64", description = "Windows of the slice (default: ${DEFAULT-VALUE}).")
    int windows;

    @Option(names = "--top", defaultValue = "15", description = "Pairs to list (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--json", description = "JSON: every pair with count, expected count, lift, distance, example.")
    boolean json;

    @Override
    public Integer call() {
        if (windows < 1 || top < 1) {
            throw new HeadLabException("--windows and --top must be at least 1");
        }
        if (memorised) {
            return memorised();
        }
        if (head == null) {
            throw new HeadLabException("--head L:H is needed (or --memorised for every head)");
        }
        if (figure != null) {
            throw new HeadLabException("--figure goes with --memorised");
        }
        try (RunSession session = RunSession.open(runDir)) {
            Head h = Head.parse(head).checkedAgainst(session.run().config());
            List<Integer> steps = session.steps();
            int s = step != null ? session.run().checkpoint(step).step() : steps.get(steps.size() - 1);
            DatasetSlices slices = new DatasetSlices(session);
            DatasetSlices.Slice sl = slices.slice(slice != null ? slice : slices.defaultSlice());
            int[][] w = sl.windowArray(sl.windowLength(), windows);
            List<List<String>> tokens = new ArrayList<>();
            List<float[][]> patterns = new ArrayList<>();
            try (Transformer t = Transformer.create(session.run().config(), session.run().weights(s))) {
                for (int[] ids : w) {
                    tokens.add(session.tokenizer().tokenStrings(ids));
                    patterns.add(t.attentionPatterns(ids)[h.layer()][h.head()]);
                }
            }
            Multigrams.Result r = Multigrams.count(tokens, patterns);
            PrintWriter out = spec.commandLine().getOut();
            List<Multigrams.Pair> shown = r.pairs().subList(0, Math.min(top, r.pairs().size()));
            if (json) {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (Multigrams.Pair p : r.pairs()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("key", p.key());
                    m.put("query", p.query());
                    m.put("count", p.count());
                    m.put("expected", p.expected());
                    m.put("lift", Double.isInfinite(p.lift()) ? null : p.lift());
                    m.put("distance", p.distance());
                    m.put("example", p.example());
                    rows.add(m);
                }
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("run", session.run().name());
                doc.put("head", h.toString());
                doc.put("step", s);
                doc.put("slice", sl.name());
                doc.put("windows", w.length);
                doc.put("queries", r.queries());
                doc.put("resting_on_first", r.restingOnFirst());
                doc.put("pairs", rows);
                JsonOutput.print(out, doc);
                return 0;
            }
            out.printf(Locale.ROOT, "head %s at step %d on '%s' (%d windows, %d query positions; %.0f %% rest on the"
                    + " first position)%n", h, s, sl.name(), w.length, r.queries(),
                    100.0 * r.restingOnFirst() / Math.max(1, r.queries()));
            out.printf("%6s %8s %7s %8s  %-14s %-14s %s%n", "count", "expected", "lift", "distance", "key", "query",
                    "example");
            for (Multigrams.Pair p : shown) {
                out.printf(Locale.ROOT, "%6d %8.1f %7.1f %8d  %-14s %-14s %s%n", p.count(), p.expected(), p.lift(),
                        p.distance(), quote(p.key()), quote(p.query()), quote(p.example()));
            }
        }
        return 0;
    }

    private Integer memorised() {
        try (RunSession session = RunSession.open(runDir)) {
            Run run = session.run();
            List<Integer> steps = session.steps();
            int s = step != null ? run.checkpoint(step).step() : steps.get(steps.size() - 1);
            DatasetSlices slices = new DatasetSlices(session);
            DatasetSlices.Slice sl = slices.slice(slice != null ? slice : slices.defaultSlice());
            int[][] w = sl.windowArray(sl.windowLength(), windows);
            MemorisedMultigrams m = new MemorisedMultigrams(w, session.vocabulary(),
                    MemorisedMultigrams.Settings.DEFAULT);
            AblationResult ablation;
            try (Transformer t = Transformer.create(run.config(), run.weights(s))) {
                ablation = AblationScores.compute(t, w, null, new Ablation.Mean(null), 16);
            }
            Map<Head, Double> llc = storedLlc(run, sl.name(), s);
            List<Map<String, Object>> rows = new ArrayList<>();
            List<ScatterFigure.Point> points = new ArrayList<>();
            LabelSet labels = HeadCurveOptions.labels(run);
            for (AblationResult.Entry e : ablation.entries()) {
                MemorisedMultigrams.HeadCount c = m.count(ablation.cleanTokenLosses(), e.tokenIncrease(), 3);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("head", e.head().toString());
                row.put("label", labels.at(e.head(), s).map(HeadLabel::classId)
                        .orElse(null));
                c.events().forEach((k, v) -> row.put(k.name().toLowerCase(Locale.ROOT), v));
                row.put("memorised_multigrams", c.multigrams());
                row.put("llc", llc.get(e.head()));
                row.put("examples", c.top().stream().map(ev -> m.describe(ev.multigram()) + " (" + ev.multigram()
                        .kind().name().toLowerCase(Locale.ROOT) + ", +" + String.format(Locale.ROOT, "%.2f",
                        ev.increase()) + ")").toList());
                rows.add(row);
                if (llc.containsKey(e.head())) {
                    points.add(new ScatterFigure.Point(e.head().toString(), (String) row.get("label"),
                            c.multigrams(), llc.get(e.head()), Double.NaN));
                }
            }
            ScatterFigure scatter = new ScatterFigure("rLLC and memorised multigrams, step " + s + " ('"
                    + sl.name() + "')", "memorised multigrams (" + w.length + " windows, mean ablation)",
                    "rLLC λ̂ on '" + sl.name() + "'", points, true, Provenance.builder().run(run.name(),
                    run.dir().toString()).checkpoints(List.of(s)).extra("slice", sl.name())
                    .extra("windows", w.length).extra("ablation", "mean over the same windows")
                    .extra("settings", MemorisedMultigrams.Settings.DEFAULT.toString()).build());
            // a correlation needs three heads and spread on both axes (a random model memorises nothing)
            boolean spread = points.stream().mapToDouble(ScatterFigure.Point::x).distinct().count() > 1
                    && points.stream().mapToDouble(ScatterFigure.Point::y).distinct().count() > 1;
            ScatterFigure.Fit fit = points.size() >= 3 && spread ? scatter.fit() : null;
            double rho = fit != null ? spearman(points) : Double.NaN;
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("run", run.name());
                doc.put("step", s);
                doc.put("slice", sl.name());
                doc.put("windows", w.length);
                doc.put("clean_loss", ablation.cleanLoss());
                doc.put("heads", rows);
                doc.put("fit", fit == null ? null : fit.toMap());
                doc.put("spearman", Double.isNaN(rho) ? null : rho);
                Map<String, Object> perLayer = new LinkedHashMap<>();
                byLayer(points).forEach((l, ps) -> {
                    if (ps.size() >= 3 && fit != null) {
                        perLayer.put(String.valueOf(l), Map.of("n", ps.size(), "pearson", pearson(ps), "spearman",
                                spearman(ps)));
                    }
                });
                doc.put("per_layer", perLayer);
                JsonOutput.print(out, doc);
            } else {
                out.printf(Locale.ROOT, "step %d on '%s' (%d windows): events = known tokens (loss ≤ ln 2) the head's"
                        + " mean ablation raises by ≥ ln 2%n", s, sl.name(), w.length);
                out.printf("%-5s %-16s %9s %5s %6s %9s %6s %10s %7s  %s%n", "head", "label", "induction", "dyck",
                        "ngram", "skip_ngram", "other", "multigrams", "rLLC", "largest");
                for (Map<String, Object> r : rows) {
                    List<?> ex = (List<?>) r.get("examples");
                    out.printf(Locale.ROOT, "%-5s %-16s %9d %5d %6d %9d %6d %10d %7s  %s%n", r.get("head"),
                            r.get("label") == null ? "" : r.get("label"), r.get("induction"), r.get("dyck"),
                            r.get("ngram"), r.get("skip_ngram"), r.get("other"), r.get("memorised_multigrams"),
                            r.get("llc") == null ? "—" : String.format(Locale.ROOT, "%.3f", (Double) r.get("llc")),
                            ex.isEmpty() ? "" : ex.get(0).toString().replace("\n", "\\n"));
                }
                for (Map.Entry<Integer, List<ScatterFigure.Point>> layer : byLayer(points).entrySet()) {
                    if (layer.getValue().size() >= 3 && fit != null) {
                        out.printf(Locale.ROOT, "layer %d (%d heads): Pearson r %.2f, Spearman ρ %.2f%n",
                                layer.getKey(), layer.getValue().size(), pearson(layer.getValue()),
                                spearman(layer.getValue()));
                    }
                }
                out.println(points.size() < 3 ? "no rLLC stored on '" + sl.name() + "' at step " + s + " for 3 or"
                        + " more heads: compute it with `sweep " + runDir + " --estimators llc --heads all --steps " + s
                        + " --dataset " + sl.name() + "`"
                        : fit == null ? "no correlation: the heads' memorised multigrams or rLLCs are all equal"
                        : String.format(Locale.ROOT, "rLLC against memorised multigrams over %d heads: Pearson r"
                        + " %.2f, Spearman ρ %.2f, slope %.4f per multigram", fit.n(), fit.r(), rho, fit.slope()));
            }
            if (figure != null) {
                FigureExporter.export(scatter, figure, 150);
            }
            return 0;
        }
    }

    /** The head-scoped rLLC means stored for this slice and checkpoint (the slice's most used parameter set). */
    private static Map<Head, Double> storedLlc(Run run, String slice, int step) {
        ResultTable all = ResultTable.read(run);
        ResultTable onSlice = new ResultTable(all.runName(), all.rows().stream()
                .filter(r -> slice.equals(r.dataset())).toList());
        String variant = onSlice.mainVariant(LlcSweepEstimator.ID, LlcMetrics.MEAN);
        Map<Head, Double> out = new LinkedHashMap<>();
        for (ResultTable.Row r : onSlice.rows()) {
            if (r.variant().equals(variant) && r.step() == step && r.scope() == Scope.HEAD
                    && r.metrics().containsKey(LlcMetrics.MEAN)) {
                out.put(r.asHead(), r.metrics().get(LlcMetrics.MEAN));
            }
        }
        return out;
    }

    /** The points by the layer of the head they name ("L:H"). */
    private static Map<Integer, List<ScatterFigure.Point>> byLayer(List<ScatterFigure.Point> points) {
        Map<Integer, List<ScatterFigure.Point>> out = new java.util.TreeMap<>();
        for (ScatterFigure.Point p : points) {
            out.computeIfAbsent(Head.parse(p.name()).layer(), k -> new ArrayList<>()).add(p);
        }
        return out;
    }

    static double pearson(List<ScatterFigure.Point> points) {
        return new org.apache.commons.math3.stat.correlation.PearsonsCorrelation().correlation(
                points.stream().mapToDouble(ScatterFigure.Point::x).toArray(),
                points.stream().mapToDouble(ScatterFigure.Point::y).toArray());
    }

    /** Spearman's ρ: Pearson's r of the ranks (ties share their mean rank). */
    static double spearman(List<ScatterFigure.Point> points) {
        double[] x = ranks(points.stream().mapToDouble(ScatterFigure.Point::x).toArray());
        double[] y = ranks(points.stream().mapToDouble(ScatterFigure.Point::y).toArray());
        return new org.apache.commons.math3.stat.correlation.PearsonsCorrelation().correlation(x, y);
    }

    private static double[] ranks(double[] v) {
        return new org.apache.commons.math3.stat.ranking.NaturalRanking(
                org.apache.commons.math3.stat.ranking.TiesStrategy.AVERAGE).rank(v);
    }

    private static String quote(String s) {
        return "'" + s.replace("\n", "\\n") + "'";
    }
}
