package org.headlab.ui.estimators;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.ObservableMap;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.Estimator;
import org.headlab.core.estimate.EstimatorRegistry;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.Parameter;
import org.headlab.core.estimate.Params;
import org.headlab.core.estimate.Scope;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.jobs.Priority;
import org.headlab.core.run.DatasetRef;
import org.headlab.core.session.RunSession;
import org.headlab.core.store.ResultStore;
import org.headlab.core.sweep.Sweep;
import org.headlab.core.sweep.SweepPlan;
import org.headlab.core.sweep.SweepProgress;
import org.headlab.core.sweep.TaskOutcome;
import org.headlab.ui.Selection;
import org.headlab.ui.jobs.JobsViewModel;

/**
 * The "Run estimator…" dialog's state: an estimator from the registry, its parameters as text (prefilled with the
 * defaults, checked with the ParameterSet's own parse, one error per parameter), the dataset slice when the
 * estimator reads one, and the scope (all heads or the selected one × all steps, the selected step or every k-th).
 * {@link #start()} plans the tasks off the UI thread (checkpoint hashes, the slice) and starts a {@link Sweep} on
 * the pool at BATCH priority; its progress goes to the jobs panel and each stored result calls {@code onResult}.
 */
public final class RunEstimatorViewModel {
    public enum HeadScope { ALL, SELECTED }

    public enum StepScope { ALL, SELECTED, EVERY_K }

    private final EstimatorRegistry registry;
    private final JobsViewModel jobs;
    private final Selection selection;
    private final Consumer<Runnable> uiThread;
    private final Runnable onResult;
    private final ObservableList<Estimator> estimators = FXCollections.observableArrayList();
    private final ObjectProperty<Estimator> estimator = new SimpleObjectProperty<>(this, "estimator");
    private final ObservableMap<String, String> values = FXCollections.observableMap(new LinkedHashMap<>());
    private final ObservableMap<String, String> errors = FXCollections.observableMap(new LinkedHashMap<>());
    private final ObservableList<String> datasets = FXCollections.observableArrayList();
    private final ObjectProperty<String> dataset = new SimpleObjectProperty<>(this, "dataset");
    private final BooleanProperty usesDataset = new SimpleBooleanProperty(this, "usesDataset");
    private final ObjectProperty<HeadScope> headScope = new SimpleObjectProperty<>(this, "headScope", HeadScope.ALL);
    private final ObjectProperty<StepScope> stepScope = new SimpleObjectProperty<>(this, "stepScope", StepScope.ALL);
    private final IntegerProperty everyK = new SimpleIntegerProperty(this, "everyK", 2);
    private final StringProperty summary = new SimpleStringProperty(this, "summary", "");
    private final StringProperty error = new SimpleStringProperty(this, "error", "");
    private final BooleanProperty valid = new SimpleBooleanProperty(this, "valid");
    private RunSession session;
    private DatasetSlices slices;

    public RunEstimatorViewModel(EstimatorRegistry registry, JobsViewModel jobs, Selection selection,
            Consumer<Runnable> uiThread, Runnable onResult) {
        this.registry = registry;
        this.jobs = jobs;
        this.selection = selection;
        this.uiThread = uiThread;
        this.onResult = onResult;
        estimators.setAll(registry.all());
        estimator.addListener((o, a, b) -> resetParameters());
        values.addListener((javafx.collections.MapChangeListener<String, String>) c -> check());
        javafx.beans.InvalidationListener recheck = o -> check();
        headScope.addListener(recheck);
        stepScope.addListener(recheck);
        everyK.addListener(recheck);
        dataset.addListener(recheck);
        selection.headProperty().addListener(recheck);
        selection.stepProperty().addListener(recheck);
        if (!estimators.isEmpty()) {
            estimator.set(estimators.get(0));
        }
        selection.followSession(this::setSession); // last: every field is ready for the run
    }

    public ObservableList<Estimator> estimators() {
        return estimators;
    }

    public ObjectProperty<Estimator> estimatorProperty() {
        return estimator;
    }

    /** Parameter values as text, by name; edit them with {@link #setValue}. */
    public ObservableMap<String, String> values() {
        return values;
    }

    /** The parse error of each parameter whose text is not valid. */
    public ObservableMap<String, String> errors() {
        return errors;
    }

    public ObservableList<String> datasets() {
        return datasets;
    }

    public ObjectProperty<String> datasetProperty() {
        return dataset;
    }

    public ReadOnlyBooleanProperty usesDatasetProperty() {
        return usesDataset;
    }

    public ObjectProperty<HeadScope> headScopeProperty() {
        return headScope;
    }

    public ObjectProperty<StepScope> stepScopeProperty() {
        return stepScope;
    }

    public IntegerProperty everyKProperty() {
        return everyK;
    }

    /** "27 tasks: 3 checkpoints × 9 targets" or why nothing can start. */
    public ReadOnlyStringProperty summaryProperty() {
        return summary;
    }

    public ReadOnlyStringProperty errorProperty() {
        return error;
    }

    /** True when the parameters parse and the scope has at least one task. */
    public ReadOnlyBooleanProperty validProperty() {
        return valid;
    }

    private void setSession(RunSession s) {
        session = s;
        slices = s == null ? null : new DatasetSlices(s);
        datasets.setAll(s == null ? List.of() : s.run().datasets().stream().map(DatasetRef::name).toList());
        if (dataset.get() == null || !datasets.contains(dataset.get())) {
            dataset.set(datasets.isEmpty() ? null : datasets.get(0));
        }
        check();
    }

    /**
     * Sets the form up for estimator {@code id} on the selected head at the selected checkpoint (what a view's
     * "compute one" asks for); false when no such estimator is installed.
     */
    public boolean prepareForSelection(String id) {
        for (Estimator e : estimators) {
            if (e.id().equals(id)) {
                estimator.set(e);
                headScope.set(HeadScope.SELECTED);
                stepScope.set(StepScope.SELECTED);
                return true;
            }
        }
        return false;
    }

    /**
     * Sets the form up for the rLLC of every head at every {@code k}-th checkpoint (and the last) at the estimator's
     * defaults, the paper's settings: what an empty run's Curves tab offers to compute. False when no rLLC is
     * installed.
     */
    public boolean prepareTrajectories(int k) {
        for (Estimator e : estimators) {
            if (e.id().equals("llc")) {
                estimator.set(e);
                headScope.set(HeadScope.ALL);
                stepScope.set(StepScope.EVERY_K);
                everyK.set(Math.max(1, k));
                resetParameters();
                check();
                return true;
            }
        }
        return false;
    }

    public void setValue(String name, String text) {
        values.put(name, text == null ? "" : text);
    }

    /** The choices of a choice parameter (empty for other kinds), from its own type description. */
    public static List<String> choices(Parameter<?> p) {
        String t = p.describeType();
        if (!(p.defaultValue() instanceof String) || !t.startsWith("one of ")) {
            return List.of();
        }
        return Arrays.asList(t.substring("one of ".length()).split("\\|"));
    }

    private void resetParameters() {
        Estimator e = estimator.get();
        values.clear();
        errors.clear();
        if (e != null) {
            for (Parameter<?> p : e.parameters().all()) {
                values.put(p.name(), text(p.defaultValue()));
            }
        }
        usesDataset.set(e != null && e.usesDataset());
        check();
    }

    private static String text(Object v) {
        return v instanceof Double d ? Double.toString(d) : String.valueOf(v);
    }

    /** The parameters parsed by the estimator's ParameterSet, or empty with {@link #errors()} saying why. */
    public Optional<Params> params() {
        Estimator e = estimator.get();
        if (e == null) {
            return Optional.empty();
        }
        Map<String, String> bad = new LinkedHashMap<>();
        for (Parameter<?> p : e.parameters().all()) {
            try {
                p.parse(values.getOrDefault(p.name(), ""));
            } catch (HeadLabException ex) {
                bad.put(p.name(), ex.getMessage());
            }
        }
        if (!errors.equals(bad)) {
            errors.clear();
            errors.putAll(bad);
        }
        if (!bad.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(e.parameters().parse(Map.copyOf(values)));
    }

    /** The checkpoints in scope (null: no run). */
    public List<Integer> steps() {
        if (session == null) {
            return null;
        }
        List<Integer> all = session.steps();
        return switch (stepScope.get()) {
            case ALL -> all;
            case SELECTED -> selection.state().step() == null ? List.of()
                    : List.of(selection.state().step());
            case EVERY_K -> {
                int k = Math.max(1, everyK.get());
                List<Integer> out = new ArrayList<>();
                for (int i = 0; i < all.size(); i += k) {
                    out.add(all.get(i));
                }
                if (!all.isEmpty() && !out.contains(all.get(all.size() - 1))) {
                    out.add(all.get(all.size() - 1)); // the last checkpoint is always in
                }
                yield out;
            }
        };
    }

    /** The heads in scope (null: every head). */
    public List<Head> heads() {
        if (headScope.get() == HeadScope.ALL || session == null) {
            return null;
        }
        return List.of(selection.head());
    }

    private int targetCount() {
        Estimator e = estimator.get();
        if (e == null || session == null) {
            return 0;
        }
        var c = session.run().config();
        boolean all = headScope.get() == HeadScope.ALL;
        return switch (e.scope()) {
            case HEAD -> all ? c.nLayers() * c.nHeads() : 1;
            case LAYER -> all ? c.nLayers() : 1;
            case MODEL -> 1;
        };
    }

    private void check() {
        Optional<Params> p = params();
        Estimator e = estimator.get();
        String why = null;
        if (session == null) {
            why = "Open a run first.";
        } else if (e == null) {
            why = "No estimators are installed.";
        } else if (p.isEmpty()) {
            why = "Fix the parameters marked above.";
        } else if (e.usesDataset() && dataset.get() == null) {
            why = "This estimator reads a dataset slice, and the run has none.";
        } else if (steps().isEmpty()) {
            why = "No checkpoint selected.";
        }
        if (why != null) {
            summary.set(why);
            valid.set(false);
            return;
        }
        int n = steps().size();
        int t = targetCount();
        String what = switch (e.scope()) {
            case HEAD -> t == 1 ? "head " + selection.head() : t + " heads";
            case LAYER -> t == 1 ? "layer " + selection.head().layer() : t + " layers";
            case MODEL -> "the model";
        };
        summary.set(String.format(Locale.ROOT, "%d tasks: %d checkpoint%s × %s%s (already stored ones are skipped)",
                n * t, n, n == 1 ? "" : "s", what, e.usesDataset() ? " on slice '" + dataset.get() + "'" : ""));
        valid.set(true);
    }

    /** Starts the sweep; false (and nothing started) when the form is not valid. */
    public boolean start() {
        check();
        Optional<Params> p = params();
        if (!valid.get() || p.isEmpty()) {
            return false;
        }
        RunSession s = session;
        DatasetSlices sl = slices;
        Estimator e = estimator.get();
        List<Integer> steps = steps();
        List<Head> heads = heads();
        String slice = e.usesDataset() ? dataset.get() : null;
        String title = e.id() + " on " + s.run().name() + ": " + summary.get().replace(
                " (already stored ones are skipped)", "");
        JobsViewModel.Tracker tracker = jobs.track(title).onTask(o -> {
            if (o.status() == TaskOutcome.Status.COMPUTED) {
                onResult.run();
            }
        });
        error.set("");
        // planning hashes checkpoints and reads the slice: off the UI thread, ahead of queued batch work
        jobs.pool().submit("plan " + e.id() + " sweep", Priority.INTERACTIVE, ctx -> {
            List<TaskSpec> tasks = SweepPlan.tasks(s.run(), sl, List.of(e), Map.of(e.id(), p.get()), steps, heads,
                    slice);
            ResultStore store = ResultStore.openForRun(s.run());
            try {
                return Sweep.start(jobs.pool(), s, sl, registry, store, tasks, new ClosingListener(tracker, store,
                        tasks.size()));
            } catch (RuntimeException ex) {
                store.close();
                throw ex;
            }
        }).future().whenComplete((sweep, failure) -> uiThread.accept(() -> {
            if (failure != null) {
                String m = org.headlab.ui.LatestRequest.messageOf(failure);
                tracker.failed(m);
                error.set(m);
            } else {
                tracker.started(sweep);
            }
        }));
        jobs.pool().runPendingIfCallerRuns();
        return true;
    }

    /** Forwards to the jobs panel and closes the sweep's store connection once every task has ended. */
    private static final class ClosingListener implements org.headlab.core.sweep.SweepListener {
        private final JobsViewModel.Tracker tracker;
        private final ResultStore store;
        private final int total;

        ClosingListener(JobsViewModel.Tracker tracker, ResultStore store, int total) {
            this.tracker = tracker;
            this.store = store;
            this.total = total;
            if (total == 0) {
                store.close();
            }
        }

        @Override
        public void progress(SweepProgress p) {
            tracker.progress(p);
            if (p.finished()) {
                store.close();
            }
        }

        @Override
        public void taskDone(TaskOutcome o) {
            tracker.taskDone(o);
        }
    }

    Scope scope() {
        return estimator.get() == null ? null : estimator.get().scope();
    }
}
