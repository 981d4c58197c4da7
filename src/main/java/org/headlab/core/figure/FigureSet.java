package org.headlab.core.figure;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.headlab.core.AtomicFiles;
import org.headlab.core.HeadLabException;
import org.headlab.core.Json;
import org.headlab.core.analysis.HeadClusters;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.Estimator;
import org.headlab.core.estimate.EstimatorRegistry;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.Params;
import org.headlab.core.estimate.Scope;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.estimate.composition.CompositionMetrics;
import org.headlab.core.estimate.curvature.CurvatureMetrics;
import org.headlab.core.estimate.curvature.FisherTraceEstimator;
import org.headlab.core.estimate.curvature.HessianRankEstimator;
import org.headlab.core.estimate.curvature.HessianTraceEstimator;
import org.headlab.core.estimate.llc.LlcMetrics;
import org.headlab.core.estimate.loss.LossMetrics;
import org.headlab.core.estimate.patterns.PatternMetrics;
import org.headlab.core.labels.HeadLabel;
import org.headlab.core.labels.LabelClass;
import org.headlab.core.labels.LabelSet;
import org.headlab.core.run.DatasetRef;
import org.headlab.core.run.Run;
import org.headlab.core.session.AttentionResult;
import org.headlab.core.session.RunSession;
import org.headlab.core.store.ResultKey;
import org.headlab.core.store.ResultStore;
import org.headlab.core.store.ResultTable;
import org.headlab.core.store.StoredResult;
import org.headlab.core.sweep.SweepPlan;

/**
 * A run's figure set: what it is, what it needs from the result store, what is missing (as sweep tasks and the
 * command that makes them) and the figures themselves, drawn from the stored results and the labels alone. The
 * {@code figures} command and the workbench's "Export figure set…" both go through here, so they write the same
 * files.
 *
 * <p>The set: rLLC per head with stage bands; the rLLC per dataset slice (data-refined, e.g. text vs code), all heads
 * and one figure per labelled head; the induction heads' rLLC stacked over their induction score and the loss;
 * final rLLC against every per-head statistic; ablation and pattern-score curves; composition scores over training
 * against the random baseline; attention maps of the labelled heads. Each figure carries its data and provenance.
 */
public final class FigureSet {
    /** A composition pair is drawn when it beats the random baseline's mean by this many of its stds at a step. */
    static final double BASELINE_SIGMAS = 2.0;
    /** The cheap rLLC settings a figure set's compute step uses (the rest are the defaults: ε 1e-3, γ 200, nβ 30). */
    public static final Map<String, String> CHEAP_LLC = ordered("chains", "2", "draws", "40", "batch", "16",
            "init_batches", "0");
    /** The loss used for stage bands when no full-model LLC is stored. */
    public static final Map<String, String> CHEAP_LOSS = Map.of("max_sequences", "256");
    /** How many checkpoints the compute step samples the rLLC at (evenly in ln(1 + step), first and last included). */
    public static final int LLC_CHECKPOINTS = 8;
    /** The label class whose heads get the stacked rLLC / induction score / loss figure. */
    static final String INDUCTION_CLASS = LabelClass.INDUCTION.id();

    /**
     * What to draw.
     *
     * @param step the checkpoint of the attention maps and of the labels (null: the last)
     * @param text the input of the attention maps (null: the run's sample input)
     * @param stagesFrom the curve the stage bands are detected on: auto, llc_full, loss or none
     * @param scatterX per-head statistics to plot the final rLLC against (null: every stored ablation Δloss and
     *     pattern score)
     */
    public record Options(Integer step, String text, String stagesFrom, List<String> scatterX) {
        public Options {
            stagesFrom = stagesFrom == null ? "auto" : stagesFrom;
            if (!StageBands.SOURCES.contains(stagesFrom)) {
                throw new HeadLabException("--stages must be auto, llc_full, loss or none, not '" + stagesFrom + "'");
            }
            scatterX = scatterX == null ? null : scatterX.stream().map(String::trim).toList();
        }

        public static Options defaults() {
            return new Options(null, null, "auto", null);
        }
    }

    /** Results a figure family needs that the store lacks: the tasks, what they are, and the command. */
    public record Missing(String family, String what, List<TaskSpec> tasks, int stored, String command) {
        public Missing {
            tasks = List.copyOf(tasks);
        }

        /** How many of the tasks have no stored result. */
        public int count() {
            return tasks.size() - stored;
        }

        public boolean incomplete() {
            return count() > 0;
        }
    }

    /** One figure of the set under its file base name and its family ("llc", "attention", …). */
    public record Entry(String base, String family, Figure figure) {
    }

    /** What {@link #write} wrote: every file (figures, sidecars, index.json) and the figures. */
    public record Written(List<Path> files, List<Entry> figures) {
        public Written {
            files = List.copyOf(files);
            figures = List.copyOf(figures);
        }
    }

    private final RunSession session;
    private final Run run;
    private final Options options;
    private final LabelSet labels;
    private final String runArg;
    private final int s;
    private final ResultTable table;
    private final List<StoredResult> compositionResults;
    private final List<StoredResult> susceptibilityResults;
    private final List<Missing> missing;
    private final StageBands stageInfo;
    private List<Entry> entries;

    private FigureSet(RunSession session, DatasetSlices slices, ResultStore store, LabelSet labels, Options options,
            String runArg) {
        this.session = session;
        this.run = session.run();
        this.options = options;
        this.labels = labels == null ? LabelSet.empty() : labels;
        this.runArg = runArg;
        List<Integer> steps = session.steps();
        this.s = options.step() != null ? run.checkpoint(options.step()).step() : steps.get(steps.size() - 1);
        this.table = store == null ? ResultTable.EMPTY : ResultTable.of(run, store);
        this.compositionResults = store == null ? List.of() : store.query("composition", null);
        this.susceptibilityResults = store == null ? List.of()
                : store.query(org.headlab.core.estimate.susceptibility.SusceptibilityEstimator.ID, null);
        this.missing = List.copyOf(whatIsMissing(slices, table, store));
        StageBands found = StageBands.detect(table, options.stagesFrom());
        if (found == null && options.stagesFrom().equals("llc_full")) {
            throw new HeadLabException("--stages llc_full: no full-model LLC is stored; make it with: headlab sweep "
                    + shellQuote(runArg) + " --estimators llc_full");
        }
        this.stageInfo = found;
    }

    /**
     * The figure set of the session's run from what {@code store} holds (null: nothing stored) and {@code labels}.
     * {@code runArg} is how the run folder is written in the sweep commands of {@link #missing()}.
     *
     * @throws HeadLabException for options the stored results cannot satisfy (--stages llc_full without it)
     */
    public static FigureSet read(RunSession session, DatasetSlices slices, ResultStore store, LabelSet labels,
            Options options, String runArg) {
        return new FigureSet(session, slices, store, labels, options, runArg);
    }

    /** Every family the set plans results for, complete or not. */
    public List<Missing> missing() {
        return missing;
    }

    /** The families with results still to compute. */
    public List<Missing> incomplete() {
        return missing.stream().filter(Missing::incomplete).toList();
    }

    /** The stage bands drawn behind the curves; null when none are. */
    public StageBands stages() {
        return stageInfo;
    }

    /** The checkpoint of the attention maps and of the labels. */
    public int step() {
        return s;
    }

    /**
     * Draws every figure the stored results allow (attention maps run the model once: call it off the UI thread).
     *
     * @throws HeadLabException for a --scatter-x metric nothing stored has
     */
    public synchronized List<Entry> render() {
        if (entries == null) {
            entries = new ArrayList<>();
            curves(table, "llc", List.of(LlcMetrics.MEAN), labels, s, "llc");
            llcBySlice(table, labels, s);
            induction(table, labels, s);
            clusters(table, labels, s);
            clusterTree(table, labels, s);
            curvature(table, labels, s);
            curvatureSmallMultiples(table, labels, s);
            scatter(table, labels);
            curves(table, "ablation", table.metrics("ablation", Scope.HEAD).stream()
                    .filter(org.headlab.core.estimate.ablation.AblationMetrics::isDeltaLoss).toList(), labels, s, "ablation");
            curves(table, "patterns", table.metrics("patterns", Scope.HEAD).stream()
                    .filter(m -> m.startsWith(PatternMetrics.PREFIX)).toList(), labels, s, "patterns");
            composition(run, compositionResults, labels, s);
            susceptibility(run, susceptibilityResults, labels, s);
            attention(session, run, labels, s);
            entries = List.copyOf(entries);
        }
        return entries;
    }

    /**
     * Renders the set and writes every figure in each of {@code formats} (pdf, png, svg) into {@code out}, each
     * with one CSV and one provenance sidecar, plus {@code index.json} (the figures and what is missing).
     */
    public Written write(Path out, List<String> formats, int dpi) {
        for (String f : formats) {
            if (!List.of("pdf", "png", "svg").contains(f)) {
                throw new HeadLabException("--formats: '" + f + "' is not one of pdf, png, svg");
            }
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new HeadLabException("--out " + out + " is a file, not a folder");
        }
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new HeadLabException("cannot make the folder " + out + ": " + AtomicFiles.describe(e));
        }
        Set<Path> written = new LinkedHashSet<>();
        List<Map<String, Object>> index = new ArrayList<>();
        List<Entry> figures = render();
        for (Entry entry : figures) {
            List<String> files = new ArrayList<>();
            FigureExporter.Exported last = null;
            for (String format : formats.stream().distinct().toList()) {
                last = FigureExporter.export(entry.figure(), out.resolve(entry.base() + "." + format), dpi);
                written.add(last.figure());
                files.add(last.figure().getFileName().toString());
            }
            written.add(last.csv());
            written.add(last.provenance());
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("family", entry.family());
            e.put("title", entry.figure().title());
            e.put("files", files);
            e.put("data", last.csv().getFileName().toString());
            e.put("provenance", last.provenance().getFileName().toString());
            index.add(e);
        }
        Map<String, Object> idx = new LinkedHashMap<>();
        idx.put("run", run.name());
        idx.put("figures", index);
        idx.put("missing", incomplete().stream().map(m -> Map.of("family", m.family(), "what", m.what(),
                "missing", m.count(), "command", m.command())).toList());
        Json.writeAtomically(out.resolve("index.json"), idx);
        written.add(out.resolve("index.json"));
        return new Written(List.copyOf(written), figures);
    }

    private void add(Figure f, String base, String family) {
        entries.add(new Entry(base, family, f));
    }

    /**
     * The induction heads (labelled so at the label step) over training, three rows on one step axis: their rLLC
     * (± std, hollow where unresolved), their induction score, and the model's loss (the full-model LLC when the
     * loss is not stored) — the paper's reading of when an induction head's rLLC turns relative to the score's
     * jump and the loss bump.
     */
    private void induction(ResultTable table, LabelSet labels, int s) {
        TreeSet<String> heads = new TreeSet<>();
        for (HeadLabel l : labels.labels()) {
            if (l.holdsAt(s) && l.classId().equals(INDUCTION_CLASS) && l.layer() < run.config().nLayers()
                    && l.head() < run.config().nHeads()) {
                heads.add(l.layer() + ":" + l.head());
            }
        }
        String llcVariant = table.mainVariant("llc", LlcMetrics.MEAN);
        String scoreVariant = table.mainVariant("patterns", PatternMetrics.INDUCTION);
        if (heads.isEmpty() || llcVariant == null || scoreVariant == null) {
            return;
        }
        List<TrajectoryFigure> rows = new ArrayList<>();
        rows.add(headRow(table, "llc", llcVariant, LlcMetrics.MEAN, heads, "rLLC λ̂ (± std)"));
        rows.add(headRow(table, "patterns", scoreVariant, PatternMetrics.INDUCTION, heads, "induction score"));
        for (String[] model : List.of(new String[] {"loss", LossMetrics.MEAN, "loss"},
                new String[] {"llc_full", LlcMetrics.MEAN, "full-model LLC λ̂"})) {
            String v = table.mainVariant(model[0], model[1]);
            if (v != null) {
                TrajectoryFigure f = CurveFigures.build(new ResultTable(table.runName(), table.rows().stream()
                        .filter(r -> r.scope() == Scope.MODEL).toList()), model[0], v, model[1], null, s);
                rows.add(finish(new TrajectoryFigure(model[2] + " of the model", "training step", model[2],
                        f.series(), List.of(), true, f.provenance())));
                break;
            }
        }
        Provenance.Builder prov = Provenance.builder().run(run.name(), run.dir().toString())
                .estimator("llc", CurveFigures.params(table.rows().stream().filter(r -> llcVariant.equals(
                        r.variant()) && r.estimator().equals("llc")).findFirst().orElseThrow().params()))
                .extra("heads", List.copyOf(heads)).extra("llc_variant", llcVariant)
                .extra("induction_score_variant", scoreVariant)
                .extra("rows", rows.stream().map(TrajectoryFigure::title).toList())
                .labels(CurveFigures.labelsAt(labels, s));
        TreeSet<Integer> steps = new TreeSet<>();
        rows.forEach(r -> r.series().forEach(x -> java.util.Arrays.stream(x.steps()).forEach(v -> steps.add(
                (int) v))));
        prov.checkpoints(List.copyOf(steps));
        StackedFigure f = new StackedFigure("Induction heads " + String.join(", ", heads)
                + ": rLLC against the induction score over training", rows, prov.build());
        add(f.withProvenance(complete(f.provenance())), "induction-llc-vs-score", "induction");
    }

    /**
     * The heads' rLLC curves clustered by {@code method} on per-head standardised curves (k by the silhouette), with
     * each head's label at the label step, the curves' own figure on the steps used, and the provenance every
     * clustering figure carries (k, silhouette, clusters, steps left out, Adjusted Rand Index against the labels);
     * null when there is nothing to cluster yet (no rLLC, fewer than 3 heads or common checkpoints).
     */
    private record Clustered(HeadClusters.Result result, Map<String, String> labelOf, TrajectoryFigure curves,
            Provenance.Builder provenance) {
    }

    private Clustered clustered(ResultTable table, LabelSet labels, int s, HeadClusters.Method method,
            String how) {
        String variant = table.mainVariant("llc", LlcMetrics.MEAN);
        if (variant == null) {
            return null;
        }
        HeadClusters.Result r;
        try {
            r = HeadClusters.cluster(table, "llc", variant, LlcMetrics.MEAN, null,
                    HeadClusters.Normalisation.STANDARDISE, 0, method);
        } catch (HeadLabException e) {
            return null;
        }
        Map<String, String> labelOf = new java.util.LinkedHashMap<>();
        List<String> clusterNames = new ArrayList<>();
        r.clusterOf().forEach((head, c) -> {
            labelOf.put(head, CurveFigures.labelAt(labels, Head.parse(head), s));
            clusterNames.add(String.valueOf(c));
        });
        TrajectoryFigure all = CurveFigures.build(new ResultTable(table.runName(), table.rows().stream()
                .filter(row -> r.steps().contains(row.step())).toList()), "llc", variant, LlcMetrics.MEAN, labels, s);
        Provenance.Builder p = all.provenance().toBuilder().extra("clustering", how).extra("k", r.k())
                .extra("silhouette", r.silhouette()).extra("clusters", r.clusterOf())
                .extra("steps_used", r.steps()).extra("steps_left_out", r.droppedSteps())
                .extra("adjusted_rand_index_vs_labels", labels.isEmpty() ? null
                        : HeadClusters.adjustedRandIndex(clusterNames, List.copyOf(labelOf.values())));
        return new Clustered(r, labelOf, all, p);
    }

    /**
     * The paper's Figure 1 layout: the heads clustered by their rLLC curves ({@link HeadClusters}: k-means on
     * per-head standardised curves over the checkpoints every head has, k by the silhouette), one panel per cluster
     * with its heads' rLLC curves coloured by label, the Adjusted Rand Index against the labels in the provenance.
     */
    private void clusters(ResultTable table, LabelSet labels, int s) {
        Clustered c = clustered(table, labels, s, HeadClusters.Method.KMEANS, "k-means++ (20 restarts, seed 0) on"
                + " per-head standardised llc/mean curves, k by the mean silhouette");
        if (c == null) {
            return;
        }
        HeadClusters.Result r = c.result();
        java.util.List<TrajectoryFigure.Series> series = new ArrayList<>();
        for (TrajectoryFigure.Series x : c.curves().series()) {
            Integer k = r.clusterOf().get(x.name());
            if (k != null) {
                long size = r.clusterOf().values().stream().filter(v -> v.equals(k)).count();
                series.add(new TrajectoryFigure.Series(x.name(), x.label(), "cluster " + (k + 1) + " (" + size
                        + " heads)", x.steps(), x.mean(), x.std(), x.unresolved()));
            }
        }
        series.sort(java.util.Comparator.comparing(TrajectoryFigure.Series::panel));
        add(finish(new TrajectoryFigure(String.format(Locale.ROOT, "rLLC λ̂ of every head, by cluster of its curve"
                + " (k-means, k = %d, silhouette %.2f)", r.k(), r.silhouette()), "training step", LlcMetrics.MEAN,
                series, List.of(), true, c.provenance().build()).styled(CurveFigures.labelColours(labels), null,
                null)), "clusters-llc-mean", "clusters");
    }

    /**
     * The heads' rLLC curves clustered hierarchically (Ward's linkage on per-head standardised curves, the companion
     * specs' alternative to k-means), drawn as the tree with the cut at the k the silhouette picks, leaves coloured
     * by label; the Adjusted Rand Index against the labels in the provenance.
     */
    private void clusterTree(ResultTable table, LabelSet labels, int s) {
        Clustered c = clustered(table, labels, s, HeadClusters.Method.WARD, "hierarchical, Ward's linkage"
                + " (Lance-Williams) on per-head standardised llc/mean curves; the cut at the k with the best mean"
                + " silhouette");
        if (c == null) {
            return;
        }
        HeadClusters.Result r = c.result();
        add(new DendrogramFigure(String.format(Locale.ROOT, "rLLC curves, Ward clustering (k = %d, silhouette %.2f)",
                r.k(), r.silhouette()), r.tree(), c.labelOf(), r.k(), complete(c.provenance().build()),
                CurveFigures.labelColours(labels)), "clusters-llc-mean-tree", "clusters");
    }

    /**
     * The curvature measures of issue 16 beside the rLLC: estimator, metric, row label, and for the Fisher trace the
     * labels its variant was computed with ("data" or "model", {@link #curvatureVariant}).
     */
    static final List<String[]> CURVATURE_ROWS = List.of(new String[] {"llc", LlcMetrics.MEAN, "rLLC λ̂"},
            new String[] {HessianTraceEstimator.ID, CurvatureMetrics.HESSIAN_TRACE_MEAN, "Hessian trace"},
            new String[] {FisherTraceEstimator.ID, CurvatureMetrics.FISHER_TRACE_MEAN, "Fisher trace (empirical)",
                "data"},
            new String[] {FisherTraceEstimator.ID, CurvatureMetrics.FISHER_TRACE_MEAN, "Fisher trace (model)", "model"},
            new String[] {HessianRankEstimator.ID, CurvatureMetrics.HESSIAN_RANK_FIXED,
                "Hessian rank (fixed)"},
            new String[] {HessianRankEstimator.ID, CurvatureMetrics.HESSIAN_RANK_RELATIVE,
                "Hessian rank (relative)"},
            new String[] {HessianRankEstimator.ID, CurvatureMetrics.HESSIAN_RANK_TOP_EIGENVALUE,
                "top Hessian eigenvalue"});

    /**
     * The measures of the small multiples: all of {@link #CURVATURE_ROWS} but the model's Fisher trace (the
     * empirical one stands for both in a small panel) and the fixed-threshold rank. At the
     * estimator's default Lanczos settings it does not resolve eigenvalues near its threshold and jumps to the full
     * dimension from one checkpoint to the next (docs/findings.md, dyck), which in a small panel hides the five
     * other shapes; the per-head figure keeps it beside the relative rank.
     */
    static final List<String[]> MULTIPLES_ROWS = CURVATURE_ROWS.stream()
            .filter(m -> !m[1].equals(CurvatureMetrics.HESSIAN_RANK_FIXED) && !(m.length > 3 && m[3].equals("model")))
            .toList();

    /**
     * The variant a row of {@link #CURVATURE_ROWS} draws: the one with most results, among the Fisher trace's only
     * those with the row's labels (a run may hold both; ties would otherwise go to whichever was computed last).
     */
    private static String curvatureVariant(ResultTable table, String[] m) {
        if (m.length < 4) {
            return table.mainVariant(m[0], m[1]);
        }
        String modelLabels = "\"" + FisherTraceEstimator.LABELS.name() + "\":\"model\"";
        return table.mainVariant(m[0], m[1], v -> v.contains(modelLabels) == m[3].equals("model"));
    }

    /**
     * The paper's Appendix D comparison for each head that has a curvature measure at three or more checkpoints: its
     * rLLC, Hessian trace, Fisher trace and Hessian rank and top eigenvalue stacked on one step axis (each row its
     * own scale, so the shapes compare), with the stage bands.
     */
    private void curvature(ResultTable table, LabelSet labels, int s) {
        TreeSet<String> heads = new TreeSet<>();
        for (ResultTable.Row r : table.rows()) {
            if (r.scope() == Scope.HEAD && List.of("hessian_trace", "fisher_trace", "hessian_rank").contains(
                    r.estimator())) {
                heads.add(r.layer() + ":" + r.head());
            }
        }
        for (String head : heads) {
            Head h = Head.parse(head);
            String label = labels.isEmpty() ? "" : " (" + CurveFigures.labelAt(labels, h, s) + ")";
            StackedFigure f = curvatureOf(table, h, label, s, run, null, this::finish);
            if (f != null) {
                add(f.withProvenance(complete(f.provenance())), "curvature-L" + h.layer() + "H" + h.head(),
                        "curvature");
            }
        }
    }

    /**
     * The paper's Appendix D comparison for one head: its rLLC, Hessian trace, Fisher trace and Hessian rank and top
     * eigenvalue stacked on one step axis (each row its own scale, so the shapes compare), every measure the head has
     * at three or more checkpoints; null with fewer than two. The figure set's {@code curvature-L?H?} and the Curves
     * tab's "Curvature of the head" both draw it; {@code finish} adds the stage bands (and what else the caller
     * adds to a row).
     *
     * @param label written after the head in the title, e.g. " (Induction)", or ""
     * @param llcVariant the rLLC's variant (slice and settings) to draw, or null for the one with most results
     */
    public static StackedFigure curvatureOf(ResultTable table, Head head, String label, int step, Run run,
            String llcVariant, java.util.function.UnaryOperator<TrajectoryFigure> finish) {
        String key = head.layer() + ":" + head.head();
        List<TrajectoryFigure> rows = new ArrayList<>();
        for (String[] m : CURVATURE_ROWS) {
            String variant = m[0].equals("llc") && llcVariant != null ? llcVariant : curvatureVariant(table, m);
            if (variant == null) {
                continue;
            }
            long points = table.rows().stream().filter(r -> r.estimator().equals(m[0])
                    && variant.equals(r.variant()) && r.scope() == Scope.HEAD && key.equals(r.layer() + ":"
                    + r.head()) && r.metrics().containsKey(m[1])).count();
            if (points >= 3) {
                rows.add(finish.apply(headCurves(table, m[0], variant, m[1], Set.of(key), m[2], step)));
            }
        }
        if (rows.size() < 2) {
            return null;
        }
        Provenance p = Provenance.builder().run(run.name(), run.dir().toString()).extra("head", key)
                .extra("rows", rows.stream().map(TrajectoryFigure::title).toList())
                .extra("row_provenance", rows.stream().map(r -> r.provenance().parameters()).toList()).build();
        return new StackedFigure("Head " + key + label + ": the rLLC beside the curvature measures", rows, p);
    }

    /** Heads per row of the curvature small multiples. */
    private static final int MULTIPLES_PER_ROW = 4;

    /**
     * The Appendix D comparison for every head at once, as small multiples: a panel per head (four to a row, rows in
     * layer order), in each the rLLC and every curvature measure that head has at three or more checkpoints, each
     * rescaled to [0, 1] over the head's checkpoints past initialisation ({@link #rescaled}, its error bar with it) so
     * that only the shapes compare, on one step axis with the stage bands.
     */
    private void curvatureSmallMultiples(ResultTable table, LabelSet labels, int s) {
        Map<String, Map<String, TrajectoryFigure.Series>> byHead = new java.util.TreeMap<>(
                java.util.Comparator.comparing(Head::parse, java.util.Comparator.comparingInt(Head::layer)
                        .thenComparingInt(Head::head)));
        for (String[] m : MULTIPLES_ROWS) {
            String variant = curvatureVariant(table, m);
            if (variant == null) {
                continue;
            }
            TrajectoryFigure all = CurveFigures.build(new ResultTable(table.runName(), table.rows().stream()
                    .filter(r -> r.scope() == Scope.HEAD).toList()), m[0], variant, m[1], null, s);
            for (TrajectoryFigure.Series x : all.series()) {
                if (x.steps().length >= 3) {
                    byHead.computeIfAbsent(x.name(), k -> new LinkedHashMap<>()).put(m[2], x);
                }
            }
        }
        byHead.values().removeIf(measures -> measures.size() < 2);
        if (byHead.size() < 2) {
            return; // one head is the per-head figure
        }
        List<String> heads = List.copyOf(byHead.keySet());
        List<TrajectoryFigure> rows = new ArrayList<>();
        for (int from = 0; from < heads.size(); from += MULTIPLES_PER_ROW) {
            List<TrajectoryFigure.Series> series = new ArrayList<>();
            List<String> rowHeads = heads.subList(from, Math.min(heads.size(), from + MULTIPLES_PER_ROW));
            for (String head : rowHeads) {
                String label = labels.isEmpty() ? "" : " " + CurveFigures.labelAt(labels, Head.parse(head), s);
                byHead.get(head).forEach((measure, x) -> series.add(rescaled(x, head + label, measure)));
            }
            Provenance p = Provenance.builder().run(run.name(), run.dir().toString())
                    .extra("heads", rowHeads).extra("normalisation", "min-max over the head's checkpoints past"
                            + " step 0, per measure").build();
            rows.add(finish(new TrajectoryFigure("heads " + String.join(", ", rowHeads), "training step",
                    "rescaled to [0, 1]", series, List.of(), true, p)));
        }
        Provenance p = Provenance.builder().run(run.name(), run.dir().toString()).extra("heads", heads)
                .extra("measures", MULTIPLES_ROWS.stream().map(m -> m[0] + " " + m[1]).toList())
                .extra("normalisation", "each measure min-max rescaled to [0, 1] over the head's checkpoints past step 0"
                        + " (step 0 left out)")
                .extra("row_provenance", rows.stream().map(r -> r.provenance().parameters()).toList()).build();
        StackedFigure f = new StackedFigure("The rLLC beside the curvature measures, every head (each rescaled to"
                + " [0, 1])", rows, p);
        add(f.withProvenance(complete(f.provenance())), "curvature-all-heads", "curvature");
    }

    /**
     * A series rescaled to [0, 1] by its own minimum and maximum past initialisation, in panel {@code panel}: step 0 is
     * left out (the weights there are random, every measure sits at an extreme, and scaling by it would flatten the
     * rest of the curve); a constant series is drawn at 0.5; a value that is not finite stays out (NaN).
     */
    static TrajectoryFigure.Series rescaled(TrajectoryFigure.Series x, String panel, String measure) {
        List<Integer> kept = new ArrayList<>();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < x.mean().length; i++) {
            if (x.steps()[i] <= 0) {
                continue;
            }
            kept.add(i);
            double v = x.mean()[i];
            if (Double.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        double span = hi - lo;
        double[] steps = new double[kept.size()];
        double[] mean = new double[kept.size()];
        double[] std = x.std() == null ? null : new double[kept.size()];
        boolean[] unresolved = x.unresolved() == null ? null : new boolean[kept.size()];
        for (int k = 0; k < kept.size(); k++) {
            int i = kept.get(k);
            double v = x.mean()[i];
            steps[k] = x.steps()[i];
            mean[k] = !Double.isFinite(v) ? Double.NaN : span > 0 ? (v - lo) / span : 0.5;
            if (std != null) {
                double d = x.std()[i];
                std[k] = !Double.isFinite(v) || !Double.isFinite(d) ? Double.NaN : span > 0 ? d / span : 0;
            }
            if (unresolved != null) {
                unresolved[k] = x.unresolved()[i];
            }
        }
        return new TrajectoryFigure.Series(panel + " " + measure, measure, panel, steps, mean, std, unresolved);
    }

    /** One row of per-head curves (the given heads only), stage bands behind them. */
    private TrajectoryFigure headRow(ResultTable table, String estimator, String variant, String metric,
            Set<String> heads, String yLabel) {
        return finish(headCurves(table, estimator, variant, metric, heads, yLabel, s));
    }

    /** The curves of the given heads only, in one panel, titled by the measure and the heads. */
    private static TrajectoryFigure headCurves(ResultTable table, String estimator, String variant, String metric,
            Set<String> heads, String yLabel, int step) {
        TrajectoryFigure all = CurveFigures.build(new ResultTable(table.runName(), table.rows().stream()
                .filter(r -> r.scope() == Scope.HEAD && heads.contains(r.layer() + ":" + r.head())).toList()),
                estimator, variant, metric, null, step);
        List<TrajectoryFigure.Series> series = all.series().stream().map(x -> new TrajectoryFigure.Series(x.name(),
                null, null, x.steps(), x.mean(), x.std(), x.unresolved())).toList();
        return new TrajectoryFigure(yLabel + " of head" + (heads.size() > 1 ? "s " : " ") + String.join(", ", heads),
                "training step", yLabel, series, List.of(), true, all.provenance());
    }

    /**
     * What the figure set needs and the store lacks, as sweep tasks. A family with any stored result of any
     * parameters counts as present (its latest parameters are drawn); the rLLC per slice is missing on every
     * slice without results at the parameters, checkpoints and heads of the slice that has them.
     */
    private List<Missing> whatIsMissing(DatasetSlices slices, ResultTable table, ResultStore store) {
        EstimatorRegistry registry = EstimatorRegistry.standard();
        List<Missing> out = new ArrayList<>();
        String first = slices.defaultSlice();
        // rLLC per head
        Estimator llc = registry.get("llc");
        List<ResultTable.Row> llcRows = table.rows().stream().filter(r -> r.estimator().equals("llc")
                && r.scope() == Scope.HEAD && r.metrics().containsKey(LlcMetrics.MEAN)).toList();
        Map<String, String> llcParams;
        String llcSlice;
        List<Integer> llcSteps;
        if (llcRows.isEmpty()) {
            llcParams = CHEAP_LLC;
            llcSlice = first;
            llcSteps = logSpaced(run.steps(), LLC_CHECKPOINTS);
            out.add(plan(run, slices, store, llc, llcParams, llcSteps, llcSlice, "llc",
                    "rLLC of every head at " + llcSteps.size() + " checkpoints on slice " + llcSlice
                            + " (" + describe(CHEAP_LLC) + ")"));
        } else {
            String main = table.mainVariant("llc", LlcMetrics.MEAN);
            ResultTable.Row latest = llcRows.stream().filter(r -> r.variant().equals(main)).reduce((a, b) -> b)
                    .orElseThrow();
            llcParams = textParams(latest.params());
            llcSlice = latest.dataset();
            llcSteps = llcRows.stream().filter(r -> r.variant().equals(latest.variant())).map(ResultTable.Row::step)
                    .distinct().sorted().toList();
        }
        // the same rLLC on every other slice
        for (DatasetRef d : run.datasets()) {
            if (d.name().equals(llcSlice)) {
                continue;
            }
            out.add(plan(run, slices, store, llc, llcParams, llcSteps, d.name(), "llc-by-slice",
                    "rLLC of every head at " + llcSteps.size() + " checkpoints on slice " + d.name()
                            + " (the parameters of slice " + llcSlice + ": " + describe(llcParams) + ")"));
        }
        for (String id : List.of("ablation", "patterns", "composition")) {
            if (table.rows().stream().noneMatch(r -> r.estimator().equals(id))) {
                Estimator e = registry.get(id);
                out.add(plan(run, slices, store, e, Map.of(), run.steps(), first, id,
                        id + " at every checkpoint (default parameters)"));
            }
        }
        if (!options.stagesFrom().equals("none") && table.rows().stream().noneMatch(r -> (r.estimator().equals("llc_full")
                && r.metrics().containsKey(LlcMetrics.MEAN)) || (r.estimator().equals("loss")
                && r.metrics().containsKey(LossMetrics.MEAN)))) {
            out.add(plan(run, slices, store, registry.get("loss"), CHEAP_LOSS, run.steps(), first, "stages",
                    "the loss at every checkpoint, for the stage bands (" + describe(CHEAP_LOSS) + ")"));
        }
        return out;
    }

    private Missing plan(Run run, DatasetSlices slices, ResultStore store, Estimator e, Map<String, String> params,
            List<Integer> steps, String slice, String family, String what) {
        Params p;
        try {
            p = e.parameters().parse(params);
        } catch (HeadLabException ex) {
            throw new HeadLabException(e.id() + ": " + ex.getMessage());
        }
        List<TaskSpec> tasks = SweepPlan.tasks(run, slices, List.of(e), Map.of(e.id(), p), steps, null,
                e.usesDataset() ? slice : null);
        int stored = 0;
        if (store != null) {
            for (TaskSpec t : tasks) {
                stored += store.contains(ResultKey.of(t)) ? 1 : 0;
            }
        }
        StringBuilder cmd = new StringBuilder("headlab sweep " + shellQuote(runArg) + " --estimators "
                + e.id());
        if (!steps.equals(run.steps())) {
            cmd.append(" --steps ").append(steps.stream().map(String::valueOf).collect(Collectors.joining(",")));
        }
        if (e.usesDataset()) {
            cmd.append(" --dataset ").append(shellQuote(slice));
        }
        params.forEach((k, v) -> cmd.append(" -p ").append(e.id()).append('.').append(k).append('=')
                .append(shellQuote(v)));
        return new Missing(family, what, tasks, stored, cmd.toString());
    }

    private static Map<String, String> ordered(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** About {@code count} of {@code steps}, evenly spread in ln(1 + step), the first and the last included. */
    static List<Integer> logSpaced(List<Integer> steps, int count) {
        List<Integer> sorted = steps.stream().sorted().toList();
        if (sorted.size() <= count) {
            return sorted;
        }
        double lo = Math.log1p(sorted.get(0));
        double hi = Math.log1p(sorted.get(sorted.size() - 1));
        TreeSet<Integer> out = new TreeSet<>();
        for (int k = 0; k < count; k++) {
            double t = lo + (hi - lo) * k / (count - 1);
            int best = sorted.get(0);
            for (int st : sorted) {
                if (Math.abs(Math.log1p(st) - t) < Math.abs(Math.log1p(best) - t)) {
                    best = st;
                }
            }
            out.add(best);
        }
        return List.copyOf(out);
    }

    /** A stored key's canonical parameters as the text values {@code -p} takes. */
    static Map<String, String> textParams(String canonicalJson) {
        Map<String, String> out = new LinkedHashMap<>();
        CurveFigures.params(canonicalJson).forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }

    private static String describe(Map<String, String> params) {
        return params.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    /** A curve figure with the stage bands behind it and its provenance completed for the sidecar. */
    private TrajectoryFigure finish(TrajectoryFigure f) {
        if (stageInfo != null) {
            f = stageInfo.applyTo(f);
        }
        return f.withProvenance(complete(f.provenance()));
    }

    /** Checkpoint hashes, the run folder, the seed and the stages added to a figure's provenance. */
    private Provenance complete(Provenance p) {
        Provenance.Builder b = CurveFigures.completed(p, run::contentHash).toBuilder()
                .run(run.name(), run.dir().toString());
        if (stageInfo != null) {
            b.extra("stage_bands", stageInfo.provenance());
        }
        return b.build();
    }

    /** One curves figure per metric of {@code estimator} (its most recent parameters), or the sweep hint. */
    private void curves(ResultTable table, String estimator, List<String> metricNames,
            LabelSet labels, int s, String family) {
        List<String> present = metricNames.stream().filter(m -> table.rows().stream().anyMatch(r ->
                r.estimator().equals(estimator) && r.scope() == Scope.HEAD && r.metrics().containsKey(m))).toList();
        if (present.isEmpty()) {
            return; // listed with its command at the end
        }
        for (String m : present) {
            String variant = table.mainVariant(estimator, m);
            TrajectoryFigure f = finish(CurveFigures.build(table, estimator, variant, m, labels, s)
                    .styled(CurveFigures.labelColours(labels), null, null));
            add(f, "curves-" + fileName(m), family);
        }
    }

    /**
     * The data-refined rLLC: for the latest rLLC parameters stored on two or more slices, every head's curve on each
     * slice (one panel per layer, colour = slice, shades = heads), plus one figure per labelled head with ± std.
     */
    private void llcBySlice(ResultTable table, LabelSet labels, int s) {
        Map<String, Map<String, List<ResultTable.Row>>> byParams = new LinkedHashMap<>();
        for (ResultTable.Row r : table.rows()) {
            if (r.estimator().equals("llc") && r.scope() == Scope.HEAD && r.metrics().containsKey(LlcMetrics.MEAN)) {
                byParams.computeIfAbsent(r.params(), k -> new TreeMap<>())
                        .computeIfAbsent(r.dataset(), k -> new ArrayList<>()).add(r);
            }
        }
        String params = null;
        for (Map.Entry<String, Map<String, List<ResultTable.Row>>> e : byParams.entrySet()) {
            if (e.getValue().size() >= 2) {
                params = e.getKey(); // the last one with two or more slices
            }
        }
        if (params == null) {
            return; // listed with its command at the end
        }
        Map<String, List<ResultTable.Row>> bySlice = byParams.get(params);
        List<String> sliceNames = List.copyOf(bySlice.keySet());
        TreeSet<Integer> steps = new TreeSet<>();
        bySlice.values().forEach(rows -> rows.forEach(r -> steps.add(r.step())));
        Map<String, Color> colours = new LinkedHashMap<>();
        for (int i = 0; i < sliceNames.size(); i++) {
            colours.put(sliceNames.get(i), FigureStyle.palette(i));
        }
        Provenance.Builder prov = Provenance.builder().run(run.name(), run.dir().toString())
                .estimator("llc", CurveFigures.params(params)).checkpoints(List.copyOf(steps))
                .datasetSlice(String.join(", ", sliceNames)).extra("metric", LlcMetrics.MEAN)
                .extra("dataset_slices", sliceNames);
        if (!labels.isEmpty()) {
            prov.labels(CurveFigures.labelsAt(labels, s));
        }
        List<TrajectoryFigure.Series> all = new ArrayList<>();
        List<String> drawn = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Head hd : Head.all(run.config())) {
            // a comparison: each slice's curve at the checkpoints every slice has for this head
            java.util.Set<Integer> common = null;
            for (String slice : sliceNames) {
                java.util.Set<Integer> st = new TreeSet<>();
                for (ResultTable.Row r : bySlice.get(slice)) {
                    if (r.isSameHead(hd)) {
                        st.add(r.step());
                    }
                }
                if (common == null) {
                    common = st;
                } else {
                    common.retainAll(st);
                }
            }
            if (common == null || common.size() < 3) {
                skipped.add(hd.toString());
                continue;
            }
            drawn.add(hd.toString());
            java.util.Set<Integer> at = common;
            for (String slice : sliceNames) {
                all.add(series(bySlice.get(slice).stream().filter(r -> at.contains(r.step())).toList(), hd,
                        hd + " on " + slice, slice, "layer " + hd.layer(), false));
            }
        }
        if (drawn.isEmpty()) {
            return;
        }
        prov.extra("heads_drawn", drawn).extra("heads_skipped_fewer_than_3_common_checkpoints", skipped);
        add(finish(new TrajectoryFigure("rLLC λ̂ of every head per slice: " + String.join(" vs ", sliceNames),
                "training step", LlcMetrics.MEAN, all, List.of(), true, prov.build())
                .styled(colours, null, null)), "llc-by-slice", "llc-by-slice");
        TreeSet<String> heads = new TreeSet<>();
        for (HeadLabel l : labels.labels()) {
            if (l.holdsAt(s) && l.layer() < run.config().nLayers() && l.head() < run.config().nHeads()) {
                heads.add(l.layer() + ":" + l.head());
            }
        }
        for (String head : heads) {
            Head hd = Head.parse(head);
            List<TrajectoryFigure.Series> one = new ArrayList<>();
            for (String slice : sliceNames) {
                TrajectoryFigure.Series c = series(bySlice.get(slice), hd, slice, slice, null, true);
                if (c != null) {
                    one.add(c);
                }
            }
            if (one.size() < 2) {
                continue;
            }
            Provenance p = prov.build().toBuilder().extra("head", head)
                    .extra("head_label", CurveFigures.labelAt(labels, hd, s)).build();
            add(finish(new TrajectoryFigure("rLLC λ̂ of head " + head + " (" + CurveFigures.labelAt(labels, hd, s)
                    + ") per slice, ± std", "training step", LlcMetrics.MEAN, one,
                    List.of(), true, p).styled(colours, null, null)), "llc-by-slice-L" + hd.layer() + "H" + hd.head(),
                    "llc-by-slice");
        }
    }

    /** One head's llc/mean (± llc/std when {@code withStd}) over the steps of {@code rows}; null if it has none. */
    private static TrajectoryFigure.Series series(List<ResultTable.Row> rows, Head head, String name,
            String label, String panel, boolean withStd) {
        TreeMap<Integer, double[]> byStep = new TreeMap<>();
        for (ResultTable.Row r : rows) {
            if (r.isSameHead(head)) {
                Double sd = r.metrics().get(LlcMetrics.STD);
                Double res = r.metrics().get(LlcMetrics.RESOLUTION);
                byStep.put(r.step(), new double[] {r.metrics().get(LlcMetrics.MEAN), sd == null ? Double.NaN : sd,
                    res == null ? 0 : res});
            }
        }
        if (byStep.isEmpty()) {
            return null;
        }
        double[] xs = byStep.keySet().stream().mapToDouble(Integer::doubleValue).toArray();
        double[] mean = byStep.values().stream().mapToDouble(v -> v[0]).toArray();
        double[] std = byStep.values().stream().mapToDouble(v -> v[1]).toArray();
        boolean[] unresolved = new boolean[xs.length];
        int i = 0;
        for (double[] v : byStep.values()) {
            unresolved[i++] = v[2] != 0; // drawn hollow: the estimate resolved nothing
        }
        return new TrajectoryFigure.Series(name, label, panel, xs, mean, withStd ? std : null, unresolved);
    }

    /**
     * Final rLLC per head (the latest rLLC parameters, at the last checkpoint they have) against each chosen
     * per-head statistic at the same checkpoint: one scatter per statistic, coloured by label, head ids on the
     * points, with the least-squares line.
     */
    private void scatter(ResultTable table, LabelSet labels) {
        String variant = table.mainVariant("llc", LlcMetrics.MEAN);
        List<String> stats = options.scatterX() != null ? options.scatterX().stream().map(String::trim).toList()
                : java.util.stream.Stream.concat(table.metrics("ablation", Scope.HEAD).stream()
                        .filter(org.headlab.core.estimate.ablation.AblationMetrics::isDeltaLoss), table.metrics("patterns", Scope.HEAD)
                        .stream().filter(m -> m.startsWith(PatternMetrics.PREFIX))).toList();
        if (options.scatterX() != null) {
            java.util.SortedSet<String> known = new TreeSet<>();
            table.rows().stream().filter(r -> r.scope() == Scope.HEAD && !r.estimator().equals("llc"))
                    .forEach(r -> known.addAll(r.metrics().keySet()));
            for (String m : stats) {
                if (!known.contains(m)) {
                    throw new HeadLabException("--scatter-x " + m + ": no per-head results of that metric are stored"
                            + (known.isEmpty() ? "" : " (stored: " + String.join(", ", known) + ")"));
                }
            }
        }
        if (variant == null || stats.isEmpty()) {
            return;
        }
        List<ResultTable.Row> llcRows = table.rows().stream().filter(r -> r.estimator().equals("llc")
                && r.scope() == Scope.HEAD && variant.equals(r.variant()) && r.metrics().containsKey(LlcMetrics.MEAN))
                .toList();
        int last = llcRows.stream().mapToInt(ResultTable.Row::step).max().orElseThrow();
        Map<String, ResultTable.Row> finalRows = new TreeMap<>();
        for (ResultTable.Row r : llcRows) {
            if (r.step() == last) {
                finalRows.put(r.layer() + ":" + r.head(), r);
            }
        }
        ResultTable.Row any = finalRows.values().iterator().next();
        boolean labelled = !labels.isEmpty();
        for (String m : stats) {
            String est = table.rows().stream().filter(r -> r.scope() == Scope.HEAD && r.metrics().containsKey(m)
                    && !r.estimator().equals("llc")).map(ResultTable.Row::estimator).reduce((a, b) -> b).orElseThrow();
            String xVariant = table.mainVariant(est, m);
            Map<String, Double> x = new TreeMap<>();
            String xParams = null;
            for (ResultTable.Row r : table.rows()) {
                if (r.estimator().equals(est) && r.scope() == Scope.HEAD && xVariant.equals(r.variant())
                        && r.step() == last && r.metrics().containsKey(m)) {
                    x.put(r.layer() + ":" + r.head(), r.metrics().get(m));
                    xParams = r.params();
                }
            }
            List<ScatterFigure.Point> points = new ArrayList<>();
            for (Map.Entry<String, ResultTable.Row> e : finalRows.entrySet()) {
                ResultTable.Row r = e.getValue();
                Double sd = r.metrics().get(LlcMetrics.STD);
                Double res = r.metrics().get(LlcMetrics.RESOLUTION);
                points.add(new ScatterFigure.Point(e.getKey(), labelled ? CurveFigures.labelAt(labels, r.asHead(),
                        last) : null, x.getOrDefault(e.getKey(), Double.NaN), r.metrics().get(LlcMetrics.MEAN),
                        sd == null ? Double.NaN : sd, res != null && res != 0));
            }
            Provenance.Builder prov = Provenance.builder().run(run.name(), run.dir().toString())
                    .estimator("llc", CurveFigures.params(any.params())).checkpoint(last, run.contentHash(last))
                    .datasetSlice(any.dataset()).extra("y_metric", LlcMetrics.MEAN).extra("x_estimator", est)
                    .extra("x_metric", m).extra("x_parameters", CurveFigures.params(xParams))
                    .extra("x_variant", xVariant).extra("heads_without_x", finalRows.keySet().stream()
                            .filter(h -> !x.containsKey(h)).toList());
            if (labelled) {
                prov.labels(CurveFigures.labelsAt(labels, last));
            }
            ScatterFigure f = new ScatterFigure(String.format(Locale.ROOT, "Final rLLC λ̂ (step %d) against %s", last,
                    m), m + " at step " + last, "rLLC λ̂ (llc/mean ± llc/std)", points, true, prov.build())
                    .styled(CurveFigures.labelColours(labels));
            ScatterFigure.Fit fit = f.fit();
            Provenance p = complete(f.provenance()).toBuilder().extra("regression", fit == null ? null : fit.toMap())
                    .extra("stage_bands", null).build();
            add(f.withProvenance(p), "scatter-final-llc-vs-" + fileName(m), "scatter");
        }
    }

    /**
     * Composition scores over training, one figure per kind (q, k, v): one series per (sender → receiver) pair of
     * a sender in an earlier layer that beats the random baseline (mean + 2 std) at some checkpoint, plus the
     * baseline itself with its std band. Only the most recent parameter set is used.
     */
    /**
     * Per checkpoint with stored susceptibilities (ADR 0011): the head × token matrix of the first probe window, the
     * PCA map of the probe tokens over the heads (two heads or more), and the probe as text coloured by χ for the
     * head whose tokens move most (the largest mean |χ|).
     */
    private void susceptibility(Run run, List<StoredResult> stored, LabelSet labels, int s) {
        if (stored.isEmpty()) {
            return;
        }
        Map<String, Integer> stepOf = new TreeMap<>();
        for (int st : run.steps()) {
            stepOf.put(run.contentHash(st), st);
        }
        TreeMap<Integer, List<org.headlab.core.estimate.susceptibility.StoredSusceptibility>> byStep = new TreeMap<>();
        for (StoredResult r : stored) {
            Integer st = stepOf.get(r.key().checkpointHash());
            if (st != null && r.key().scope() == Scope.HEAD) {
                byStep.computeIfAbsent(st, k -> new ArrayList<>())
                        .add(SusceptibilityFigures.of(r));
            }
        }
        List<String> vocab = session.vocabulary();
        byStep.forEach((st, all) -> {
            var heads = SusceptibilityFigures.oneVariant(all);
            Provenance p = complete(Provenance.builder().run(run.name(), run.dir().toString())
                    .checkpoint(st, run.contentHash(st))
                    .estimator(org.headlab.core.estimate.susceptibility.SusceptibilityEstimator.ID, Map.of())
                    .datasetSlice(heads.get(0).dataset()).build());
            add(SusceptibilityFigures.matrix(heads, vocab, st, 0, p), "susceptibility-matrix-step-" + st,
                    "susceptibility");
            ScatterFigure map = SusceptibilityFigures.map(heads, vocab, st, p);
            if (map != null) {
                add(map, "susceptibility-map-step-" + st, "susceptibility");
            }
            var strongest = heads.stream().max(java.util.Comparator.comparingDouble(h -> java.util.Arrays.stream(
                    h.chi()).map(Math::abs).average().orElse(0))).orElseThrow();
            add(SusceptibilityFigures.tokens(strongest, vocab, st, p), "susceptibility-tokens-"
                    + strongest.head().layer() + "-" + strongest.head().head() + "-step-" + st, "susceptibility");
        });
        // over training: each frequent kind of probe token against the rest, per head (the same probe every step)
        TreeMap<Integer, List<org.headlab.core.estimate.susceptibility.StoredSusceptibility>> oneVariant =
                new TreeMap<>();
        byStep.forEach((st, all) -> oneVariant.put(st, SusceptibilityFigures.oneVariant(all)));
        var first = oneVariant.firstEntry().getValue().get(0);
        Provenance p = complete(Provenance.builder().run(run.name(), run.dir().toString())
                .estimator(org.headlab.core.estimate.susceptibility.SusceptibilityEstimator.ID, Map.of())
                .datasetSlice(first.dataset()).build());
        for (String kind : SusceptibilityFigures.frequentKinds(first, vocab, 0.05)) {
            TrajectoryFigure f = SusceptibilityFigures.kindOverTraining(oneVariant, vocab, kind,
                    h -> CurveFigures.labelAt(labels, h, s), p);
            if (f != null) {
                add(finish(f.styled(CurveFigures.labelColours(labels), null, null)),
                        "susceptibility-kind-" + fileName(kind.replace(' ', '_')), "susceptibility");
            }
        }
    }

    private void composition(Run run, List<StoredResult> stored, LabelSet labels, int s) {
        Map<String, Integer> stepOf = new TreeMap<>();
        for (int st : run.steps()) {
            stepOf.put(run.contentHash(st), st);
        }
        List<StoredResult> mine = stored.stream().filter(r -> stepOf.containsKey(r.key().checkpointHash())
                && r.result().metrics().containsKey(CompositionMetrics.Q)).toList();
        if (mine.isEmpty()) {
            return; // listed with its command at the end
        }
        String variant = ResultTable.variantOf(mine.get(mine.size() - 1).key());
        TreeMap<Integer, StoredResult> byStep = new TreeMap<>();
        for (StoredResult r : mine) {
            if (ResultTable.variantOf(r.key()).equals(variant)) {
                byStep.put(stepOf.get(r.key().checkpointHash()), r);
            }
        }
        int nl = run.config().nLayers();
        int nh = run.config().nHeads();
        double[] xs = byStep.keySet().stream().mapToDouble(Integer::doubleValue).toArray();
        boolean labelled = !labels.isEmpty();
        for (String kind : List.of("q", "k", "v")) {
            String key = CompositionMetrics.scores(kind);
            int n = xs.length;
            double[] baseMean = new double[n];
            double[] baseStd = new double[n];
            double[][] scores = new double[n][];
            int i = 0;
            for (StoredResult r : byStep.values()) {
                scores[i] = r.result().metrics().containsKey(key) ? r.result().array(key) : null;
                baseMean[i] = number(r, CompositionMetrics.baselineMean(kind));
                baseStd[i] = number(r, CompositionMetrics.baselineStd(kind));
                i++;
            }
            List<TrajectoryFigure.Series> series = new ArrayList<>();
            for (int l1 = 0; l1 < nl; l1++) {
                for (int h1 = 0; h1 < nh; h1++) {
                    for (int l2 = l1 + 1; l2 < nl; l2++) {
                        for (int h2 = 0; h2 < nh; h2++) {
                            int idx = ((l1 * nh + h1) * nl + l2) * nh + h2;
                            double[] ys = new double[n];
                            boolean above = false;
                            for (int t = 0; t < n; t++) {
                                ys[t] = scores[t] == null || idx >= scores[t].length ? Double.NaN : scores[t][idx];
                                double bar = baseMean[t] + BASELINE_SIGMAS * (Double.isNaN(baseStd[t]) ? 0
                                        : baseStd[t]);
                                above |= !Double.isNaN(bar) && ys[t] > bar;
                            }
                            if (above) {
                                String label = labelled ? CurveFigures.labelAt(labels, new Head(l1, h1), s) : null;
                                series.add(new TrajectoryFigure.Series(l1 + ":" + h1 + "→" + l2 + ":" + h2, label,
                                        null, xs, ys, null));
                            }
                        }
                    }
                }
            }
            int pairs = series.size();
            series.add(new TrajectoryFigure.Series("random baseline", "random baseline", null, xs, baseMean,
                    baseStd));
            Provenance.Builder prov = Provenance.builder().run(run.name(), run.dir().toString())
                    .estimator("composition", paramsOf(byStep.lastEntry().getValue()))
                    .checkpoints(List.copyOf(byStep.keySet()))
                    .extra("metric", key).extra("variant", variant)
                    .extra("pairs_shown", "sender layer < receiver layer, score > baseline mean + "
                            + BASELINE_SIGMAS + " baseline std at some checkpoint").extra("pair_count", pairs);
            if (labelled) {
                prov.labels(CurveFigures.labelsAt(labels, s));
            }
            TrajectoryFigure f = new TrajectoryFigure(String.format(Locale.ROOT,
                    "%s-composition over training: %d head pairs above the random baseline", kind.toUpperCase(
                    Locale.ROOT), pairs), "training step", key, series, List.of(), true, prov.build())
                    .styled(CurveFigures.labelColours(labels), null, null);
            add(finish(f), "composition-" + kind, "composition");
        }
    }

    private static double number(StoredResult r, String key) {
        return r.result().metrics().containsKey(key) ? r.result().number(key) : Double.NaN;
    }

    private static Map<String, Object> paramsOf(StoredResult r) {
        try {
            return Json.mapper().readValue(r.key().params(),
                    new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (Exception e) {
            return Map.of("params", r.key().params());
        }
    }

    /** Attention maps at step {@code s}: one per labelled head, or every head in one figure when none is. */
    private void attention(RunSession session, Run run, LabelSet labels, int s) {
        String input = options.text() != null ? options.text() : session.sampleInput();
        AttentionResult r = session.attention(s, input);
        TreeSet<String> labelled = new TreeSet<>();
        for (HeadLabel l : labels.labels()) {
            if (l.holdsAt(s) && l.layer() < r.layers() && l.head() < r.heads()) {
                labelled.add(l.layer() + ":" + l.head());
            }
        }
        if (labelled.isEmpty()) {
            List<String> all = new ArrayList<>();
            for (int l = 0; l < r.layers(); l++) {
                for (int h = 0; h < r.heads(); h++) {
                    all.add(l + ":" + h);
                }
            }
            add(AttentionMapFigure.allHeads(r, AttentionMapFigure.provenance(run, r, all)),
                    "attention-step" + s + "-all-heads", "attention");
            return;
        }
        for (String h : labelled) {
            Head head = Head.parse(h);
            add(AttentionMapFigure.head(r, head, AttentionMapFigure.provenance(run, r, List.of(h))),
                    "attention-step" + s + "-L" + head.layer() + "H" + head.head(), "attention");
        }
    }

    /** patterns/previous_token → patterns-previous_token: safe in every file system. */
    static String fileName(String metric) {
        return metric.replaceAll("[^A-Za-z0-9_.-]+", "-");
    }

    public static String shellQuote(String s) {
        return s.matches("[A-Za-z0-9_./:@%+=,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }
}
