package org.headlab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * {@code figures RUN --out DIR [--text T] [--step S]}: the run's figure set, headless, from what its result store
 * holds and its labels. Each figure is written as PDF and PNG with its CSV and provenance sidecars; a figure family
 * with no stored results prints the sweep command that makes it. Nothing is computed here but attention maps.
 */
@Command(name = "figures", mixinStandardHelpOptions = true,
        description = {"Write the run's figure set (PDF + PNG, each with .csv data and .provenance.json) from its",
            "stored results and labels: llc, ablation and pattern-score curves per head, composition scores over",
            "training, and attention maps of the labelled heads. Missing results are named with the sweep command",
            "that makes them."})
final class FiguresCommand implements Callable<Integer> {
    static final Pattern ABLATION_DELTA = Pattern.compile("ablation/[^/]+/delta_loss");
    /** A composition pair is drawn when it beats the random baseline's mean by this many of its stds at a step. */
    static final double BASELINE_SIGMAS = 2.0;

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

    private final Set<Path> written = new LinkedHashSet<>();
    private final List<Map<String, Object>> index = new ArrayList<>();

    @Override
    public Integer call() {
        if (dpi < 1 || dpi > 2400) {
            throw new HeadLabException("--dpi must be between 1 and 2400, not " + dpi);
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new HeadLabException("--out " + out + " is a file, not a folder");
        }
        PrintWriter pw = spec.commandLine().getOut();
        try (RunSession session = RunSession.open(runDir)) {
            Run run = session.run();
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

            ResultTable table = ResultTable.EMPTY;
            List<StoredResult> composition = List.of();
            if (Files.exists(ResultStore.location(run.dir()))) {
                try (ResultStore store = ResultStore.openForRun(run.dir())) {
                    table = ResultTable.of(run, store);
                    composition = store.query("composition", null);
                }
            }

            curves(pw, table, "llc", List.of("llc/mean"), labels, s, "llc");
            curves(pw, table, "ablation", table.metrics("ablation", Scope.HEAD).stream()
                    .filter(m -> ABLATION_DELTA.matcher(m).matches()).toList(), labels, s, "ablation");
            curves(pw, table, "patterns", table.metrics("patterns", Scope.HEAD).stream()
                    .filter(m -> m.startsWith("patterns/")).toList(), labels, s, "patterns");
            composition(pw, run, composition, labels, s);
            attention(session, run, labels, s);

            Json.writeAtomically(out.resolve("index.json"), Map.of("run", run.name(), "figures", index));
            written.add(out.resolve("index.json"));
            pw.println("wrote " + written.size() + " files:");
            written.forEach(p -> pw.println("  " + p));
        }
        return 0;
    }

    /** One curves figure per metric of {@code estimator} (its most recent parameters), or the sweep hint. */
    private void curves(PrintWriter pw, ResultTable table, String estimator, List<String> metricNames,
            LabelSet labels, int s, String family) {
        List<String> present = metricNames.stream().filter(m -> table.rows().stream().anyMatch(r ->
                r.estimator().equals(estimator) && r.scope() == Scope.HEAD && r.metrics().containsKey(m))).toList();
        if (present.isEmpty()) {
            missing(pw, family, estimator);
            return;
        }
        for (String m : present) {
            String variant = table.latestVariant(estimator, m);
            TrajectoryFigure f = CurveFigures.build(table, estimator, variant, m, labels, s)
                    .styled(CurveFigures.labelColours(labels), null, null);
            write(f, "curves-" + fileName(m), family);
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
            missing(pw, "composition", "composition");
            return;
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
            write(f, "composition-" + kind, "composition");
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

    private void missing(PrintWriter pw, String family, String estimator) {
        pw.println("no " + family + " results stored (estimator '" + estimator + "'); make them with: headlab sweep "
                + shellQuote(runDir.toString()) + " --estimators " + estimator);
    }

    /** PDF and PNG under one base name, sharing one CSV and one provenance sidecar. */
    private void write(Figure f, String base, String family) {
        FigureExporter.Exported pdf = FigureExporter.export(f, out.resolve(base + ".pdf"), dpi);
        FigureExporter.Exported png = FigureExporter.export(f, out.resolve(base + ".png"), dpi);
        written.add(pdf.figure());
        written.add(png.figure());
        written.add(png.csv());
        written.add(png.provenance());
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("family", family);
        e.put("title", f.title());
        e.put("files", List.of(pdf.figure().getFileName().toString(), png.figure().getFileName().toString()));
        e.put("data", png.csv().getFileName().toString());
        e.put("provenance", png.provenance().getFileName().toString());
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
