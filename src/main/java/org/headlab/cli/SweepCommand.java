package org.headlab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.Estimator;
import org.headlab.core.estimate.EstimatorRegistry;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.Params;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.jobs.WorkerPool;
import org.headlab.core.session.RunSession;
import org.headlab.core.store.ResultStore;
import org.headlab.core.sweep.Sweep;
import org.headlab.core.sweep.SweepListener;
import org.headlab.core.sweep.SweepPlan;
import org.headlab.core.sweep.SweepProgress;
import org.headlab.core.sweep.SweepTally;
import org.headlab.core.sweep.TaskOutcome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sweep RUN --estimators loss,... --steps all --heads all}: runs estimators over checkpoints and heads on
 * the worker pool, storing each result in {@code RUN/.headlab/results.db} as it finishes. Re-running (after a
 * crash, a Ctrl-C, or to add checkpoints) computes only what is not stored yet.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Run estimators over checkpoints x heads; results go to RUN/.headlab/results.db.",
        footer = {"", "Exit status: 0 all done, 1 some tasks failed or were cancelled, 2 a usage or input error."})
final class SweepCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RUN", description = "The run folder.")
    Path runDir;

    @Option(names = "--estimators", required = true, split = ",", paramLabel = "ID",
            description = "Estimators to run, comma-separated (available: ${COMPLETION-CANDIDATES}).",
            completionCandidates = EstimatorIds.class)
    List<String> estimators;

    @Option(names = "--steps", defaultValue = "all", paramLabel = "all|S,S,...",
            description = "Checkpoint steps (default: all).")
    String steps;

    @Option(names = "--every-nth", paramLabel = "N",
            description = "Keep every N-th of the selected checkpoints (the 1st, (N+1)-th, ...) and always the last:"
                    + " a cheaper trajectory that a later run with a smaller N completes (stored tasks are skipped).")
    Integer everyNth;

    @Option(names = "--heads", defaultValue = "all", paramLabel = "all|L:H,...",
            description = "Heads for per-head and per-layer estimators (default: all).")
    String heads;

    @Option(names = "--dataset", paramLabel = "SLICE", description = "Dataset slice (default: the run's first).")
    String dataset;

    @Option(names = "--workers", paramLabel = "N", description = "Worker threads (default: the number of cores).")
    Integer workers;

    @Option(names = {"-p", "--param"}, paramLabel = "EST.NAME=VALUE",
            description = "An estimator parameter, e.g. -p loss.max_sequences=100 (repeatable).")
    List<String> paramTexts = new ArrayList<>();

    @Option(names = "--no-progress", description = "No progress bar on stderr.")
    boolean noProgress;

    @Option(names = "--engine", defaultValue = "local", paramLabel = "local|spark",
            description = "Where the tasks run: this JVM's worker pool (default), or Apache Spark (embedded"
                    + " local[N] without --master; needs headlab-spark.jar).")
    String engine;

    @Option(names = "--master", paramLabel = "URL",
            description = "With --engine spark: the Spark master, spark://host:port for a standalone cluster"
                    + " (default: embedded, local[N] with N = --workers or the cores).")
    String master;

    @Option(names = "--conf", paramLabel = "KEY=VALUE",
            description = "With --engine spark: a Spark property, as spark-submit's --conf, e.g."
                    + " spark.executor.memory=8g (repeatable).")
    List<String> sparkConf = new ArrayList<>();

    @Option(names = "--ship-run", description = "With --engine spark: copy the run folder (without its store) to"
            + " every executor instead of reading it from RUN's path there; for small runs without a shared file"
            + " system.")
    boolean shipRun;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        EstimatorRegistry registry = EstimatorRegistry.standard();
        List<Estimator> chosen = estimators.stream().map(String::trim).distinct().map(registry::get).toList();
        Map<String, Params> params = params(chosen);
        int n = workers == null ? WorkerPool.defaultWorkers() : workers;
        if (n < 1) {
            throw new HeadLabException("--workers must be at least 1, got " + n);
        }
        boolean spark = switch (engine.trim()) {
            case "local" -> false;
            case "spark" -> true;
            default -> throw new HeadLabException("--engine must be local or spark, got '" + engine + "'");
        };
        if (!spark && (master != null || !sparkConf.isEmpty() || shipRun)) {
            throw new HeadLabException("--master, --conf and --ship-run need --engine spark");
        }
        if (spark && master != null && workers != null) {
            throw new HeadLabException("--workers sets the cores of the local pool or of embedded Spark; with --master"
                    + " give them there (local[N]) or, on a cluster, with --conf spark.executor.cores=N");
        }
        if (spark && !sparkOnClassPath()) {
            throw new HeadLabException("--engine spark: Spark is not on this launch's class path; run the sweep with"
                    + " java -jar target/headlab-spark.jar (built by mvn package next to headlab.jar)");
        }
        // a malformed master or --conf, or an unreachable master, is refused before the run's store is opened
        org.headlab.spark.SparkSweep.Settings settings = spark ? sparkSettings(n) : null;
        if (spark) {
            org.headlab.spark.SparkSweep.requireReachable(settings.master());
        }
        if (everyNth != null && everyNth < 1) {
            throw new HeadLabException("--every-nth must be at least 1, got " + everyNth);
        }
        try (RunSession session = RunSession.open(runDir)) {
            DatasetSlices slices = new DatasetSlices(session);
            // planned (steps, heads, slice checked) before the store exists: a refused sweep writes nothing
            List<TaskSpec> tasks = SweepPlan.tasks(session.run(), slices, chosen, params, thin(parseSteps(), session),
                    parseHeads(session), dataset);
            return spark ? runOnSpark(session, tasks, settings, out, err) : run(session, slices, tasks, n, out, err);
        }
    }

    private int runOnSpark(RunSession session, List<TaskSpec> tasks, org.headlab.spark.SparkSweep.Settings settings,
            PrintWriter out, PrintWriter err) throws InterruptedException {
        try (ResultStore store = ResultStore.openForRun(session.run())) {
            ProgressBar bar = noProgress ? null : new ProgressBar(err);
            SweepTally tally = org.headlab.spark.SparkSweep.run(runDir, tasks, store, settings, bar);
            return summarize(tally.progress(), tally.failures(), bar, out, err, "on Spark " + settings.master());
        }
    }

    private org.headlab.spark.SparkSweep.Settings sparkSettings(int cores) {
        return new org.headlab.spark.SparkSweep.Settings(master != null ? master : "local[" + cores + "]", sparkConf(),
                shipRun, java.time.Duration.ofSeconds(60));
    }

    /** --conf KEY=VALUE as a map, checked before anything is opened. */
    private Map<String, String> sparkConf() {
        Map<String, String> conf = new LinkedHashMap<>();
        for (String c : sparkConf) {
            int eq = c.indexOf('=');
            if (eq < 1) {
                throw new HeadLabException("--conf '" + c + "' must be written KEY=VALUE, e.g."
                        + " spark.executor.memory=8g");
            }
            conf.put(c.substring(0, eq).trim(), c.substring(eq + 1).trim());
        }
        return conf;
    }

    private static boolean sparkOnClassPath() {
        try {
            Class.forName("org.apache.spark.SparkContext", false, SweepCommand.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private int run(RunSession session, DatasetSlices slices, List<TaskSpec> tasks, int n, PrintWriter out,
            PrintWriter err) throws InterruptedException {
        try (ResultStore store = ResultStore.openForRun(session.run());
                WorkerPool pool = WorkerPool.withWorkers(n)) {
            ProgressBar bar = noProgress ? null : new ProgressBar(err);
            Sweep sweep = Sweep.start(pool, session, slices, EstimatorRegistry.standard(), store, tasks, bar);
            return summarize(sweep.await(), sweep.failures(), bar, out, err, "(" + n + " workers)");
        }
    }

    private static int summarize(SweepProgress p, List<TaskOutcome> failures, ProgressBar bar, PrintWriter out,
            PrintWriter err, String where) {
        if (bar != null) {
            bar.finish(p);
        }
        for (TaskOutcome f : failures) {
            err.println("headlab: failed: " + f.task().describe() + ": " + f.message());
        }
        out.printf(Locale.ROOT, "%d tasks: %d computed, %d skipped (already stored), %d failed%s in %.1f s %s%n",
                p.total(), p.computed(), p.skipped(), p.failed(),
                p.cancelled() > 0 ? ", " + p.cancelled() + " cancelled (run again to compute them)" : "",
                p.elapsed().toMillis() / 1000.0, where);
        return p.failed() > 0 || p.cancelled() > 0 ? 1 : 0;
    }

    private Map<String, Params> params(List<Estimator> chosen) {
        Map<String, Map<String, String>> byEstimator = new LinkedHashMap<>();
        for (String t : paramTexts) {
            int dot = t.indexOf('.');
            int eq = t.indexOf('=');
            if (dot < 1 || eq < dot + 2) {
                throw new HeadLabException("parameter '" + t + "' must be written ESTIMATOR.NAME=VALUE, e.g."
                        + " loss.max_sequences=100");
            }
            String id = t.substring(0, dot);
            if (chosen.stream().noneMatch(e -> e.id().equals(id))) {
                throw new HeadLabException("parameter '" + t + "' is for estimator '" + id + "', which is not in"
                        + " --estimators");
            }
            byEstimator.computeIfAbsent(id, k -> new LinkedHashMap<>()).put(t.substring(dot + 1, eq),
                    t.substring(eq + 1));
        }
        Map<String, Params> out = new HashMap<>();
        for (Estimator e : chosen) {
            try {
                out.put(e.id(), e.parameters().parse(byEstimator.getOrDefault(e.id(), Map.of())));
            } catch (HeadLabException ex) {
                throw new HeadLabException(e.id() + ": " + ex.getMessage());
            }
        }
        return out;
    }

    private List<Integer> parseSteps() {
        if (steps.trim().equals("all")) {
            return null;
        }
        List<Integer> out = new ArrayList<>();
        for (String s : steps.split(",")) {
            try {
                out.add(Integer.valueOf(s.trim()));
            } catch (NumberFormatException e) {
                throw new HeadLabException("--steps: '" + s.trim() + "' is not a step (write all, or steps like"
                        + " 0,100,1000)");
            }
        }
        return out;
    }

    /** The selected steps (null = all of the run's) thinned to every {@link #everyNth}-th plus the last. */
    private List<Integer> thin(List<Integer> selected, RunSession session) {
        if (everyNth == null) {
            return selected;
        }
        List<Integer> all = selected != null ? selected : session.run().steps();
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (i % everyNth == 0 || i == all.size() - 1) {
                out.add(all.get(i));
            }
        }
        return out;
    }

    private List<Head> parseHeads(RunSession session) {
        if (heads.trim().equals("all")) {
            return null;
        }
        List<Head> out = new ArrayList<>();
        for (String h : heads.split(",")) {
            out.add(Head.parse(h).checkedAgainst(session.run().config()));
        }
        return out;
    }

    /** Completion candidates / help text: the ids of the estimators on the classpath. */
    static final class EstimatorIds extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        EstimatorIds() {
            EstimatorRegistry.standard().all().forEach(e -> add(e.id()));
        }
    }

    /** A one-line bar redrawn in place on stderr, at most 10 times a second. */
    static final class ProgressBar implements SweepListener {
        private static final int WIDTH = 30;
        private final PrintWriter err;
        private long lastDraw;

        ProgressBar(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void progress(SweepProgress p) {
            long now = System.nanoTime();
            if (now - lastDraw < 100_000_000L && !p.finished()) {
                return;
            }
            lastDraw = now;
            err.print("\r" + line(p));
            err.flush();
        }

        void finish(SweepProgress p) {
            err.println("\r" + line(p));
            err.flush();
        }

        static String line(SweepProgress p) {
            int filled = (int) Math.round(p.fraction() * WIDTH);
            String eta = p.eta() == null ? "--:--" : clock(p.eta().toSeconds());
            return String.format(Locale.ROOT, "[%s%s] %d/%d  computed %d  skipped %d  failed %d  ETA %s ",
                    "#".repeat(filled), "-".repeat(WIDTH - filled), p.done(), p.total(), p.computed(), p.skipped(),
                    p.failed(), eta);
        }

        private static String clock(long seconds) {
            return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
        }
    }
}
