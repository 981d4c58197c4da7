package org.headlab.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.EstimatorRegistry;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.figure.FigureSet;
import org.headlab.core.figure.StageBands;
import org.headlab.core.jobs.WorkerPool;
import org.headlab.core.labels.LabelSet;
import org.headlab.core.labels.LabelStore;
import org.headlab.core.run.Run;
import org.headlab.core.session.RunSession;
import org.headlab.core.store.ResultStore;
import org.headlab.core.sweep.Sweep;
import org.headlab.core.sweep.SweepProgress;
import org.headlab.core.sweep.TaskOutcome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code figures RUN --out DIR [--compute] [--text T] [--step S]}: the run's {@link FigureSet}, headless, from what
 * its result store holds and its labels. Each figure is written as PDF and PNG with its CSV and provenance sidecars.
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
        "(chains 2, draws 40, batch 16, init_batches 0) at 8 checkpoints spread in log-step on every slice,",
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

    @Override
    public Integer call() throws InterruptedException {
        if (dpi < 1 || dpi > 2400) {
            throw new HeadLabException("--dpi must be between 1 and 2400, not " + dpi);
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new HeadLabException("--out " + out + " is a file, not a folder");
        }
        for (String f : formats) {
            if (!List.of("pdf", "png", "svg").contains(f)) {
                throw new HeadLabException("--formats: '" + f + "' is not one of pdf, png, svg");
            }
        }
        if (workers != null && workers < 1) {
            throw new HeadLabException("--workers must be at least 1, got " + workers);
        }
        FigureSet.Options options = new FigureSet.Options(step, text, stagesFrom, scatterX);
        PrintWriter pw = spec.commandLine().getOut();
        int status = 0;
        try (RunSession session = RunSession.open(runDir)) {
            Run run = session.run();
            LabelStore.Loaded loadedLabels = LabelStore.load(run.dir());
            if (loadedLabels.error().isPresent()) {
                // a publication figure drawn without its labels looks finished and is wrong: refuse instead
                throw new HeadLabException(loadedLabels.error().get() + " (fix labels.json, or move it away to draw"
                        + " the figures without labels)");
            }
            LabelSet labels = loadedLabels.labels();
            DatasetSlices slices = new DatasetSlices(session);
            String runArg = runDir.toString();
            FigureSet set;
            // drawing only reads: the store is opened for writing only when --compute will add to it
            try (ResultStore store = compute ? ResultStore.openForRun(run)
                    : ResultStore.hasResults(run.dir()) ? ResultStore.readOnlyView(run) : null) {
                set = FigureSet.read(session, slices, store, labels, options, runArg);
                if (compute && !set.incomplete().isEmpty()) {
                    status = compute(pw, session, slices, store, set.incomplete());
                    set = FigureSet.read(session, slices, store, labels, options, runArg);
                }
            }
            StageBands stages = set.stages();
            if (stages != null) {
                pw.println("stages from " + stages.sourceEstimator() + " " + stages.sourceMetric() + ": "
                        + stages.stages());
            }
            FigureSet.Written written = set.write(out, formats, dpi);
            pw.println("wrote " + written.files().size() + " files:");
            written.files().forEach(p -> pw.println("  " + p));
            for (FigureSet.Missing m : set.incomplete()) {
                pw.printf(Locale.ROOT, "missing for %s: %s: %d of %d results not stored; make them with: %s"
                        + "  (or: headlab figures %s --out %s --compute)%n", m.family(), m.what(), m.count(),
                        m.tasks().size(), m.command(), FigureSet.shellQuote(runArg),
                        FigureSet.shellQuote(out.toString()));
            }
        }
        return status;
    }

    private int compute(PrintWriter pw, RunSession session, DatasetSlices slices, ResultStore store,
            List<FigureSet.Missing> missing) throws InterruptedException {
        List<TaskSpec> tasks = new ArrayList<>();
        for (FigureSet.Missing m : missing) {
            pw.println("computing " + m.family() + ": " + m.what() + " (= " + m.command() + ")");
            tasks.addAll(m.tasks());
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
}
