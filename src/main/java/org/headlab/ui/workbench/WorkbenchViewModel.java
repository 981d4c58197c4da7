package org.headlab.ui.workbench;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.EstimatorRegistry;
import org.headlab.core.estimate.Head;
import org.headlab.core.figure.AttentionMapFigure;
import org.headlab.core.figure.FigureExporter;
import org.headlab.core.figure.FigureSet;
import org.headlab.core.jobs.JobExecutor;
import org.headlab.core.jobs.WorkerPool;
import org.headlab.core.labels.AttentionEvidence;
import org.headlab.core.labels.LabelSet;
import org.headlab.core.labels.LabelStore;
import org.headlab.core.session.AttentionResult;
import org.headlab.core.session.InputKind;
import org.headlab.core.session.RunSession;
import org.headlab.core.store.ResultStore;
import org.headlab.ui.LatestRequest;
import org.headlab.ui.Selection;
import org.headlab.ui.ablation.TokenAblationViewModel;
import org.headlab.ui.multigrams.MultigramsViewModel;
import org.headlab.ui.composition.CompositionViewModel;
import org.headlab.ui.curves.CurvesViewModel;
import org.headlab.ui.diagnostics.SgldDiagnosticsViewModel;
import org.headlab.ui.estimators.RunEstimatorViewModel;
import org.headlab.ui.jobs.JobsViewModel;
import org.headlab.ui.labels.LabelsViewModel;

/**
 * State and actions of the main window, without any control: opening a run, following the selection, and
 * computing attention maps on the job executor. Results come back through {@code uiThread} (Platform::runLater in
 * the app, Runnable::run in tests); a result that a newer request has overtaken is dropped.
 */
public final class WorkbenchViewModel {
    private static final int EXPORT_DPI = 300;
    private final JobExecutor jobs;
    private final Consumer<Runnable> uiThread;
    private final Selection selection = new Selection();

    private final ObservableList<Integer> steps = FXCollections.observableArrayList();
    private final ObjectProperty<AttentionResult> attention = new SimpleObjectProperty<>(this, "attention");
    private final ObjectProperty<Integer> compareStep = new SimpleObjectProperty<>(this, "compareStep");
    private final ObjectProperty<AttentionResult> comparison = new SimpleObjectProperty<>(this, "comparison");
    private final StringProperty status = new SimpleStringProperty(this, "status", "No run open");
    private final StringProperty error = new SimpleStringProperty(this, "error", "");
    private final StringProperty title = new SimpleStringProperty(this, "title", "HeadLab");
    private final BooleanProperty busy = new SimpleBooleanProperty(this, "busy", false);
    private boolean opening;
    private boolean computing;
    private final LatestRequest attentionRequest;
    private final LatestRequest openRequest;
    private final LatestRequest inputRequest;
    private final AtomicLong inputSeed = new AtomicLong();
    private final LabelsViewModel labels;
    private final JobsViewModel jobsPanel;
    private final CurvesViewModel curves;
    private final RunEstimatorViewModel runEstimator;
    private final CompositionViewModel composition;
    private final SgldDiagnosticsViewModel diagnostics;
    private final TokenAblationViewModel tokenAblation;
    private final MultigramsViewModel multigrams;
    private final org.headlab.ui.susceptibility.SusceptibilityViewModel susceptibility;

    private record Opened(RunSession session, LabelStore.Loaded labels) {
    }

    /** The application's: interactive jobs and sweeps on one pool (sweeps at BATCH priority, behind the views). */
    public WorkbenchViewModel(WorkerPool pool, Consumer<Runnable> uiThread) {
        this(pool, pool, uiThread, java.time.Clock.systemUTC());
    }

    /**
     * @param jobs where the views' computations run ({@link JobExecutor#sameThread()} in tests)
     * @param sweeps where sweeps run: a pool, for its priorities and task listeners ({@link WorkerPool#callerRuns()}
     *     in tests)
     */
    public WorkbenchViewModel(JobExecutor jobs, WorkerPool sweeps, Consumer<Runnable> uiThread,
            java.time.Clock clock) {
        this.jobs = jobs;
        this.uiThread = uiThread;
        this.attentionRequest = new LatestRequest("attention", jobs, uiThread);
        this.openRequest = new LatestRequest("open run", jobs, uiThread);
        this.inputRequest = new LatestRequest("generate input", jobs, uiThread);
        this.labels = new LabelsViewModel(selection, jobs, uiThread, clock);
        this.jobsPanel = new JobsViewModel(sweeps, uiThread);
        this.curves = new CurvesViewModel(selection, jobs, uiThread, labels);
        this.composition = new CompositionViewModel(selection, jobs, uiThread);
        this.diagnostics = new SgldDiagnosticsViewModel(selection, jobs, uiThread);
        this.tokenAblation = new TokenAblationViewModel(selection, jobs, uiThread);
        this.multigrams = new MultigramsViewModel(selection, jobs, uiThread);
        this.susceptibility = new org.headlab.ui.susceptibility.SusceptibilityViewModel(selection, jobs, uiThread);
        // the clusters' label suggestions go to the label panel, which offers them; only the user applies one
        curves.clusterSuggestionsProperty().addListener((o, a, b) -> labels.setClusterSuggestions(b));
        this.runEstimator = new RunEstimatorViewModel(EstimatorRegistry.standard(), jobsPanel, selection, uiThread,
                () -> {
                    curves.refresh();
                    diagnostics.refresh();
                    susceptibility.refresh();
                });
        // evidence for the label panel: the maps on screen for now (EvidenceSource is the seam for stored scores)
        attention.addListener((o, a, r) -> labels.setEvidenceSource(new AttentionEvidence(r)));
        // one recompute per change of what the map shows, however many fields one selection change touches
        selection.stateProperty().addListener((o, a, b) -> {
            if (a.session() != b.session() || !Objects.equals(a.step(), b.step()) || !a.input().equals(b.input())) {
                recompute();
            }
        });
        compareStep.addListener((o, a, b) -> recompute());
    }

    /** The checkpoint the map is compared with (null: no comparison, the plain map). */
    public ObjectProperty<Integer> compareStepProperty() {
        return compareStep;
    }

    /** The attention at {@link #compareStepProperty()} on the same input, or null. */
    public ReadOnlyObjectProperty<AttentionResult> comparisonProperty() {
        return comparison;
    }

    public Selection selection() {
        return selection;
    }

    /** The label panel's view model; it shares this window's selection. */
    public LabelsViewModel labels() {
        return labels;
    }

    /** The jobs panel: sweeps started here and the pool's queued and running jobs. */
    public JobsViewModel jobsPanel() {
        return jobsPanel;
    }

    /** Curves over training of stored estimator results. */
    public CurvesViewModel curves() {
        return curves;
    }

    /** The composition matrix (Q/K/V scores between heads of different layers). */
    public CompositionViewModel composition() {
        return composition;
    }

    /** SGLD traces and health of the selected head's stored rLLC at the selected checkpoint. */
    public SgldDiagnosticsViewModel diagnostics() {
        return diagnostics;
    }

    /** Loss increase per token of the current input when the selected head is ablated. */
    /** The Multigrams tab: the selected head's attended pairs and memorised predictions. */
    public MultigramsViewModel multigrams() {
        return multigrams;
    }

    /** The Susceptibility tab: stored per-token susceptibilities at the selected checkpoint. */
    public org.headlab.ui.susceptibility.SusceptibilityViewModel susceptibility() {
        return susceptibility;
    }

    public TokenAblationViewModel tokenAblation() {
        return tokenAblation;
    }

    /** The "Run estimator…" dialog. */
    public RunEstimatorViewModel runEstimator() {
        return runEstimator;
    }

    /** The open run: the selection's. */
    public ReadOnlyObjectProperty<RunSession> sessionProperty() {
        return selection.sessionProperty();
    }

    public ObservableList<Integer> steps() {
        return steps;
    }

    public ReadOnlyObjectProperty<AttentionResult> attentionProperty() {
        return attention;
    }

    public ReadOnlyStringProperty statusProperty() {
        return status;
    }

    public ReadOnlyStringProperty errorProperty() {
        return error;
    }

    public ReadOnlyStringProperty titleProperty() {
        return title;
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy;
    }

    /** Opens a run folder off the FX thread; on success the last checkpoint and the run's sample input are shown. */
    public void openRun(Path dir) {
        openRun(dir, null);
    }

    /**
     * Why another run cannot be opened now (null: it can): a sweep started from this window is still planned or
     * running on the open run. Switching would show its progress and results against a run they do not belong to,
     * so the window asks first ({@link #cancelSweepsAndOpen}).
     */
    public String switchBlockedBecause() {
        List<JobsViewModel.SweepRow> busySweeps = jobsPanel.unfinished();
        if (busySweeps.isEmpty()) {
            return null;
        }
        RunSession s = selection.session();
        return (busySweeps.size() == 1 ? "A sweep is" : busySweeps.size() + " sweeps are") + " still running on "
                + (s == null ? "this run" : "run '" + s.run().name() + "'") + " (" + busySweeps.get(0).title()
                + ", " + busySweeps.get(0).summary() + "). Cancel " + (busySweeps.size() == 1 ? "it" : "them")
                + " first (Jobs tab); results stored so far are kept.";
    }

    /** Cancels every sweep of this window (stored results stay), then opens {@code dir}. */
    public void cancelSweepsAndOpen(Path dir) {
        jobsPanel.cancelAll();
        openRunNow(dir, null);
    }

    /**
     * Opens a run and shows checkpoint {@code step} (null or absent: the last one); refused with a clear message
     * in the error line while a sweep of the open run is running (see {@link #switchBlockedBecause()}).
     */
    public void openRun(Path dir, Integer step) {
        String blocked = selection.session() == null ? null : switchBlockedBecause();
        if (blocked != null) {
            error.set("Not opening " + dir.getFileName() + ": " + blocked);
            return;
        }
        openRunNow(dir, step);
    }

    private void openRunNow(Path dir, Integer step) {
        opening = true;
        updateBusy();
        status.set("Opening " + dir + " …");
        // labels.json is read with the run, off the FX thread; a bad one is reported, never fatal
        // the run chosen last wins: a run still opening when another is chosen is closed when it arrives
        openRequest.submit(() -> {
            RunSession s = RunSession.open(dir);
            try {
                return new Opened(s, LabelStore.load(s.run().dir()));
            } catch (RuntimeException e) {
                s.close(); // nobody else holds the session yet
                throw e;
            }
        }, done -> {
            opening = false;
            updateBusy();
            inputRequest.invalidate(); // an input generated with the run before's tokenizer must not land here
            RunSession opened = done.session();
            RunSession previous = selection.session();
            error.set("");
            title.set("HeadLab — " + opened.run().name());
            List<Integer> s = opened.steps();
            steps.setAll(s);
            labels.setRun(opened.run().dir(), s, done.labels());
            Integer shown = step != null && s.contains(step) ? step : s.isEmpty() ? null : s.get(s.size() - 1);
            // one new selection: every view that follows the run finds its step, head and input already in it
            selection.update(st -> {
                Selection.State next = st.withSession(opened).withStep(shown);
                Head h = st.head();
                if (h.layer() >= opened.run().config().nLayers() || h.head() >= opened.run().config().nHeads()) {
                    next = next.withHead(new Head(0, 0));
                }
                return st.input().isBlank() ? next.withInput(opened.sampleInput()) : next;
            });
            if (previous != null) {
                previous.close(); // after every view has moved to the new run
            }
            String labelsNote = done.labels().error().map(e -> " · labels.json unreadable: see the label panel")
                    .orElse("");
            status.set((step != null && !s.contains(step)
                    ? "No checkpoint at step " + step + ": showing step " + shown + ". " + opened.describe()
                    : opened.describe()) + labelsNote);
        }, failure -> {
            opening = false;
            updateBusy();
            error.set(messageOf(failure));
            status.set("Could not open " + dir.getFileName());
        }, overtaken -> overtaken.session().close());
    }

    /** Selects the checkpoint at {@code index} in {@link #steps()}. */
    public void selectStepIndex(int index) {
        if (index >= 0 && index < steps.size()) {
            selection.stepProperty().set(steps.get(index));
        }
    }

    public int selectedStepIndex() {
        Integer s = selection.state().step();
        return s == null ? -1 : steps.indexOf(s);
    }

    public void selectHead(Head head) {
        selection.headProperty().set(head);
    }

    /** Fills the input with a freshly generated example of {@code kind} that the run's tokenizer can encode. */
    public void generateInput(InputKind kind) {
        RunSession s = selection.session();
        if (s == null) {
            error.set("Open a run first: generated inputs use its tokenizer.");
            return;
        }
        long seed = inputSeed.incrementAndGet();
        inputRequest.submit(() -> s.generateInput(kind, seed), text -> selection.inputProperty().set(text),
                failure -> error.set(messageOf(failure)));
    }

    /**
     * Exports the shown attention map (the selected head, or every head) as a figure with its CSV data and
     * provenance beside it; the format follows the file's extension (png, svg, pdf).
     */
    public void exportAttention(Path file, boolean allHeads) {
        RunSession s = selection.session();
        AttentionResult r = attention.get();
        if (s == null || r == null) {
            error.set("Nothing to export yet: open a run and compute an attention map first.");
            return;
        }
        Head h = selection.head();
        jobs.submit("export figure", () -> {
            List<String> heads = new java.util.ArrayList<>();
            if (allHeads) {
                for (int l = 0; l < r.layers(); l++) {
                    for (int k = 0; k < r.heads(); k++) {
                        heads.add(l + ":" + k);
                    }
                }
            } else {
                heads.add(h.toString());
            }
            var provenance = AttentionMapFigure.provenance(s.run(), r, heads);
            var figure = allHeads ? AttentionMapFigure.allHeads(r, provenance)
                    : AttentionMapFigure.head(r, h, provenance);
            return FigureExporter.export(figure, file, EXPORT_DPI);
        }).whenComplete((exported, failure) -> uiThread.accept(() -> {
            if (failure != null) {
                error.set(messageOf(failure));
            } else {
                error.set("");
                status.set("Exported " + exported.figure().getFileName() + " with its data ("
                        + exported.csv().getFileName() + ") and provenance (" + exported.provenance().getFileName()
                        + ")");
            }
        }));
    }

    /**
     * Writes the run's figure set ({@link FigureSet}: every figure its stored results and labels allow, each in PDF,
     * PNG and SVG with its CSV and provenance, plus index.json) into {@code dir}, as {@code figures RUN --out DIR
     * --formats pdf,png,svg} would with the current checkpoint and input; says what is still missing and how to
     * make it.
     */
    public void exportFigureSet(Path dir) {
        RunSession s = selection.session();
        if (s == null) {
            error.set("Open a run first: the figure set is drawn from its stored results.");
            return;
        }
        Integer step = selection.state().step();
        String input = selection.state().input();
        LabelSet labelSet = labels.labels();
        status.set("Writing the figure set of " + s.run().name() + " to " + dir + " …");
        jobs.submit("export figure set", () -> {
            try (ResultStore store = ResultStore.hasResults(s.run().dir()) ? ResultStore.openForRun(s.run())
                    : null) {
                FigureSet set = FigureSet.read(s, new DatasetSlices(s), store, labelSet, new FigureSet.Options(step,
                        input == null || input.isBlank() ? null : input, "auto", null), s.run().dir().toString());
                FigureSet.Written written = set.write(dir, List.of("pdf", "png", "svg"), EXPORT_DPI);
                return figureSetReport(set, written, dir);
            }
        }).whenComplete((report, failure) -> uiThread.accept(() -> {
            if (failure != null) {
                error.set(messageOf(failure));
                status.set("");
            } else {
                error.set("");
                status.set(report);
            }
        }));
    }

    /** "Wrote 38 figures (…) to DIR" and, when results are missing, what and the command that makes them. */
    static String figureSetReport(FigureSet set, FigureSet.Written written, Path dir) {
        StringBuilder b = new StringBuilder("Wrote " + written.figures().size() + " figures (" + written.files().size()
                + " files with data and provenance) to " + dir);
        for (FigureSet.Missing m : set.incomplete()) {
            b.append("; missing ").append(m.family()).append(" (").append(m.count()).append(" results): ")
                    .append(m.command());
        }
        return b.toString();
    }

    private void recompute() {
        RunSession s = selection.session();
        Integer step = selection.state().step();
        String input = selection.state().input();
        if (s == null || step == null || input == null || input.isEmpty()) {
            return;
        }
        Integer against = compareStep.get();
        computing = true;
        updateBusy();
        attentionRequest.submit(() -> new AttentionResult[] {s.attention(step, input),
            against == null || !s.steps().contains(against) ? null : s.attention(against, input)}, results -> {
                computing = false;
                updateBusy();
                // weights read before their file changed are shown as read (they match the stored results);
                // the user learns that the file on disk is now something else
                error.set(s.run().changedSinceOpened(step).map(c -> c + ": showing the weights as they were"
                        + " when the run was opened; reopen the run to see the new file").orElse(""));
                comparison.set(results[1]);
                attention.set(results[0]);
            }, failure -> {
                computing = false;
                updateBusy();
                error.set(messageOf(failure));
            });
    }

    /** Busy while a run opens or a map is computed (each request clears only its own part). */
    private void updateBusy() {
        busy.set(opening || computing);
    }

    static String messageOf(Throwable t) {
        return LatestRequest.messageOf(t);
    }
}
