package org.headlab.ui.composition;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.Params;
import org.headlab.core.estimate.Target;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.estimate.composition.CompositionEstimator;
import org.headlab.core.estimate.composition.CompositionScores;
import org.headlab.core.jobs.CancellationToken;
import org.headlab.core.store.ResultStore;
import org.headlab.core.sweep.StoredOrComputed;
import org.headlab.core.figure.ColorRamp;
import org.headlab.core.figure.MatrixFigure;
import org.headlab.core.figure.Provenance;
import org.headlab.core.figure.TrajectoryFigure;
import org.headlab.core.jobs.JobExecutor;
import org.headlab.core.session.RunSession;
import org.headlab.ui.LatestRequest;
import org.headlab.ui.Selection;

/**
 * The composition matrix: Q-, K- or V-composition scores ({@link CompositionScores}) from the heads of a sender
 * layer (rows) to the heads of a later receiver layer (columns) at the selected checkpoint, and the selected pair's
 * three scores over training.
 *
 * <p>Scores go through the {@code composition} estimator and the run's store like every other view's: when a run
 * opens, one job reads (or, where the store lacks them, computes and stores) every checkpoint, the selected one
 * first, and each result lands in a per-checkpoint cache on the UI thread, which makes scrubbing free and gives the
 * over-training curve. A checkpoint missing from
 * the cache (evicted on a very long run) is computed on its own when it is selected. The colour range runs from 0 to
 * the largest score of the mode and layer pair over every computed checkpoint, so that a colour means the same
 * score at every checkpoint while scrubbing (the scores' own range [0, 1] washes typical 0.1–0.4 scores out).
 */
public final class CompositionViewModel {
    /** Cached checkpoints: 3·(L·H)² doubles each, e.g. 3 MB for 4 layers × 16 heads at 512 checkpoints. */
    static final int MAX_CACHED_STEPS = 512;
    static final CompositionEstimator ESTIMATOR = new CompositionEstimator();
    /** The estimator's defaults: 200 random pairs for the baseline, seed 0. */
    static final Params PARAMS = ESTIMATOR.parameters().defaults();

    /** Which composition: the receiver reads the sender's output through its query, key or value. */
    public enum Mode {
        Q("Q-composition", "the receiver's queries read the sender's output"),
        K("K-composition", "the receiver's keys read the sender's output"),
        V("V-composition", "the receiver's values read the sender's output");

        private final String title;
        private final String meaning;

        Mode(String title, String meaning) {
            this.title = title;
            this.meaning = meaning;
        }

        public String title() {
            return title;
        }

        public String meaning() {
            return meaning;
        }
    }

    /** A sender layer and a strictly later receiver layer. */
    public record LayerPair(int sender, int receiver) {
        @Override
        public String toString() {
            return "layer " + sender + " → layer " + receiver;
        }
    }

    /** A cell of the matrix: sender head {@code row} of the sender layer, receiver head {@code column}. */
    public record Cell(int row, int column) {
    }

    private final Selection selection;
    private final JobExecutor jobs;
    private final Consumer<Runnable> uiThread;
    private final ObjectProperty<Mode> mode = new SimpleObjectProperty<>(this, "mode", Mode.K);
    private final ObservableList<LayerPair> layerPairs = FXCollections.observableArrayList();
    private final ObjectProperty<LayerPair> layerPair = new SimpleObjectProperty<>(this, "layerPair");
    private final ObjectProperty<MatrixFigure> figure = new SimpleObjectProperty<>(this, "figure");
    private final ObjectProperty<TrajectoryFigure> pairCurves = new SimpleObjectProperty<>(this, "pairCurves");
    private final ObjectProperty<Cell> selectedCell = new SimpleObjectProperty<>(this, "selectedCell");
    private final StringProperty status = new SimpleStringProperty(this, "status", "No run open");
    private final StringProperty readout = new SimpleStringProperty(this, "readout", "");
    private final StringProperty baselineText = new SimpleStringProperty(this, "baselineText", "");
    /** One epoch per open run: answers for a run no longer open are dropped. */
    private final LatestRequest runEpoch;
    private final LinkedHashMap<Integer, CompositionScores.Result> cache = new LinkedHashMap<>(64, 0.75f, true);
    /** Steps a job will deliver soon (the first of the run-wide job, single-step jobs): not submitted again. */
    private final java.util.Set<Integer> pending = new java.util.HashSet<>();
    private RunSession session;
    private CompositionScores.Baselines baselines;
    private CompositionScores.Result shown;
    private Integer shownStep;

    public CompositionViewModel(Selection selection, JobExecutor jobs, Consumer<Runnable> uiThread) {
        this.selection = selection;
        this.jobs = jobs;
        this.runEpoch = new LatestRequest("composition", jobs, uiThread);
        this.uiThread = uiThread;
        mode.addListener((o, a, b) -> rebuild());
        layerPair.addListener((o, a, b) -> rebuild());
        selection.stepProperty().addListener((o, a, b) -> showStep());
        selection.headProperty().addListener((o, a, b) -> rebuildSelection());
        selection.pairProperty().addListener((o, a, b) -> rebuildSelection());
        // the state is whole when this runs: its step is the one about to be shown, computed first
        selection.followSession(s -> setSession(s, selection.state().step()));
    }

    public ObjectProperty<Mode> modeProperty() {
        return mode;
    }

    public ObservableList<LayerPair> layerPairs() {
        return layerPairs;
    }

    public ObjectProperty<LayerPair> layerPairProperty() {
        return layerPair;
    }

    /** The matrix at the selected checkpoint (null: nothing to show yet). */
    public ReadOnlyObjectProperty<MatrixFigure> figureProperty() {
        return figure;
    }

    /** Q, K and V scores of the selected pair over every computed checkpoint (null: no pair in this layer pair). */
    public ReadOnlyObjectProperty<TrajectoryFigure> pairCurvesProperty() {
        return pairCurves;
    }

    /** The cell of the selected pair in the shown matrix (null: the pair is not in it). */
    public ReadOnlyObjectProperty<Cell> selectedCellProperty() {
        return selectedCell;
    }

    public ReadOnlyStringProperty statusProperty() {
        return status;
    }

    /** The hovered cell's exact score (empty: nothing hovered). */
    public ReadOnlyStringProperty readoutProperty() {
        return readout;
    }

    /** "random baseline Q 0.12 ± 0.02 · K … · V …": what a score of unrelated heads looks like. */
    public ReadOnlyStringProperty baselineTextProperty() {
        return baselineText;
    }

    /** Columns (receiver heads) of the shown matrix; 0 when none is shown. */
    public int columns() {
        MatrixFigure f = figure.get();
        return f == null || session == null ? 0 : session.run().config().nHeads();
    }

    /** The computed checkpoints (for tests and the status line). */
    public int cachedSteps() {
        return cache.size();
    }

    /**
     * The run whose weights are scored (null: none; the selection's run), computing checkpoint {@code firstStep}
     * first, then every other.
     */
    private void setSession(RunSession s, Integer firstStep) {
        session = s;
        runEpoch.invalidate();
        cache.clear();
        pending.clear();
        baselines = null;
        shown = null;
        shownStep = null;
        List<LayerPair> pairs = new ArrayList<>();
        if (s != null) {
            int n = s.run().config().nLayers();
            for (int a = 0; a < n; a++) {
                for (int b = a + 1; b < n; b++) {
                    pairs.add(new LayerPair(a, b));
                }
            }
        }
        layerPairs.setAll(pairs);
        layerPair.set(pairs.isEmpty() ? null : pairs.get(0));
        if (s == null) {
            status.set("No run open");
            rebuild();
            return;
        }
        if (pairs.isEmpty()) {
            status.set("A one-layer model has no composition: there is no later layer to read a head's output");
            rebuild();
            return;
        }
        status.set("Computing composition scores …");
        rebuild();
        computeAll(s, firstStep);
    }

    /**
     * One job over every checkpoint, the selected one first; results arrive one by one on the UI thread. Each is the
     * stored composition result when the store has it (shipped with the run, or from a sweep), else the estimator's,
     * stored for next time: the numbers of the CLI and the figures.
     */
    private void computeAll(RunSession s, Integer first) {
        long mine = runEpoch.current();
        List<Integer> order = new ArrayList<>(s.steps());
        if (first != null && order.remove(first)) {
            order.add(0, first);
            pending.add(first);
        }
        int[] fromStore = {0};
        jobs.submit("composition over training", () -> {
            DatasetSlices slices = new DatasetSlices(s);
            try (ResultStore store = StoredOrComputed.storeFor(s.run())) {
                for (int step : order) {
                    if (!runEpoch.isLatest(mine)) {
                        return null; // another run was opened
                    }
                    StoredOrComputed.Outcome o = scoresAt(s, slices, store, step);
                    fromStore[0] += o.computed() ? 0 : 1;
                    CompositionEstimator.Decoded d = CompositionEstimator.decode(o.result(), PARAMS);
                    int readSoFar = fromStore[0];
                    uiThread.accept(() -> {
                        if (runEpoch.isLatest(mine) && baselines == null) {
                            baselines = d.baselines();
                            baselineText.set(describe(d.baselines()));
                        }
                        arrived(mine, step, d.scores(), readSoFar);
                    });
                }
            }
            return null;
        }).whenComplete((x, failure) -> {
            if (failure != null) {
                uiThread.accept(() -> {
                    if (runEpoch.isLatest(mine)) {
                        pending.clear();
                        status.set("Composition not computed: " + LatestRequest.messageOf(failure));
                    }
                });
            }
        });
    }

    /** The composition task of {@code step} at the estimator's defaults (those of {@code sweep} and the figures). */
    static TaskSpec task(RunSession s, int step) {
        return new TaskSpec(ESTIMATOR.id(), step, s.run().contentHash(step), Target.model(), PARAMS, "", "");
    }

    private static StoredOrComputed.Outcome scoresAt(RunSession s, DatasetSlices slices, ResultStore store,
            int step) {
        return StoredOrComputed.get(s, slices, store, ESTIMATOR, task(s, step), CancellationToken.none());
    }

    private void arrived(long mine, int step, CompositionScores.Result r, int fromStore) {
        if (!runEpoch.isLatest(mine)) {
            return;
        }
        pending.remove(step);
        cache.put(step, r);
        if (cache.size() > MAX_CACHED_STEPS) {
            Integer eldest = cache.keySet().iterator().next();
            cache.remove(eldest);
        }
        Integer selected = selection.state().step();
        if (selected != null && selected == step) {
            showStep();
        } else {
            rebuild(); // the colour range and the pair's curve take the new checkpoint in
        }
        if (session != null && cache.size() == session.steps().size()) {
            status.set("Composition scores of all " + cache.size() + " checkpoints (" + (fromStore < 0 ? ""
                    : fromStore + " read from the store, " + (cache.size() - fromStore) + " computed from the"
                    + " weights and stored") + ")");
        }
    }

    /** Shows the selected checkpoint: from the cache, or computed on its own when it is not there. */
    private void showStep() {
        RunSession s = session;
        Integer step = selection.state().step();
        if (s == null || step == null || layerPairs.isEmpty()) {
            return;
        }
        CompositionScores.Result r = cache.get(step);
        if (r == null && pending.contains(step)) {
            return; // the job over every checkpoint has it next, or a single-step job is on it
        }
        if (r != null) {
            shown = r;
            shownStep = step;
            rebuild();
            return;
        }
        long mine = runEpoch.current();
        pending.add(step);
        jobs.submit("composition at step " + step, () -> {
            try (ResultStore store = StoredOrComputed.storeFor(s.run())) {
                return CompositionEstimator.decode(scoresAt(s, new DatasetSlices(s), store, step).result(), PARAMS)
                        .scores();
            }
        }).whenComplete((res, failure) -> uiThread.accept(() -> {
            if (failure != null) {
                if (runEpoch.isLatest(mine)) {
                    pending.remove(step);
                    status.set("Composition not computed: " + LatestRequest.messageOf(failure));
                }
                return;
            }
            arrived(mine, step, res, -1);
        }));
    }

    /** The [sender head][receiver head] scores of {@code m} between the layers of {@code p}. */
    public static double[][] matrix(CompositionScores.Result r, Mode m, LayerPair p) {
        double[][][][] all = switch (m) {
            case Q -> r.q();
            case K -> r.k();
            case V -> r.v();
        };
        double[][] out = new double[all[p.sender()].length][];
        for (int h1 = 0; h1 < out.length; h1++) {
            out[h1] = all[p.sender()][h1][p.receiver()].clone();
        }
        return out;
    }

    private void rebuild() {
        LayerPair p = layerPair.get();
        if (shown == null || p == null) {
            figure.set(null);
            rebuildSelection();
            return;
        }
        double[][] values = matrix(shown, mode.get(), p);
        List<String> rows = new ArrayList<>();
        List<String> cols = new ArrayList<>();
        for (int h = 0; h < values.length; h++) {
            rows.add(p.sender() + ":" + h);
        }
        for (int h = 0; h < values[0].length; h++) {
            cols.add(p.receiver() + ":" + h);
        }
        Provenance prov = Provenance.builder().run(session.run().name(), session.run().dir().toString())
                .checkpoint(shownStep, null).estimator("composition", Map.of("mode", mode.get().name())).build();
        figure.set(new MatrixFigure(mode.get().title() + " at step " + shownStep, values, rows, cols,
                "sender (layer " + p.sender() + ")", "receiver (layer " + p.receiver() + ")", "score",
                ColorRamp.ATTENTION, 0, rangeMax(mode.get(), p), prov));
        rebuildSelection();
    }

    private void rebuildSelection() {
        LayerPair p = layerPair.get();
        Selection.HeadPair pair = selection.state().pair();
        Cell cell = null;
        if (p != null && pair != null && pair.sender().layer() == p.sender()
                && pair.receiver().layer() == p.receiver()) {
            cell = new Cell(pair.sender().head(), pair.receiver().head());
        }
        selectedCell.set(cell);
        rebuildCurves();
    }

    /** Q, K and V of the selected pair at every cached checkpoint, in step order. */
    private void rebuildCurves() {
        Selection.HeadPair pair = selection.state().pair();
        if (pair == null || session == null || cache.isEmpty()) {
            pairCurves.set(null);
            return;
        }
        List<Integer> steps = new ArrayList<>();
        for (int s : session.steps()) {
            if (cache.containsKey(s)) {
                steps.add(s);
            }
        }
        List<TrajectoryFigure.Series> series = new ArrayList<>();
        for (Mode m : Mode.values()) {
            double[] x = new double[steps.size()];
            double[] y = new double[steps.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = steps.get(i);
                y[i] = score(peek(steps.get(i)), m, pair);
            }
            series.add(TrajectoryFigure.Series.of(m.name(), m.title(), x, y, null));
        }
        Integer step = selection.state().step();
        pairCurves.set(new TrajectoryFigure("Composition of " + pair + " over training", "step", "score", series,
                List.of(), true, Provenance.none()).styled(Map.of(), mode.get().name(),
                        step == null ? null : step.doubleValue()));
    }

    /** The largest score of {@code m} between the layers of {@code p} over every computed checkpoint. */
    private double rangeMax(Mode m, LayerPair p) {
        double max = 0;
        for (CompositionScores.Result r : cache.values()) {
            for (double[] row : matrix(r, m, p)) {
                for (double v : row) {
                    max = Math.max(max, v);
                }
            }
        }
        return max > 0 ? max : 1;
    }

    /** A cached result without touching the access order (the curve reads every checkpoint). */
    private CompositionScores.Result peek(int step) {
        for (Map.Entry<Integer, CompositionScores.Result> e : cache.entrySet()) {
            if (e.getKey() == step) {
                return e.getValue();
            }
        }
        return null;
    }

    private static double score(CompositionScores.Result r, Mode m, Selection.HeadPair p) {
        double[][][][] all = switch (m) {
            case Q -> r.q();
            case K -> r.k();
            case V -> r.v();
        };
        return all[p.sender().layer()][p.sender().head()][p.receiver().layer()][p.receiver().head()];
    }

    /** The exact score of a cell and how it compares with the random baseline; null clears the read-out. */
    public void hover(Cell c) {
        LayerPair p = layerPair.get();
        if (c == null || shown == null || p == null) {
            readout.set("");
            return;
        }
        double v = matrix(shown, mode.get(), p)[c.row()][c.column()];
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%s %d:%d → %d:%d at step %d: %.4f",
                mode.get().name(), p.sender(), c.row(), p.receiver(), c.column(), shownStep, v));
        CompositionScores.Baseline base = baseline(mode.get());
        if (base != null && base.std() > 0) {
            b.append(String.format(Locale.ROOT, " (%+.1f σ from random %.3f)", (v - base.mean()) / base.std(),
                    base.mean()));
        }
        readout.set(b.toString());
    }

    /** Selects the cell's sender → receiver pair everywhere (the receiver becomes the selected head). */
    public void click(Cell c) {
        LayerPair p = layerPair.get();
        if (c == null || p == null || shown == null) {
            return;
        }
        selection.selectPair(new Head(p.sender(), c.row()), new Head(p.receiver(),
                c.column()));
    }

    private CompositionScores.Baseline baseline(Mode m) {
        if (baselines == null) {
            return null;
        }
        return switch (m) {
            case Q -> baselines.q();
            case K -> baselines.k();
            case V -> baselines.v();
        };
    }

    private static String describe(CompositionScores.Baselines b) {
        return String.format(Locale.ROOT, "Random weights of these shapes score Q %.3f ± %.3f · K %.3f ± %.3f · "
                + "V %.3f ± %.3f (%d draws)", b.q().mean(), b.q().std(), b.k().mean(), b.k().std(), b.v().mean(),
                b.v().std(), b.q().draws());
    }
}
