package org.headlab.ui.curves;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.headlab.core.analysis.HeadClusters;
import org.headlab.core.analysis.RunComparison;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.llc.LlcMetrics;
import org.headlab.core.estimate.stages.StageDetector;
import org.headlab.core.figure.CurveFigures;
import org.headlab.core.figure.StageBands;
import org.headlab.core.figure.TrajectoryFigure;
import org.headlab.core.jobs.JobExecutor;
import org.headlab.core.labels.LabelSet;
import org.headlab.core.run.Run;
import org.headlab.core.session.RunSession;
import org.headlab.core.store.ResultTable;
import org.headlab.ui.LatestRequest;
import org.headlab.ui.Selection;
import org.headlab.ui.labels.LabelsViewModel;

/**
 * Curves over training of one (estimator, metric) read from the run's result store: one curve per head (one panel
 * per layer), per layer or for the model, by the estimator's scope; a ± std band where the store has the matching
 * {@code …/std} metric; coloured by the head's label class when the run has labels, else one colour per head.
 * Works for whatever estimators are in the store: scalar metrics, and whole-model arrays with one number per head
 * (pattern scores), which become one curve per head; other arrays (composition matrices, traces) are not curves.
 *
 * <p>Stage bands: the training stages of the run ({@link StageBands}: detected on the full-model LLC if stored, else
 * on the loss, as the {@code figures} command does) are shaded behind every curve, coloured by kind, with a legend
 * entry per kind and the stage under the pointer in the hover read-out; {@link #showStagesProperty()} hides them.
 * They are detected with the store's read, off the UI thread, so they follow the data as results land.
 *
 * <p>The store is read on the job executor; the figure is rebuilt on the UI thread from the loaded rows when the
 * selection (emphasised head, marked step) or the labels change, which is cheap. Clicks and hovers arrive as
 * {@link TrajectoryFigure.Pick}s from the view.
 */
public final class CurvesViewModel {
    /** How close (in canvas pixels) a click must be to a curve to select its head. */
    public static final double PICK_DISTANCE = 8;
    static final String UNLABELLED = CurveFigures.UNLABELLED;

    private final Selection selection;
    private final LabelsViewModel labels;
    private final ObservableList<String> estimators = FXCollections.observableArrayList();
    private final ObservableList<String> metrics = FXCollections.observableArrayList();
    private final ObjectProperty<String> estimator = new SimpleObjectProperty<>(this, "estimator");
    private final ObjectProperty<String> metric = new SimpleObjectProperty<>(this, "metric");
    private final ObjectProperty<TrajectoryFigure> figure = new SimpleObjectProperty<>(this, "figure");
    private final StringProperty status = new SimpleStringProperty(this, "status", "No run open");
    private final StringProperty readout = new SimpleStringProperty(this, "readout", "");
    private final StringProperty stagesText = new SimpleStringProperty(this, "stagesText", "");
    private final BooleanProperty showStages = new SimpleBooleanProperty(this, "showStages", true);
    private final BooleanProperty colourByCluster = new SimpleBooleanProperty(this, "colourByCluster", false);
    private final BooleanProperty showCurvature = new SimpleBooleanProperty(this, "showCurvature", false);
    private final ObjectProperty<org.headlab.core.figure.StackedFigure> curvature = new SimpleObjectProperty<>(this,
            "curvature");
    private final javafx.beans.property.ObjectProperty<HeadClusters.Method> clusterMethod =
            new javafx.beans.property.SimpleObjectProperty<>(this, "clusterMethod", HeadClusters.Method.KMEANS);
    private final ObjectProperty<StageBands> stageBands = new SimpleObjectProperty<>(this, "stageBands");
    private final ObjectProperty<Map<String, Sparkline>> sparklines = new SimpleObjectProperty<>(this, "sparklines",
            Map.of());
    private final ObjectProperty<Map<String, String[]>> clusterSuggestions = new SimpleObjectProperty<>(this,
            "clusterSuggestions", Map.of());
    private final ObjectProperty<org.headlab.core.figure.DendrogramFigure> dendrogram = new SimpleObjectProperty<>(
            this, "dendrogram");
    private final ObjectProperty<java.nio.file.Path> compareRun = new SimpleObjectProperty<>(this, "compareRun");
    /** The other run's stored rows (null: no comparison), read off the FX thread when {@link #compareRun} is set. */
    private ResultTable compared;
    private RunSession session;
    private ResultTable loaded = ResultTable.EMPTY;
    /** Reads of the store: one at a time, the calls meanwhile folded into one more (a sweep lands many results). */
    private final LatestRequest reads;
    /** Reads of another run's store to compare with: the run chosen last wins. */
    private final LatestRequest compareReads;
    private final ObservableList<String> variants = FXCollections.observableArrayList();
    private final ObjectProperty<String> variant = new SimpleObjectProperty<>(this, "variant");
    private boolean updatingVariants;

    public CurvesViewModel(Selection selection, JobExecutor jobs, Consumer<Runnable> uiThread,
            LabelsViewModel labels) {
        this.selection = selection;
        this.labels = labels;
        this.reads = new LatestRequest("read results", jobs, uiThread);
        this.compareReads = new LatestRequest("read results to compare", jobs, uiThread);
        estimator.addListener((o, a, b) -> {
            resetVariant(); // another estimator: its variant with most results first
            updateVariants();
            updateMetrics();
            rebuild();
        });
        variant.addListener((o, a, b) -> {
            if (!updatingVariants) {
                updateMetrics();
                rebuild();
            }
        });
        metric.addListener((o, a, b) -> rebuild());
        showStages.addListener((o, a, b) -> rebuild());
        colourByCluster.addListener((o, a, b) -> rebuild());
        showCurvature.addListener((o, a, b) -> rebuild());
        clusterMethod.addListener((o, a, b) -> {
            if (colourByCluster.get()) {
                rebuild();
            }
        });
        selection.onChange(this::rebuild, Selection.Field.HEAD, Selection.Field.STEP);
        compareRun.addListener((o, a, b) -> readCompared(b));
        if (labels != null) {
            labels.labelsProperty().addListener((o, a, b) -> rebuild());
        }
        selection.followSession(this::setSession); // last: every field is ready for the run
    }

    public ObservableList<String> estimators() {
        return estimators;
    }

    public ObservableList<String> metrics() {
        return metrics;
    }

    public ObjectProperty<String> estimatorProperty() {
        return estimator;
    }

    public ObjectProperty<String> metricProperty() {
        return metric;
    }

    public ReadOnlyObjectProperty<TrajectoryFigure> figureProperty() {
        return figure;
    }

    public ReadOnlyStringProperty statusProperty() {
        return status;
    }

    public ReadOnlyStringProperty readoutProperty() {
        return readout;
    }

    public ResultTable loaded() {
        return loaded;
    }

    /**
     * One head's rLLC over training for its head-grid cell: steps, λ̂ (llc/mean of the variant shown first) and which
     * points resolved nothing; {@code lo}/{@code hi} are shared by all heads, so cells compare at a glance.
     */
    public record Sparkline(double[] steps, double[] values, boolean[] unresolved, double lo, double hi) {
    }

    /** "L:H" → that head's rLLC sparkline (empty: the store has no rLLC). */
    public ReadOnlyObjectProperty<Map<String, Sparkline>> sparklinesProperty() {
        return sparklines;
    }

    /**
     * The parameter sets and slices the selected estimator has results for ("{params} on text"), the one with most
     * results first: what the curves show is one of them at a time.
     */
    public ObservableList<String> variants() {
        return variants;
    }

    /** The variant shown (set by the user; on a new run or estimator, the one with most results). */
    public ObjectProperty<String> variantProperty() {
        return variant;
    }

    /** The sparklines of the rLLC variant the Curves tab shows first (the one with most results). */
    static Map<String, Sparkline> sparklines(ResultTable table) {
        String variant = table.mainVariant("llc", null); // the ranking the Curves tab shows first
        if (variant == null) {
            return Map.of();
        }
        TrajectoryFigure f = CurveFigures.build(table, "llc", variant, LlcMetrics.MEAN, null, null);
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (TrajectoryFigure.Series sr : f.series()) {
            for (int i = 0; i < sr.mean().length; i++) {
                // step 0 is no local minimum (λ̂ ≪ 0): it would flatten every other point
                if (sr.steps()[i] > 0 && Double.isFinite(sr.mean()[i])) {
                    lo = Math.min(lo, sr.mean()[i]);
                    hi = Math.max(hi, sr.mean()[i]);
                }
            }
        }
        Map<String, Sparkline> out = new java.util.TreeMap<>();
        for (TrajectoryFigure.Series sr : f.series()) {
            boolean[] u = sr.unresolved() == null ? new boolean[sr.mean().length] : sr.unresolved();
            out.put(sr.name(), new Sparkline(sr.steps(), sr.mean(), u, lo, hi));
        }
        return out;
    }

    /** Whether the stage bands are drawn behind the curves (default: yes). */
    public BooleanProperty showStagesProperty() {
        return showStages;
    }

    /** The run's stages and the curve they were found on (null: the store has neither llc_full nor loss). */
    /**
     * Colour the curves by the k-means cluster of their shape ({@link HeadClusters}, k by the silhouette) instead of
     * by label: head types found by the data, beside the ones given by hand.
     */
    public BooleanProperty colourByClusterProperty() {
        return colourByCluster;
    }

    /** How "Colour by cluster" groups the curves: k-means, or hierarchically by Ward's or average linkage. */
    public javafx.beans.property.ObjectProperty<HeadClusters.Method> clusterMethodProperty() {
        return clusterMethod;
    }

    /**
     * Show, in place of the curves, the selected head's rLLC beside its curvature measures (Hessian trace, Fisher trace,
     * Hessian rank and top eigenvalue: the paper's Appendix D comparison, {@link
     * org.headlab.core.figure.FigureSet#curvatureOf}), from the same stored results.
     */
    public BooleanProperty showCurvatureProperty() {
        return showCurvature;
    }

    /** The selected head's curvature comparison while {@link #showCurvatureProperty} is on and it has one, else null. */
    public ReadOnlyObjectProperty<org.headlab.core.figure.StackedFigure> curvatureProperty() {
        return curvature;
    }

    public ReadOnlyObjectProperty<StageBands> stageBandsProperty() {
        return stageBands;
    }

    /** The stages shown as bands (empty: none found, or hidden). */
    public List<StageDetector.Stage> stages() {
        StageBands b = stageBands.get();
        return b == null || !showStages.get() ? List.of() : b.stages();
    }

    /** One line for the legend: where the bands come from and every stage, or why there are none. */
    public ReadOnlyStringProperty stagesTextProperty() {
        return stagesText;
    }

    /** The run whose store is shown (null: none; the selection's run); loads its results. */
    private void setSession(RunSession s) {
        session = s;
        loaded = ResultTable.EMPTY;
        resetVariant(); // another run: its variant with most results first
        reads.invalidate(); // a read of the run before must not land on this one
        refresh();
    }

    /**
     * Re-reads the store off the UI thread. Calls while a read is running are coalesced into one more read after
     * it, so a sweep that lands many results quickly costs one read at a time and one waiting.
     */
    public void refresh() {
        RunSession s = session;
        if (s == null) {
            reads.invalidate();
            apply(ResultTable.EMPTY, null, "No run open");
            return;
        }
        reads.refresh(() -> {
            ResultTable table = load(s.run());
            StageBands bands;
            try {
                bands = StageBands.detect(table, "auto");
            } catch (IllegalArgumentException ex) {
                bands = null; // an unusable source curve (an infinite loss) means no bands, not no curves
            }
            return new Loaded(table, bands);
        }, data -> {
            if (s == session) { // a read of the run before (a new run invalidates it; this is a second guard)
                apply(data.table(), data.bands(), data.table().rows().isEmpty() ? "No results stored for this"
                        + " run yet: the button below computes the rLLC of every head over training (Run"
                        + " estimator… computes anything else)" : null);
            }
        }, failure -> apply(ResultTable.EMPTY, null, "Results unreadable: " + LatestRequest.messageOf(failure)));
    }

    /** Reads every scalar result of {@code run}'s store that belongs to one of its checkpoints (never creates it). */
    public static ResultTable load(Run run) {
        return ResultTable.load(run);
    }

    /**
     * While the curves are coloured by cluster: what the clusters suggest for unlabelled (or "other") heads, head →
     * {class name, support} ({@link HeadClusters#suggestions}); empty otherwise. Offered in the label panel, never
     * applied here.
     */
    public ReadOnlyObjectProperty<Map<String, String[]>> clusterSuggestionsProperty() {
        return clusterSuggestions;
    }

    /** The tree of a hierarchical clustering of the shown curves (null: none, or not hierarchical). */
    public ReadOnlyObjectProperty<org.headlab.core.figure.DendrogramFigure> dendrogramProperty() {
        return dendrogram;
    }

    /**
     * Another run of the same shape (a second training seed) whose heads are matched to this run's by their curves of
     * the shown metric ({@link RunComparison}: optimal assignment within each layer); the selected head's match is
     * drawn beside it. Null: none.
     */
    public ObjectProperty<java.nio.file.Path> compareRunProperty() {
        return compareRun;
    }

    private void readCompared(java.nio.file.Path dir) {
        compared = null;
        if (dir == null) {
            compareReads.invalidate();
            rebuild();
            return;
        }
        status.set("Reading the results of " + dir.getFileName() + " …");
        RunSession s = session;
        compareReads.submit(() -> {
            Run other = Run.open(dir);
            if (s != null && (other.config().nLayers() != s.run().config().nLayers()
                    || other.config().nHeads() != s.run().config().nHeads())) {
                throw new org.headlab.core.HeadLabException(other.name() + " has " + other.config().nLayers() + " × "
                        + other.config().nHeads() + " heads: only runs of the same shape can be matched head to head");
            }
            return ResultTable.read(other);
        }, table -> {
            compared = table;
            rebuild();
        }, failure -> {
            compareRun.set(null);
            status.set("Not compared: " + LatestRequest.messageOf(failure));
        });
    }

    /**
     * The selected head's match in the compared run as one more series beside its own curve (same panel, the label
     * "match in RUN"), and a note with the distances; the figure unchanged and the reason when they cannot be matched.
     */
    private TrajectoryFigure withMatch(TrajectoryFigure f, String e, String variant, String m, Head h,
            StringBuilder note) {
        ResultTable other = compared;
        if (other == null || h == null) {
            return f;
        }
        try {
            // the compared run's results of the settings shown here, else its most complete ones (said below)
            String otherVariant = other.variants(e).contains(variant) ? variant : other.mainVariant(e, m);
            if (otherVariant != null && !otherVariant.equals(variant)) {
                note.append(" · ").append(other.runName()).append(" has no results of these settings: matched on")
                        .append(" its ").append(otherVariant);
            }
            RunComparison.Result r = RunComparison.compare(loaded, other, e, variant, otherVariant, m,
                    HeadClusters.Normalisation.STANDARDISE, true, 0);
            RunComparison.Pair p = r.pairs().stream().filter(x -> x.a().equals(h.toString())).findFirst()
                    .orElse(null);
            if (p == null) {
                note.append(" · ").append(h).append(" has no match in ").append(other.runName());
                return f;
            }
            String panel = f.series().stream().filter(x -> x.name().equals(h.toString())).map(
                    TrajectoryFigure.Series::panel).findFirst().orElse(null);
            double[] steps = r.steps().stream().mapToDouble(Integer::doubleValue).toArray();
            java.util.List<TrajectoryFigure.Series> series = new java.util.ArrayList<>(f.series());
            series.add(new TrajectoryFigure.Series(other.runName() + " " + p.b(), "match in " + other.runName(),
                    panel, steps, r.valuesB().get(p.b()), null));
            note.append(String.format(Locale.ROOT, " · %s matches %s in %s (distance %.2f; matched pairs %.2f on"
                    + " average, any pair %.2f)", h, p.b(), other.runName(), p.distance(), r.meanMatched(),
                    r.meanUnmatched()));
            return new TrajectoryFigure(f.title() + " · with its match in " + other.runName(), "training step", m,
                    series, f.stages(), true, f.provenance());
        } catch (org.headlab.core.HeadLabException ex) {
            note.append(" · not matched with ").append(other.runName()).append(": ").append(ex.getMessage());
            return f;
        }
    }

    /** One read of the store: its rows and the stages found on them (null: no source curve). */
    private record Loaded(ResultTable table, StageBands bands) {
    }

    private void apply(ResultTable data, StageBands bands, String message) {
        loaded = data;
        sparklines.set(sparklines(data));
        stageBands.set(bands);
        stagesText.set(describe(bands));
        TreeSet<String> ids = new TreeSet<>();
        data.rows().forEach(r -> ids.add(r.estimator()));
        String keep = estimator.get();
        if (!estimators.equals(List.copyOf(ids))) {
            estimators.setAll(ids);
        }
        if (keep == null || !ids.contains(keep)) {
            estimator.set(ids.isEmpty() ? null : preferredEstimator(ids));
        }
        updateVariants();
        updateMetrics();
        rebuild();
        if (message != null) {
            status.set(message);
        }
    }

    private void updateMetrics() {
        TreeSet<String> keys = new TreeSet<>();
        String e = estimator.get();
        String variant = variantOf(e);
        for (ResultTable.Row r : loaded.rows()) {
            if (r.estimator().equals(e) && r.variant().equals(variant)) {
                keys.addAll(r.metrics().keySet());
            }
        }
        if (!metrics.equals(List.copyOf(keys))) {
            metrics.setAll(keys);
        }
        String m = metric.get();
        if (m == null || !keys.contains(m)) {
            metric.set(keys.isEmpty() ? null : preferredMetric(keys));
        }
    }

    /** The rLLC first (the paper's headline), then the full LLC, then the first by name. */
    static String preferredEstimator(TreeSet<String> ids) {
        for (String e : List.of("llc", "llc_full")) {
            if (ids.contains(e)) {
                return e;
            }
        }
        return ids.first();
    }

    /** A mean with a std beside it before the rest, and never that std on its own (CurveFigures' convention). */
    private static String preferredMetric(TreeSet<String> keys) {
        java.util.Set<String> stds = new java.util.HashSet<>();
        keys.forEach(k -> stds.add(org.headlab.core.figure.CurveFigures.stdKeyFor(k)));
        return keys.stream().filter(k -> org.headlab.core.figure.CurveFigures.stdKeyFor(k) != null).findFirst()
                .orElse(keys.stream().filter(k -> !stds.contains(k)).findFirst().orElse(keys.first()));
    }

    /**
     * The variants of the selected estimator; the one shown stays while it has results, else the one with most
     * results is shown (a half-finished sweep on another slice does not take over the curves).
     */
    private void updateVariants() {
        String e = estimator.get();
        List<String> vs = e == null ? List.of() : loaded.variants(e);
        updatingVariants = true;
        try {
            if (!variants.equals(vs)) {
                variants.setAll(vs);
            }
            if (variant.get() == null || !vs.contains(variant.get())) {
                variant.set(vs.isEmpty() ? null : vs.get(0));
            }
        } finally {
            updatingVariants = false;
        }
    }

    private void resetVariant() {
        updatingVariants = true;
        try {
            variant.set(null);
        } finally {
            updatingVariants = false;
        }
    }

    /** The parameter set + slice shown for estimator {@code e}: one variant is shown at a time. */
    private String variantOf(String e) {
        List<String> vs = e == null ? List.of() : loaded.variants(e);
        String chosen = variant.get();
        return chosen != null && vs.contains(chosen) ? chosen : vs.isEmpty() ? null : vs.get(0);
    }

    /** The std metric that goes with {@code key}: llc/mean → llc/std, else none. */
    static String stdKeyFor(String key) {
        return CurveFigures.stdKeyFor(key);
    }

    /** The legend line for {@code bands}. */
    static String describe(StageBands bands) {
        if (bands == null) {
            return "No stage bands: they are found on the full-model LLC (llc_full) or the loss, and the store has"
                    + " neither; Run estimator… → loss makes them";
        }
        StringBuilder b = new StringBuilder("Stage bands (" + bands.caption() + ", " + bands.sourceMetric() + "):");
        for (int i = 0; i < bands.stages().size(); i++) {
            StageDetector.Stage st = bands.stages().get(i);
            b.append(i == 0 ? " " : " · ").append('S').append(i + 1).append(' ')
                    .append(Math.round(st.startStep())).append('–').append(Math.round(st.endStep())).append(' ')
                    .append(st.kind().word());
        }
        return b.toString();
    }

    private void rebuild() {
        String e = estimator.get();
        String m = metric.get();
        if (e == null || m == null) {
            figure.set(null);
            dendrogram.set(null); // what a previous run showed goes with its curves
            curvature.set(null);
            return;
        }
        LabelSet set = labels == null ? LabelSet.empty() : labels.labels();
        String variant = variantOf(e);
        TrajectoryFigure f = build(loaded, e, variant, m, set, selection.state().step());
        StageBands bands = stageBands.get();
        if (bands != null && showStages.get()) {
            f = bands.applyTo(f);
        }
        Head h = selection.head();
        StringBuilder matchNote = new StringBuilder();
        f = withMatch(f, e, variant, m, h, matchNote);
        java.util.Set<String> emphasised = new java.util.HashSet<>();
        if (h != null) {
            emphasised.add(h.toString());
            f.series().stream().filter(x -> x.label() != null && x.label().startsWith("match in "))
                    .forEach(x -> emphasised.add(x.name()));
        }
        java.util.Map<String, java.awt.Color> colours = CurveFigures.labelColours(set);
        String clusterNote = "";
        org.headlab.core.figure.DendrogramFigure tree = null;
        Map<String, String[]> suggested = Map.of();
        if (colourByCluster.get()) {
            try {
                HeadClusters.Method how = clusterMethod.get() == null ? HeadClusters.Method.KMEANS
                        : clusterMethod.get();
                HeadClusters.Result c = HeadClusters.cluster(loaded, e, variant, m, null,
                        HeadClusters.Normalisation.STANDARDISE, 0, how);
                java.util.List<TrajectoryFigure.Series> byCluster = new java.util.ArrayList<>();
                for (TrajectoryFigure.Series x : f.series()) {
                    Integer k = c.clusterOf().get(x.name());
                    byCluster.add(new TrajectoryFigure.Series(x.name(), k == null ? "not clustered" : "cluster "
                            + (k + 1), x.panel(), x.steps(), x.mean(), x.std(), x.unresolved()));
                }
                f = new TrajectoryFigure(f.title() + " · by cluster", "training step", m, byCluster, f.stages(),
                        true, f.provenance());
                colours = java.util.Map.of();
                clusterNote = String.format(Locale.ROOT, " · %d clusters by curve shape (%s, silhouette %.2f)",
                        c.k(), how.words(), c.silhouette());
                Map<String, String> classOf = new java.util.LinkedHashMap<>();
                Integer at = selection.state().step();
                c.clusterOf().keySet().forEach(head -> classOf.put(head, CurveFigures.labelAt(set,
                        Head.parse(head), at == null ? Integer.MAX_VALUE : at)));
                suggested = HeadClusters.suggestions(c.clusterOf(), classOf, CurveFigures.UNLABELLED, "Other");
                tree = c.tree() == null ? null : new org.headlab.core.figure.DendrogramFigure(String.format(
                        Locale.ROOT, "%s curves, %s (k = %d, silhouette %.2f)", m, how.words(), c.k(),
                        c.silhouette()), c.tree(), labelNames(set, c.clusterOf().keySet()), c.k(), f.provenance(),
                        CurveFigures.labelColours(set));
            } catch (org.headlab.core.HeadLabException ex) {
                clusterNote = " · no clusters: " + ex.getMessage();
            }
        }
        dendrogram.set(tree);
        clusterSuggestions.set(suggested);
        String curvatureNote = curvatureOf(h, set, bands, e.equals("llc") ? variant : null);
        figure.set(f.styledEmphasising(colours, emphasised, selection.state().step() == null ? null
                : selection.state().step().doubleValue()));
        long points = f.series().stream().mapToLong(s -> s.steps().length).sum();
        status.set(String.format(Locale.ROOT, "%s · %s: %d curves, %d points · parameters %s%s", e, m,
                f.series().size(), points, variant, clusterNote + matchNote + curvatureNote));
    }

    /** Sets {@link #curvature} for head {@code h}; returns a note for the status line when there is none to show. */
    private String curvatureOf(Head h, LabelSet set, StageBands bands, String llcVariant) {
        if (!showCurvature.get() || session == null) {
            curvature.set(null);
            return "";
        }
        if (h == null) {
            curvature.set(null);
            return " · select a head to see its curvature";
        }
        Integer at = selection.state().step();
        int step = at == null ? Integer.MAX_VALUE : at;
        String label = set.isEmpty() ? "" : " (" + CurveFigures.labelAt(set, h, step) + ")";
        org.headlab.core.figure.StackedFigure c = org.headlab.core.figure.FigureSet.curvatureOf(loaded, h, label,
                step, session.run(), llcVariant, row -> bands != null && showStages.get() ? bands.applyTo(row) : row);
        curvature.set(c);
        return c != null ? "" : " · head " + h + " has fewer than two of the rLLC and the curvature measures at 3 or"
                + " more checkpoints (sweep RUN --estimators hessian_trace,fisher_trace,hessian_rank --heads " + h + ")";
    }

    /** Each head's label class name at the current step ("L:H" → name; unlabelled heads left out). */
    private Map<String, String> labelNames(LabelSet set, java.util.Collection<String> heads) {
        Map<String, String> out = new java.util.HashMap<>();
        Integer step = selection.state().step();
        for (String head : heads) {
            String name = CurveFigures.labelAt(set, Head.parse(head), step == null ? Integer.MAX_VALUE : step);
            if (!CurveFigures.UNLABELLED.equals(name)) {
                out.put(head, name);
            }
        }
        return out;
    }

    /** The figure of metric {@code m} of estimator {@code e} (one variant), labels from {@code set} at {@code step}. */
    public static TrajectoryFigure build(ResultTable data, String e, String variant, String m, LabelSet set,
            Integer step) {
        return CurveFigures.build(data, e, variant, m, set, step);
    }

    /** A click at a point of the figure: the nearest checkpoint becomes the step; a head's curve near it, the head. */
    public void click(TrajectoryFigure.Pick pick) {
        if (pick == null) {
            return;
        }
        int step = (int) Math.round(pick.step());
        boolean atCheckpoint = session != null && session.steps().contains(step);
        java.util.Optional<Head> head = pick.distance() <= PICK_DISTANCE ? headOf(pick.series())
                : java.util.Optional.empty();
        // checkpoint and head in one change: the views redraw once, for the pair the click meant
        selection.update(s -> {
            Selection.State next = atCheckpoint ? s.withStep(step) : s;
            return head.map(next::withHead).orElse(next);
        });
    }

    /** Hover: the exact value of the nearest curve at the nearest checkpoint (empty pick: clears). */
    public void hover(TrajectoryFigure.Pick pick) {
        hover(pick, Double.NaN);
    }

    /**
     * Hover at training step {@code stepUnderPointer} (NaN: unknown): the nearest curve's value as above, then the
     * stage band under the pointer ("stage 2: steps 144–4000, flat") while bands are shown.
     */
    public void hover(TrajectoryFigure.Pick pick, double stepUnderPointer) {
        String stage = "";
        StageBands bands = stageBands.get();
        if (bands != null && showStages.get() && !Double.isNaN(stepUnderPointer)) {
            int i = bands.indexAt(stepUnderPointer);
            if (i >= 0) {
                stage = bands.describe(i);
            }
        }
        if (pick == null) {
            readout.set(stage);
            return;
        }
        StringBuilder b = new StringBuilder(pick.series());
        if (pick.label() != null && !pick.label().equals(pick.series())) {
            b.append(" (").append(pick.label()).append(')');
        }
        b.append(String.format(Locale.ROOT, " · step %d · %s = %.6g", (long) pick.step(), metric.get(), pick.mean()));
        if (!Double.isNaN(pick.std())) {
            b.append(String.format(Locale.ROOT, " ± %.3g", pick.std()));
        }
        if (pick.unresolved()) {
            b.append(" · not resolved (noise floor or not a minimum: see the SGLD tab)");
        }
        if (!stage.isEmpty()) {
            b.append(" · ").append(stage);
        }
        readout.set(b.toString());
    }

    static Optional<Head> headOf(String seriesName) {
        int colon = seriesName.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Head(Integer.parseInt(seriesName.substring(0, colon)),
                    Integer.parseInt(seriesName.substring(colon + 1))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
