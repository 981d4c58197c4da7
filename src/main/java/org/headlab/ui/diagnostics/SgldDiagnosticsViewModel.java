package org.headlab.ui.diagnostics;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
import org.headlab.core.estimate.Scope;
import org.headlab.core.estimate.llc.LlcDiagnostics;
import org.headlab.core.figure.Provenance;
import org.headlab.core.figure.TrajectoryFigure;
import org.headlab.core.jobs.JobExecutor;
import org.headlab.core.session.RunSession;
import org.headlab.core.store.ResultStore;
import org.headlab.core.store.ResultTable;
import org.headlab.core.store.StoredResult;
import org.headlab.ui.LatestRequest;
import org.headlab.ui.Selection;

/**
 * SGLD diagnostics of the selected head at the selected checkpoint, from the run's result store: the loss of every
 * chain at every draw with the init loss as a line (a chain drifting below it, or climbing without settling,
 * says the step size or localization is off), the λ̂ trace per chain with the mean ± std over chains, and the
 * numbers that say whether to trust the estimate (MALA acceptance, loss health, diverged chains).
 *
 * <p>The store is read on the job executor whenever the head, the checkpoint or the store changes; when several
 * parameter sets were stored for the same head and checkpoint, the newest is shown and the others can be chosen.
 */
public final class SgldDiagnosticsViewModel {
    static final String ESTIMATOR = "llc";

    private final Selection selection;
    private final LatestRequest request;
    private final ObservableList<LlcDiagnostics> results = FXCollections.observableArrayList();
    private final ObjectProperty<LlcDiagnostics> shown = new SimpleObjectProperty<>(this, "shown");
    private final ObjectProperty<TrajectoryFigure> lossFigure = new SimpleObjectProperty<>(this, "lossFigure");
    private final ObjectProperty<TrajectoryFigure> llcFigure = new SimpleObjectProperty<>(this, "llcFigure");
    private final StringProperty summary = new SimpleStringProperty(this, "summary", "");
    private final StringProperty empty = new SimpleStringProperty(this, "empty", "No run open");
    private final StringProperty readout = new SimpleStringProperty(this, "readout", "");
    private RunSession session;

    public SgldDiagnosticsViewModel(Selection selection, JobExecutor jobs, Consumer<Runnable> uiThread) {
        this.selection = selection;
        this.request = new LatestRequest("read SGLD diagnostics", jobs, uiThread).onShownAgain(this::refresh);
        selection.onChange(this::refresh, Selection.Field.HEAD, Selection.Field.STEP);
        shown.addListener((o, a, d) -> rebuild());
        selection.followSession(this::setSession); // last: every field is ready for the run
    }

    /** The stored llc results of the selected head and checkpoint, newest last (one per parameter set). */
    public ObservableList<LlcDiagnostics> results() {
        return results;
    }

    /** The one drawn; choose another of {@link #results()} to compare parameter sets. */
    public ObjectProperty<LlcDiagnostics> shownProperty() {
        return shown;
    }

    public ReadOnlyObjectProperty<TrajectoryFigure> lossFigureProperty() {
        return lossFigure;
    }

    public ReadOnlyObjectProperty<TrajectoryFigure> llcFigureProperty() {
        return llcFigure;
    }

    /** The estimate and its health in a few lines (empty: nothing shown). */
    public ReadOnlyStringProperty summaryProperty() {
        return summary;
    }

    /** Why nothing is drawn and how to get something (empty: a result is shown). */
    public ReadOnlyStringProperty emptyProperty() {
        return empty;
    }

    /** The hovered point's exact values. */
    public ReadOnlyStringProperty readoutProperty() {
        return readout;
    }

    private void setSession(RunSession s) {
        session = s;
        refresh();
    }

    /**
     * Whether the panel is on screen. While it is not, changes only mark it stale and the store is read when it
     * shows again, so that scrubbing with another tab open never waits behind a store read.
     */
    public void setActive(boolean on) {
        request.setShown(on);
    }

    /** Re-reads the store for the selected head and checkpoint (also called when a sweep stores a result). */
    public void refresh() {
        if (!request.mayRefresh()) {
            return;
        }
        RunSession s = session;
        Integer step = selection.state().step();
        Head head = selection.head();
        if (s == null || step == null || head == null) {
            request.invalidate();
            apply(List.of(), s == null ? "No run open" : "No checkpoint selected");
            return;
        }
        request.submit(() -> load(s, step, head), found -> apply(found, emptyMessage(head, step)),
                failure -> apply(List.of(), "Results unreadable: " + LatestRequest.messageOf(failure)));
    }

    /** The stored llc results with traces of {@code head} at {@code step}, oldest first (never creates a store). */
    public static List<LlcDiagnostics> load(RunSession s, int step, Head head) {
        if (!ResultStore.hasResults(s.run().dir())) {
            return List.of();
        }
        String hash = s.run().contentHash(step);
        List<LlcDiagnostics> out = new ArrayList<>();
        try (ResultStore store = ResultStore.openForRun(s.run())) {
            for (StoredResult r : store.query(ESTIMATOR, hash)) {
                if (r.key().scope() == Scope.HEAD && r.key().asHead().equals(head)
                        && LlcDiagnostics.hasTraces(r.result())) {
                    out.add(LlcDiagnostics.of(ResultTable.variantOf(r.key()), r.key().params(), r.result(),
                            r.elapsedMillis()));
                }
            }
        }
        return out;
    }

    static String emptyMessage(Head head, int step) {
        return "No rLLC stored for head " + head + " at step " + step + ". Compute one with Run estimator… "
                + "(estimator llc, the selected head, the selected checkpoint; a few draws take seconds): "
                + "its SGLD traces appear here when it is stored.";
    }

    private void apply(List<LlcDiagnostics> found, String emptyText) {
        LlcDiagnostics keep = shown.get();
        results.setAll(found);
        LlcDiagnostics next = found.isEmpty() ? null : found.get(found.size() - 1);
        if (keep != null) {
            for (LlcDiagnostics d : found) {
                if (d.variant().equals(keep.variant())) {
                    next = d; // the same parameter set at the new head or checkpoint
                }
            }
        }
        shown.set(next);
        rebuild();
        empty.set(found.isEmpty() ? emptyText : "");
    }

    private void rebuild() {
        LlcDiagnostics d = shown.get();
        readout.set("");
        if (d == null) {
            lossFigure.set(null);
            llcFigure.set(null);
            summary.set("");
            return;
        }
        String where = "head " + selection.head() + ", step " + selection.state().step();
        double[] x = new double[d.draws()];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        List<TrajectoryFigure.Series> loss = new ArrayList<>();
        for (int c = 0; c < d.chains(); c++) {
            loss.add(TrajectoryFigure.Series.of("chain " + c, "chain " + c, x, d.lossTrace()[c], null));
        }
        if (!Double.isNaN(d.initLoss())) {
            double[] init = new double[x.length];
            java.util.Arrays.fill(init, d.initLoss());
            loss.add(TrajectoryFigure.Series.of(INIT, INIT, x, init, null));
        }
        lossFigure.set(new TrajectoryFigure("SGLD loss per chain — " + where, "draw", "minibatch loss", loss,
                List.of(), false, Provenance.none()).styled(java.util.Map.of(INIT, java.awt.Color.BLACK), INIT,
                        null));
        if (d.llcTrace() == null) {
            llcFigure.set(null);
        } else {
            List<TrajectoryFigure.Series> llc = new ArrayList<>();
            for (int c = 0; c < d.chains(); c++) {
                llc.add(TrajectoryFigure.Series.of("chain " + c, "chain " + c, x, d.llcTrace()[c], null));
            }
            if (d.llcMeans() != null && d.llcMeans().length == x.length) {
                double[] std = d.llcStds() != null && d.llcStds().length == x.length ? d.llcStds() : null;
                llc.add(TrajectoryFigure.Series.of(MEAN, MEAN, x, d.llcMeans(), std));
            }
            llcFigure.set(new TrajectoryFigure("λ̂ trace nβ·(L − L_init) per chain — " + where, "draw", "λ̂", llc,
                    List.of(), false, Provenance.none()).styled(java.util.Map.of(MEAN, java.awt.Color.BLACK), MEAN,
                            null));
        }
        summary.set(describe(d));
    }

    static final String INIT = "init loss";
    static final String MEAN = "mean ± std over chains";

    /** The estimate and the numbers that say whether to trust it, as lines for the panel. */
    static String describe(LlcDiagnostics d) {
        StringBuilder b = new StringBuilder();
        if (!d.verdict().isEmpty()) {
            b.append(d.verdict()).append('\n');
        }
        b.append(String.format(Locale.ROOT, "λ̂ = %s ± %s over %d chains × %d draws", num(d.llcMean()),
                num(d.llcStd()), d.chains(), d.draws()));
        if (!Double.isNaN(d.divergedChains())) {
            b.append(String.format(Locale.ROOT, " (%d diverged)", (long) d.divergedChains()));
        }
        b.append('\n');
        b.append(String.format(Locale.ROOT, "init loss %s · ", num(d.initLoss())));
        b.append(Double.isNaN(d.malaMean()) ? "MALA acceptance: not recorded"
                : String.format(Locale.ROOT, "MALA acceptance %s ± %s", num(d.malaMean()), num(d.malaStd())));
        b.append(String.format(Locale.ROOT, " · draws below init loss %s (beyond noise %s) · minibatch noise %s ·"
                + " mean z %s", pct(d.negativeFraction()), pct(d.negativeBeyondNoiseFraction()), num(d.noise()),
                num(d.meanZ())));
        b.append('\n');
        if (!Double.isNaN(d.windows())) {
            b.append(String.format(Locale.ROOT, "%d windows × %d tokens · ", (long) d.windows(),
                    (long) d.windowLength()));
        }
        b.append(String.format(Locale.ROOT, "%.1f s · parameters %s", d.elapsedMillis() / 1000.0, d.variant()));
        return b.toString();
    }

    /** Hover on the loss or λ̂ figure: the nearest chain's exact value at the nearest draw (null clears). */
    public void hover(TrajectoryFigure.Pick pick, boolean lossPanel) {
        LlcDiagnostics d = shown.get();
        if (pick == null || d == null) {
            readout.set("");
            return;
        }
        int draw = (int) Math.round(pick.step());
        String text = String.format(Locale.ROOT, "%s · draw %d · %s = %.6g", pick.series(), draw,
                lossPanel ? "loss" : "λ̂", pick.mean());
        if (lossPanel && !Double.isNaN(d.initLoss()) && !INIT.equals(pick.series())) {
            text += String.format(Locale.ROOT, " (%+.4g vs init)", pick.mean() - d.initLoss());
        }
        if (!Double.isNaN(pick.std())) {
            text += String.format(Locale.ROOT, " ± %.3g", pick.std());
        }
        readout.set(text);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.4g", v);
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1f %%", 100 * v);
    }

}
