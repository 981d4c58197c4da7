package org.headlab.cli;

import java.io.IOException;
import java.awt.Color;
import java.util.stream.Collectors;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.Estimator;
import org.headlab.core.estimate.EstimatorRegistry;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.Params;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.figure.StageBands;
import org.headlab.core.figure.FigureStyle;
import org.headlab.core.figure.ScatterFigure;
import org.headlab.core.jobs.WorkerPool;
import org.headlab.core.run.DatasetRef;
import org.headlab.core.store.ResultKey;
import org.headlab.core.sweep.Sweep;
import org.headlab.core.sweep.SweepPlan;
import org.headlab.core.sweep.SweepProgress;
import org.headlab.core.sweep.TaskOutcome;
import java.io.PrintWriter;
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
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.headlab.core.AtomicFiles;
import org.headlab.core.HeadLabException;
import org.headlab.core.Json;
import org.headlab.core.estimate.Scope;
import org.headlab.core.figure.AttentionMapFigure;
import org.headlab.core.figure.CurveFigures;
import org.headlab.core.figure.Figure;
import org.headlab.core.figure.FigureExporter;
import org.headlab.core.figure.Provenance;
import org.headlab.core.figure.TrajectoryFigure;
import org.headlab.core.labels.HeadLabel;
import org.headlab.core.labels.LabelSet;
import org.headlab.core.labels.LabelStore;
import org.headlab.core.run.Run;
import org.headlab.core.session.AttentionResult;
import org.headlab.core.session.RunSession;
import org.headlab.core.store.ResultStore;
import org.headlab.core.store.ResultTable;
import org.headlab.core.store.StoredResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code figures RUN --out DIR [--compute] [--text T] [--step S]}: the run's figure set, headless, from what its
 * result store holds and its labels. Each figure is written as PDF and PNG with its CSV and provenance sidecars.
 * What a figure needs and the store lacks is listed with the exact sweep command that makes it; {@code --compute}
 * runs those sweeps first (the same tasks, through the same worker pool and store as {@code sweep}).
 */
@Command(name = "figures", mixinStandardHelpOptions = true,
        description = {"Write the run's figure set (PDF + PNG, each with .csv data and .provenance.json) from its",
            "stored results and labels: rLLC per head with stage bands, rLLC per dataset slice, final rLLC against",
            "per-head statistics, ablation and pattern-score curves, composition scores over training, and attention",
            "maps of the labelled heads. Missing results are listed with the sweep command that makes them;",
            "--compute makes them first with cheap, stated settings."},
        footer = {"", "Exit status: 0 done, 1 some --compute tasks failed, 2 a usage or input error."})
final class FiguresCommand implements Callable<Integer> {
    static final Pattern ABLATION_DELTA = Pattern.compile("ablation/[^/]+/delta_loss");
    /** A composition pair is drawn when it beats the random baseline's mean by this many of its stds at a step. */
    static final double BASELINE_SIGMAS = 2.0;
    /** The cheap rLLC settings --compute uses (the rest are the estimator's defaults: ε 1e-3, γ 200, nβ 30). */
    static final Map<String, String> CHEAP_LLC = ordered("chains", "2", "draws", "40", "batch", "16",
            "init_batches", "4");
    /** The loss --compute uses for stage bands when no full-model LLC is stored. */
    static final Map<String, String> CHEAP_LOSS = Map.of("max_sequences", "256");
    /** How many checkpoints --compute samples the rLLC at (evenly in ln(1 + step), first and last included). */
    static final int LLC_CHECKPOINTS = 8;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RUN", description = "The run folder (holding run.json).")
    Path runDir;

    @Option(names = "--out", paramLabel = "DIR", required = true,
            description = "The folder the figures go into (made if missing).")
    Path out;

    @Option(names = "--text", paramLabel = "T",
            description = "Input of the attention maps (default: the run's sample input).")
    String text;

    @Option(names = "--step", paramLabel = "S",
            description = "Checkpoint of the attention maps and of the labels (default: the last).")
    Integer step;

    @Option(names = "--dpi", paramLabel = "N", defaultValue = "300",
            description = "PNG resolution in dots per inch (default: ${DEFAULT-VALUE}).")
    int dpi;

    @Option(names = "--formats", split = ",", paramLabel = "pdf,png,svg", defaultValue = "pdf,png",
            description = "Formats to write each figure in (default: ${DEFAULT-VALUE}).")
    List<String> formats;

    @Option(names = "--compute", description = {"Compute what the figures need and the store lacks, first: rLLC",
        "(chains 2, draws 40, batch 16, init_batches 4) at 8 checkpoints spread in log-step on every slice,",
        "ablation, patterns and composition at every checkpoint, the loss (max_sequences 256) for the stages."})
    boolean compute;

    @Option(names = "--stages", paramLabel = "auto|llc_full|loss|none", defaultValue = "auto",
            description = {"Curve the stage bands are detected on (default: auto = the full-model LLC if stored,",
                "else the loss)."})
    String stagesFrom;

    @Option(names = "--scatter-x", split = ",", paramLabel = "METRIC",
            description = {"Per-head statistics to plot final rLLC against, e.g. ablation/resample/delta_loss or",
                "patterns/bracket_matching (default: every stored ablation Δloss and pattern score)."})
    List<String> scatterX;

    @Option(names = "--no-progress", description = "No progress bar on stderr while computing.")
    boolean noProgress;

    @Option(names = "--workers", paramLabel = "N", description = "Worker threads for --compute (default: cores).")
    Integer workers;

    /** Results a figure family needs that the store lacks: the tasks, what they are, and the command. */
    record Missing(String family, String what, List<TaskSpec> tasks, int stored, String command) {
    }

    private final Set<Path> written = new LinkedHashSet<>();
    private final List<Map<String, Object>> index = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        if (dpi < 1 || dpi > 2400) {
            throw new HeadLabException("--dpi must be between 1 and 2400, not " + dpi);
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new HeadLabException("--out " + out + " is a file, not a folder");
        }
        if (!StageBands.SOURCES.contains(stagesFrom)) {
            throw new HeadLabException("--stages must be auto, llc_full, loss or none, not '" + stagesFrom + "'");
        }
        for (String f : formats) {
            if (!List.of("pdf", "png", "svg").contains(f)) {
                throw new HeadLabException("--formats: '" + f + "' is not one of pdf, png, svg");
            }
        }
        if (workers != null && workers < 1) {
            throw new HeadLabException("--workers must be at least 1, got " + workers);
        }
        PrintWriter pw = spec.commandLine().getOut();
        int status = 0;
        try (RunSession session = RunSession.open(runDir)) {
            Run run = session.run();
            this.run = run;
            List<Integer> steps = session.steps();
            int s = step != null ? run.checkpoint(step).step() : steps.get(steps.size() - 1);
            try {
                Files.createDirectories(out);
            } catch (IOException e) {
                throw new HeadLabException("cannot make the folder " + out + ": " + AtomicFiles.describe(e));
            }
            LabelStore.Loaded loadedLabels = LabelStore.load(run.dir());
            loadedLabels.error().ifPresent(e -> pw.println("labels unreadable, drawn without them: " + e));
            LabelSet labels = loadedLabels.labels();

            DatasetSlices slices = new DatasetSlices(session);
            List<Missing> missing;
            ResultTable table;
            List<StoredResult> composition;
            try (ResultStore store = compute || ResultStore.hasResults(run.dir())
                    ? ResultStore.openForRun(run) : null) {
                table = store == null ? ResultTable.EMPTY : ResultTable.of(run, store);
                missing = missing(run, slices, table, store);
                if (compute && missing.stream().anyMatch(m -> m.tasks().size() > m.stored())) {
                    status = compute(pw, session, slices, store, missing);
                    table = ResultTable.of(run, store);
                    missing = missing(run, slices, table, store);
                }
                composition = store == null ? List.of() : store.query("composition", null);
            }
            StageBands stages = stages(pw, table);
            this.stageInfo = stages;

            curves(pw, table, "llc", List.of("llc/mean"), labels, s, "llc");
            llcBySlice(table, labels, s);
            scatter(table, labels);
            curves(pw, table, "ablation", table.metrics("ablation", Scope.HEAD).stream()
                    .filter(m -> ABLATION_DELTA.matcher(m).matches()).toList(), labels, s, "ablation");
            curves(pw, table, "patterns", table.metrics("patterns", Scope.HEAD).stream()
                    .filter(m -> m.startsWith("patterns/")).toList(), labels, s, "patterns");
            composition(pw, run, composition, labels, s);
            attention(session, run, labels, s);

            Map<String, Object> idx = new LinkedHashMap<>();
            idx.put("run", run.name());
            idx.put("figures", index);
            idx.put("missing", missing.stream().filter(m -> m.tasks().size() > m.stored()).map(m -> Map.of(
                    "family", m.family(), "what", m.what(), "missing", m.tasks().size() - m.stored(),
                    "command", m.command())).toList());
            Json.writeAtomically(out.resolve("index.json"), idx);
            written.add(out.resolve("index.json"));
            pw.println("wrote " + written.size() + " files:");
            written.forEach(p -> pw.println("  " + p));
            for (Missing m : missing) {
                if (m.tasks().size() > m.stored()) {
                    pw.printf(Locale.ROOT, "missing for %s: %s: %d of %d results not stored; make them with: %s"
                            + "  (or: headlab figures %s --out %s --compute)%n", m.family(), m.what(),
                            m.tasks().size() - m.stored(), m.tasks().size(), m.command(),
                            shellQuote(runDir.toString()), shellQuote(out.toString()));
                }
            }
        }
        return status;
    }

    private Run run;
    private StageBands stageInfo;

    /**
     * What the figure set needs and the store lacks, as sweep tasks. A family with any stored result of any
     * parameters counts as present (its latest parameters are drawn); the rLLC per slice is missing on every
     * slice without results at the parameters, checkpoints and heads of the slice that has them.
     */
    List<Missing> missing(Run run, DatasetSlices slices, ResultTable table, ResultStore store) {
        EstimatorRegistry registry = EstimatorRegistry.standard();
        List<Missing> out = new ArrayList<>();
        String first = slices.defaultSlice();
        // rLLC per head
        Estimator llc = registry.get("llc");
        List<ResultTable.Row> llcRows = table.rows().stream().filter(r -> r.estimator().equals("llc")
                && r.scope() == Scope.HEAD && r.metrics().containsKey("llc/mean")).toList();
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
            String main = mainVariant(table, "llc", "llc/mean");
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
        if (!stagesFrom.equals("none") && table.rows().stream().noneMatch(r -> (r.estimator().equals("llc_full")
                && r.metrics().containsKey("llc/mean")) || (r.estimator().equals("loss")
                && r.metrics().containsKey("loss/mean")))) {
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
        StringBuilder cmd = new StringBuilder("headlab sweep " + shellQuote(runDir.toString()) + " --estimators "
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

    private int compute(PrintWriter pw, RunSession session, DatasetSlices slices, ResultStore store,
            List<Missing> missing) throws InterruptedException {
        List<TaskSpec> tasks = new ArrayList<>();
        for (Missing m : missing) {
            if (m.tasks().size() > m.stored()) {
                pw.println("computing " + m.family() + ": " + m.what() + " (= " + m.command() + ")");
                tasks.addAll(m.tasks());
            }
        }
        pw.flush();
        int n = workers == null ? WorkerPool.defaultWorkers() : workers;
        try (WorkerPool pool = WorkerPool.withWorkers(n)) {
            SweepCommand.ProgressBar bar = noProgress ? null : new SweepCommand.ProgressBar(spec.commandLine()
                    .getErr());
            Sweep sweep = Sweep.start(pool, session, slices, EstimatorRegistry.standard(), store, tasks, bar);
            SweepProgress p = sweep.await();
            if (bar != null) {
                bar.finish(p);
            }
            for (TaskOutcome f : sweep.failures()) {
                spec.commandLine().getErr().println("headlab: failed: " + f.task().describe() + ": " + f.message());
            }
            pw.printf(Locale.ROOT, "computed %d results (%d already stored, %d failed) in %.1f s on %d workers%n",
                    p.computed(), p.skipped(), p.failed(), p.elapsed().toMillis() / 1000.0, n);
            return p.failed() > 0 ? 1 : 0;
        }
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

    /**
     * The variant (parameter set and slice) of {@code estimator}'s rows with {@code metric} that has the most
     * results, the most recently stored on a tie; null when there is none. A half-finished sweep with other
     * settings does not replace a complete one.
     */
    static String mainVariant(ResultTable table, String estimator, String metric) {
        Map<String, Integer> count = new HashMap<>();
        Map<String, Integer> lastRow = new HashMap<>();
        List<ResultTable.Row> rows = table.rows();
        for (int i = 0; i < rows.size(); i++) {
            ResultTable.Row r = rows.get(i);
            if (r.estimator().equals(estimator) && r.metrics().containsKey(metric)) {
                count.merge(r.variant(), 1, Integer::sum);
                lastRow.put(r.variant(), i);
            }
        }
        return count.keySet().stream().max(java.util.Comparator.<String>comparingInt(count::get)
                .thenComparingInt(lastRow::get)).orElse(null);
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

    /**
     * The stage bands: detected on the full-model LLC (as the paper) or the loss, whichever --stages picks and the
     * store has ({@link StageBands}, shared with the workbench); null (no bands) when neither is stored or --stages
     * none.
     */
    StageBands stages(PrintWriter pw, ResultTable table) {
        StageBands found = StageBands.detect(table, stagesFrom);
        if (found != null) {
            pw.println("stages from " + found.sourceEstimator() + " " + found.sourceMetric() + ": " + found.stages());
            return found;
        }
        if (stagesFrom.equals("llc_full")) {
            throw new HeadLabException("--stages llc_full: no full-model LLC is stored; make it with: headlab sweep "
                    + shellQuote(runDir.toString()) + " --estimators llc_full");
        }
        return null;
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
    private void curves(PrintWriter pw, ResultTable table, String estimator, List<String> metricNames,
            LabelSet labels, int s, String family) {
        List<String> present = metricNames.stream().filter(m -> table.rows().stream().anyMatch(r ->
                r.estimator().equals(estimator) && r.scope() == Scope.HEAD && r.metrics().containsKey(m))).toList();
        if (present.isEmpty()) {
            return; // listed with its command at the end
        }
        for (String m : present) {
            String variant = mainVariant(table, estimator, m);
            TrajectoryFigure f = finish(CurveFigures.build(table, estimator, variant, m, labels, s)
                    .styled(CurveFigures.labelColours(labels), null, null));
            write(f, "curves-" + fileName(m), family);
        }
    }

    /**
     * The data-refined rLLC: for the latest rLLC parameters stored on two or more slices, every head's curve on each
     * slice (one panel per layer, colour = slice, shades = heads), plus one figure per labelled head with ± std.
     */
    private void llcBySlice(ResultTable table, LabelSet labels, int s) {
        Map<String, Map<String, List<ResultTable.Row>>> byParams = new LinkedHashMap<>();
        for (ResultTable.Row r : table.rows()) {
            if (r.estimator().equals("llc") && r.scope() == Scope.HEAD && r.metrics().containsKey("llc/mean")) {
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
                .datasetSlice(String.join(", ", sliceNames)).extra("metric", "llc/mean")
                .extra("dataset_slices", sliceNames);
        if (!labels.isEmpty()) {
            prov.labels(CurveFigures.labelsAt(labels, s));
        }
        List<TrajectoryFigure.Series> all = new ArrayList<>();
        List<String> drawn = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (int l = 0; l < run.config().nLayers(); l++) {
            for (int h = 0; h < run.config().nHeads(); h++) {
                // a comparison: each slice's curve at the checkpoints every slice has for this head
                java.util.Set<Integer> common = null;
                for (String slice : sliceNames) {
                    java.util.Set<Integer> st = new TreeSet<>();
                    for (ResultTable.Row r : bySlice.get(slice)) {
                        if (r.layer() == l && r.head() == h) {
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
                    skipped.add(l + ":" + h);
                    continue;
                }
                drawn.add(l + ":" + h);
                java.util.Set<Integer> at = common;
                for (String slice : sliceNames) {
                    all.add(series(bySlice.get(slice).stream().filter(r -> at.contains(r.step())).toList(), l, h,
                            l + ":" + h + " on " + slice, slice, "layer " + l, false));
                }
            }
        }
        if (drawn.isEmpty()) {
            return;
        }
        prov.extra("heads_drawn", drawn).extra("heads_skipped_fewer_than_3_common_checkpoints", skipped);
        write(finish(new TrajectoryFigure("rLLC λ̂ of every head per slice: " + String.join(" vs ", sliceNames), "training step", "llc/mean", all, List.of(), true, prov.build())
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
                TrajectoryFigure.Series c = series(bySlice.get(slice), hd.layer(), hd.head(), slice, slice, null, true);
                if (c != null) {
                    one.add(c);
                }
            }
            if (one.size() < 2) {
                continue;
            }
            Provenance p = prov.build().toBuilder().extra("head", head)
                    .extra("head_label", CurveFigures.labelAt(labels, hd.layer(), hd.head(), s)).build();
            write(finish(new TrajectoryFigure("rLLC λ̂ of head " + head + " (" + CurveFigures.labelAt(labels,
                    hd.layer(), hd.head(), s) + ") per slice, ± std", "training step", "llc/mean", one,
                    List.of(), true, p).styled(colours, null, null)), "llc-by-slice-L" + hd.layer() + "H" + hd.head(),
                    "llc-by-slice");
        }
    }

    /** One head's llc/mean (± llc/std when {@code withStd}) over the steps of {@code rows}; null if it has none. */
    private static TrajectoryFigure.Series series(List<ResultTable.Row> rows, int layer, int head, String name,
            String label, String panel, boolean withStd) {
        TreeMap<Integer, double[]> byStep = new TreeMap<>();
        for (ResultTable.Row r : rows) {
            if (r.layer() == layer && r.head() == head) {
                Double sd = r.metrics().get("llc/std");
                Double res = r.metrics().get("llc/resolution");
                byStep.put(r.step(), new double[] {r.metrics().get("llc/mean"), sd == null ? Double.NaN : sd,
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
        String variant = mainVariant(table, "llc", "llc/mean");
        List<String> stats = scatterX != null ? scatterX.stream().map(String::trim).toList()
                : java.util.stream.Stream.concat(table.metrics("ablation", Scope.HEAD).stream()
                        .filter(m -> ABLATION_DELTA.matcher(m).matches()), table.metrics("patterns", Scope.HEAD)
                        .stream().filter(m -> m.startsWith("patterns/"))).toList();
        if (scatterX != null) {
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
                && r.scope() == Scope.HEAD && variant.equals(r.variant()) && r.metrics().containsKey("llc/mean"))
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
            String xVariant = mainVariant(table, est, m);
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
                Double sd = r.metrics().get("llc/std");
                Double res = r.metrics().get("llc/resolution");
                points.add(new ScatterFigure.Point(e.getKey(), labelled ? CurveFigures.labelAt(labels, r.layer(),
                        r.head(), last) : null, x.getOrDefault(e.getKey(), Double.NaN), r.metrics().get("llc/mean"),
                        sd == null ? Double.NaN : sd, res != null && res != 0));
            }
            Provenance.Builder prov = Provenance.builder().run(run.name(), run.dir().toString())
                    .estimator("llc", CurveFigures.params(any.params())).checkpoint(last, run.contentHash(last))
                    .datasetSlice(any.dataset()).extra("y_metric", "llc/mean").extra("x_estimator", est)
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
            write(f.withProvenance(p), "scatter-final-llc-vs-" + fileName(m), "scatter");
        }
    }

    /**
     * Composition scores over training, one figure per kind (q, k, v): one series per (sender → receiver) pair of
     * a sender in an earlier layer that beats the random baseline (mean + 2 std) at some checkpoint, plus the
     * baseline itself with its std band. Only the most recent parameter set is used.
     */
    private void composition(PrintWriter pw, Run run, List<StoredResult> stored, LabelSet labels, int s) {
        Map<String, Integer> stepOf = new TreeMap<>();
        for (int st : run.steps()) {
            stepOf.put(run.contentHash(st), st);
        }
        List<StoredResult> mine = stored.stream().filter(r -> stepOf.containsKey(r.key().checkpointHash())
                && r.result().metrics().containsKey("composition/q")).toList();
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
            String key = "composition/" + kind;
            int n = xs.length;
            double[] baseMean = new double[n];
            double[] baseStd = new double[n];
            double[][] scores = new double[n][];
            int i = 0;
            for (StoredResult r : byStep.values()) {
                scores[i] = r.result().metrics().containsKey(key) ? r.result().array(key) : null;
                baseMean[i] = number(r, "composition/baseline_" + kind + "_mean");
                baseStd[i] = number(r, "composition/baseline_" + kind + "_std");
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
                                String label = labelled ? CurveFigures.labelAt(labels, l1, h1, s) : null;
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
            write(finish(f), "composition-" + kind, "composition");
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
        String input = text != null ? text : session.sampleInput();
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
            write(AttentionMapFigure.allHeads(r, AttentionMapFigure.provenance(run, r, all)),
                    "attention-step" + s + "-all-heads", "attention");
            return;
        }
        for (String h : labelled) {
            int colon = h.indexOf(':');
            int layer = Integer.parseInt(h.substring(0, colon));
            int head = Integer.parseInt(h.substring(colon + 1));
            write(AttentionMapFigure.head(r, layer, head, AttentionMapFigure.provenance(run, r, List.of(h))),
                    "attention-step" + s + "-L" + layer + "H" + head, "attention");
        }
    }

    /** Every --formats format under one base name, sharing one CSV and one provenance sidecar. */
    private void write(Figure f, String base, String family) {
        List<String> files = new ArrayList<>();
        FigureExporter.Exported last = null;
        for (String format : formats.stream().distinct().toList()) {
            last = FigureExporter.export(f, out.resolve(base + "." + format), dpi);
            written.add(last.figure());
            files.add(last.figure().getFileName().toString());
        }
        written.add(last.csv());
        written.add(last.provenance());
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("family", family);
        e.put("title", f.title());
        e.put("files", files);
        e.put("data", last.csv().getFileName().toString());
        e.put("provenance", last.provenance().getFileName().toString());
        index.add(e);
    }

    /** "patterns/previous_token" → "patterns-previous_token": safe in every file system. */
    static String fileName(String metric) {
        return metric.replaceAll("[^A-Za-z0-9_.-]+", "-");
    }

    static String shellQuote(String s) {
        return s.matches("[A-Za-z0-9_./:@%+=,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }
}
