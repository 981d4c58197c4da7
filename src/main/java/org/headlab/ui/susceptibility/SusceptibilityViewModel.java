package org.headlab.ui.susceptibility;

import java.util.ArrayList;
import java.util.Arrays;
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
import org.headlab.core.estimate.susceptibility.StoredSusceptibility;
import org.headlab.core.figure.Figure;
import org.headlab.core.figure.Provenance;
import org.headlab.core.figure.SusceptibilityFigures;
import org.headlab.core.jobs.JobExecutor;
import org.headlab.core.session.RunSession;
import org.headlab.ui.LatestRequest;
import org.headlab.ui.Selection;

/**
 * The stored per-token susceptibilities at the selected checkpoint (ADR 0011): the selected head's χ on every probe
 * token (for the coloured token strip, with its standard error), the head × token matrix and the map of the tokens'
 * susceptibility vectors over the heads (PCA, coloured by token kind). Read from the store on the job engine, never
 * computed here; choosing a token makes its probe window the input and the token the selected position, so the
 * attention map and the arcs show it.
 */
public final class SusceptibilityViewModel {
    /** One probe token of the selected head: where it is, what it is, χ ± se. */
    public record TokenCell(int index, int window, int position, String text, String kind, double chi, double se,
            boolean resolved) {
    }

    /** What one load found: every head's estimate at the step and the figures made from them. */
    public record Loaded(int step, List<StoredSusceptibility> heads, List<String> vocab, Figure matrix,
            Figure map) {
    }

    /** The selected head's susceptibility to the current input, computed on request (not stored). */
    /** {@code bif}[k][j]: the Bayesian influence between predicted tokens k and j of the input (ADR 0011). */
    public record InputResult(int step, Head head, String input, int[] ids, double[] chi, double[] se, int chains,
            double llc, double[][] bif) {
    }

    private final Selection selection;
    private final JobExecutor jobs;
    private final Consumer<Runnable> uiThread;
    private final LatestRequest request;
    private final LatestRequest inputRequest;
    private final ObservableList<TokenCell> tokens = FXCollections.observableArrayList();
    private final ObjectProperty<Loaded> loaded = new SimpleObjectProperty<>(this, "loaded");
    private final ObjectProperty<Figure> matrix = new SimpleObjectProperty<>(this, "matrix");
    private final ObjectProperty<Figure> map = new SimpleObjectProperty<>(this, "map");
    private final StringProperty status = new SimpleStringProperty(this, "status", "No run open");
    /** The selected head's line while every head is computed for the input. */
    private String firstHeadStatus = "";
    private final ObjectProperty<double[]> influence = new SimpleObjectProperty<>(this, "influence");
    private double scale = 1;
    /** The input's result while the strip shows it (null: the strip shows the stored probe). */
    private InputResult shownInput;

    public SusceptibilityViewModel(Selection selection, JobExecutor jobs, Consumer<Runnable> uiThread) {
        this.selection = selection;
        this.jobs = jobs;
        this.uiThread = uiThread;
        this.request = new LatestRequest("susceptibilities", jobs, uiThread).onShownAgain(this::refresh);
        this.inputRequest = new LatestRequest("susceptibility of the input", jobs, uiThread);
        // a new checkpoint reloads, a new head only re-picks from what is loaded
        selection.onChange(this::refresh, Selection.Field.STEP);
        selection.onChange(this::pickHead, Selection.Field.HEAD);
        selection.followSession(s -> refresh());
    }

    public ObservableList<TokenCell> tokens() {
        return tokens;
    }

    public ReadOnlyObjectProperty<Figure> matrixProperty() {
        return matrix;
    }

    public ReadOnlyObjectProperty<Figure> mapProperty() {
        return map;
    }

    public ReadOnlyStringProperty statusProperty() {
        return status;
    }

    /**
     * The Bayesian influence of the token clicked last in a computed input on every token of it, one value per cell
     * in [−1, 1] (the posterior correlation of their losses over the head's draws); null while the strip shows χ.
     */
    public ReadOnlyObjectProperty<double[]> influenceProperty() {
        return influence;
    }

    /** Back to colouring the tokens by χ. */
    public void showSusceptibility() {
        influence.set(null);
    }

    /** The largest |χ| of the selected head's tokens: the colour scale's end (never 0). */
    public double scale() {
        return scale;
    }

    /** Whether the panel is on screen; hidden, changes only mark it stale. */
    public void setActive(boolean on) {
        request.setShown(on);
    }

    public void refresh() {
        if (!request.mayRefresh()) {
            return;
        }
        RunSession s = selection.session();
        Integer step = selection.state().step();
        if (s == null || step == null) {
            request.invalidate();
            apply(null);
            status.set(s == null ? "No run open" : "");
            return;
        }
        status.set("Reading the susceptibilities stored at step " + step + " …");
        request.submit(() -> load(s, step), this::apply,
                failure -> status.set("Results unreadable: " + LatestRequest.messageOf(failure)));
    }

    /** Every head's stored estimate at {@code step} and the figures (on the job engine). */
    public static Loaded load(RunSession s, int step) {
        List<StoredSusceptibility> heads = SusceptibilityFigures.stored(s.run(), step);
        List<String> vocab = s.vocabulary();
        if (heads.isEmpty()) {
            return new Loaded(step, heads, vocab, null, null);
        }
        Provenance p = Provenance.builder().run(s.run().name(), s.run().dir().toString()).checkpoint(step,
                s.run().contentHash(step)).estimator("susceptibility", java.util.Map.of()).datasetSlice(heads.get(0).dataset()).build();
        return new Loaded(step, heads, vocab, SusceptibilityFigures.matrix(heads, vocab, step, 0, p),
                SusceptibilityFigures.map(heads, vocab, step, p));
    }

    private void apply(Loaded l) {
        loaded.set(l);
        matrix.set(l == null ? null : l.matrix());
        map.set(l == null ? null : l.map());
        pickHead();
    }

    private void pickHead() {
        shownInput = null;
        Loaded l = loaded.get();
        Head head = selection.head();
        StoredSusceptibility s = l == null ? null : l.heads().stream().filter(x -> x.head().equals(head))
                .findFirst().orElse(null);
        if (l == null) {
            tokens.clear();
            influence.set(null);
            return;
        }
        if (s == null) {
            tokens.clear();
            influence.set(null);
            status.set(l.heads().isEmpty() ? "No susceptibilities stored at step " + l.step() + ". Compute them with"
                    + " Run estimator… (estimator susceptibility) or: headlab sweep RUN --estimators susceptibility"
                    + " --heads all --steps " + l.step()
                    : "No susceptibility stored for head " + head + " at step " + l.step() + " (stored for "
                            + l.heads().stream().map(x -> x.head().toString()).toList() + ")");
            return;
        }
        List<TokenCell> cells = cells(s.probeTokens(), s.chi(), s.se(), l.vocab());
        double max = setCells(cells);
        long resolved = cells.stream().filter(TokenCell::resolved).count();
        double mean = Arrays.stream(s.chi()).average().orElse(Double.NaN);
        status.set(String.format(Locale.ROOT, "Head %s at step %d: %d probe tokens (%d windows of '%s'), %d resolved"
                + " (|χ| > 2 se), mean χ %+.3g, largest |χ| %.3g; rLLC of the same draws %.3f. χ = −nβ·Cov(φ, ℓ − L̄):"
                + " red, up-weighting the token raises the head's loss excess; blue, lowers it.", head, l.step(),
                cells.size(), s.probeTokens().length, s.dataset(), resolved, mean, max, s.llc()));
    }

    /** What a computation on the input needs from the selection. */
    private record InputRequest(RunSession session, int step, Head head, String input) {
    }

    /** The selection as an input request, or null after saying in the status line what is missing. */
    private InputRequest inputRequest() {
        RunSession s = selection.session();
        Integer step = selection.state().step();
        String input = selection.state().input();
        if (s == null || step == null || input == null || input.isBlank()) {
            status.set(s == null ? "No run open" : "Type an input first: its tokens are the probe");
            return null;
        }
        return new InputRequest(s, step, selection.head(), input);
    }

    /**
     * Computes the selected head's susceptibility to every token of the current input at the selected checkpoint:
     * the rLLC's chains at the paper's settings on the run's first slice, the input as the probe, the head's own
     * chains as the reference (no full-model run: seconds on dyck, about a minute a head on lm). Shown in the token
     * strip, not stored.
     */
    public void computeForInput() {
        InputRequest q = inputRequest();
        if (q == null) {
            return;
        }
        status.set("Computing head " + q.head() + "'s susceptibility to each token of the input at step " + q.step()
                + " (4 chains × 200 draws, the head's own chains as reference) …");
        inputRequest.submit(() -> computeInput(q.session(), q.step(), q.head(), q.input()), this::applyInput,
                failure -> status.set("Not computed: " + LatestRequest.messageOf(failure)));
    }

    /**
     * As {@link #computeForInput}, for every head of the model, the selected head first: the token strip shows the
     * selected head as soon as it is done, and the matrix grows one head row at a time (head × token of the input).
     * One job computes the heads in turn and stops between heads when a newer request was made. Seconds a head on
     * dyck, about a minute a head on lm.
     */
    public void computeForInputAllHeads() {
        InputRequest q = inputRequest();
        if (q == null) {
            return;
        }
        RunSession s = q.session();
        Integer step = q.step();
        Head head = q.head();
        String input = q.input();
        List<Head> order = new ArrayList<>(Head.all(s.run().config()));
        order.remove(head);
        order.add(0, head);
        long mine = inputRequest.next();
        java.util.Map<Head, double[]> rows = new java.util.LinkedHashMap<>();
        status.set("Computing every head's susceptibility to each token of the input at step " + step + ", head "
                + head + " first (4 chains × 200 draws each, each head's own chains as reference) …");
        jobs.submit("susceptibility of the input, every head", () -> {
            for (Head h : order) {
                if (!inputRequest.isLatest(mine)) {
                    return null; // a newer request: the rest is not wanted
                }
                InputResult r = computeInput(s, step, h, input);
                uiThread.accept(() -> {
                    if (inputRequest.isLatest(mine)) {
                        arrivedForHead(r, head, rows, order.size());
                    }
                });
            }
            return null;
        }).whenComplete((done, failure) -> uiThread.accept(() -> {
            if (failure != null && inputRequest.isLatest(mine)) {
                status.set("Not computed: " + LatestRequest.messageOf(failure));
            }
        }));
    }

    private void arrivedForHead(InputResult r, Head first, java.util.Map<Head, double[]> rows, int heads) {
        RunSession s = selection.session();
        if (s == null) {
            return;
        }
        if (r.head().equals(first)) {
            applyInput(r); // the strip: the head the user is looking at
            firstHeadStatus = status.get();
        }
        rows.put(r.head(), r.chi());
        List<Head> order = new ArrayList<>(rows.keySet());
        order.sort(java.util.Comparator.comparingInt(Head::layer).thenComparingInt(Head::head));
        double[][] values = new double[order.size()][];
        for (int i = 0; i < values.length; i++) {
            values[i] = rows.get(order.get(i));
        }
        List<String> cols = SusceptibilityFigures.tokenLabels(new int[][] {r.ids()}, s.vocabulary(),
                SusceptibilityFigures.TokenStyle.VISIBLE);
        matrix.set(org.headlab.core.figure.MatrixFigure.of(String.format(Locale.ROOT, "Per-token susceptibility χ"
                + " of each head on the input, step %d (each head's own chains as reference; not stored)", r.step()),
                values, order.stream().map(Head::toString).toList(), cols, "head", "input token (context→predicted)",
                "χ", Provenance.none()));
        status.set(firstHeadStatus + " " + rows.size() + " of " + heads + " heads computed for the matrix.");
    }

    /** The head's susceptibility to each token of {@code input} (on the job engine). */
    public static InputResult computeInput(RunSession s, int step, Head head, String input) {
        int[] ids = s.encode(input).ids();
        if (ids.length < 2) {
            throw new org.headlab.core.HeadLabException("the input must have at least 2 tokens");
        }
        var run = s.run();
        if (run.datasets().isEmpty()) {
            throw new org.headlab.core.HeadLabException("run '" + run.name() + "' has no dataset to sample from");
        }
        org.headlab.core.estimate.llc.LlcData data = org.headlab.core.estimate.llc.LlcData.fromRun(s,
                run.datasets().get(0).name());
        org.headlab.core.estimate.llc.SgldConfig cfg = org.headlab.core.estimate.llc.SgldConfig.paper();
        int[] probe = Arrays.copyOf(ids, Math.min(ids.length, run.config().nCtx()));
        var r = org.headlab.core.estimate.susceptibility.SusceptibilityEstimate.estimate(run.config(),
                run.weights(step), org.headlab.core.model.ParameterMask.head(run.config(), head.layer(), head.head(),
                        false), data, new int[][] {probe}, cfg, null, true,
                () -> Thread.currentThread().isInterrupted());
        return new InputResult(step, head, input, probe, r.susceptibility().chi(), r.susceptibility().se(),
                r.susceptibility().chains(), r.component().llcMean(), r.bif());
    }

    private void applyInput(InputResult r) {
        RunSession s = selection.session();
        if (s == null) {
            return;
        }
        List<String> vocab = s.vocabulary();
        List<TokenCell> cells = cells(new int[][] {r.ids()}, r.chi(), r.se(), vocab);
        shownInput = r;
        double max = setCells(cells);
        long resolved = cells.stream().filter(TokenCell::resolved).count();
        status.set(String.format(Locale.ROOT, "Head %s at step %d on the input (computed, not stored; reference: the"
                + " head's own chains, %d chains × 200 draws): %d tokens, %d resolved (|χ| > 2 se), largest |χ| %.3g;"
                + " rLLC of the same draws %.3f.", r.head(), r.step(), r.chains(), cells.size(), resolved, max,
                r.llc()));
    }

    /**
     * One cell per predicted position of each window (positions 1.., window by window, as χ is laid out), for the
     * stored probe and for a computed input alike; resolved means |χ| > 2 se.
     */
    private static List<TokenCell> cells(int[][] windows, double[] chi, double[] se, List<String> vocab) {
        List<TokenCell> out = new ArrayList<>();
        int k = 0;
        for (int w = 0; w < windows.length && k < chi.length; w++) {
            for (int pos = 1; pos < windows[w].length && k < chi.length; pos++, k++) {
                int id = windows[w][pos];
                out.add(new TokenCell(k, w, pos, id >= 0 && id < vocab.size() ? vocab.get(id) : "#" + id,
                        org.headlab.core.analysis.TokenKinds.of(windows[w], pos, vocab), chi[k], se[k],
                        Math.abs(chi[k]) > 2 * se[k]));
            }
        }
        return out;
    }

    /** Shows the cells, the colour scale set by the largest |χ|; returns it. */
    private double setCells(List<TokenCell> cells) {
        influence.set(null);
        double max = cells.stream().mapToDouble(c -> Math.abs(c.chi())).max().orElse(0);
        scale = max > 0 ? max : 1;
        tokens.setAll(cells);
        return max;
    }

    /** Makes the token's probe window the input and the token the selected position. */
    public void select(TokenCell cell) {
        if (cell != null && shownInput != null) {
            // the strip shows the input itself: the token is already in it
            selection.update(state -> state.withTokenPosition(cell.position()));
            double[][] bif = shownInput.bif();
            if (bif != null && cell.index() < bif.length) {
                influence.set(bif[cell.index()].clone());
                status.set(String.format(Locale.ROOT, "Bayesian influence of '%s' (position %d) on every token of the"
                        + " input, head %s at step %d: the correlation of their losses over the head's posterior"
                        + " draws (%d chains × 200); red, the two losses rise together; blue, one falls as the other"
                        + " rises. 'Colour by χ' goes back.", cell.text(), cell.position(), shownInput.head(),
                        shownInput.step(), shownInput.chains()));
            }
            return;
        }
        Loaded l = loaded.get();
        RunSession s = selection.session();
        if (cell == null || l == null || s == null) {
            return;
        }
        StoredSusceptibility st = l.heads().stream().filter(x -> x.head().equals(selection.head())).findFirst()
                .orElse(null);
        if (st == null) {
            return;
        }
        int[] window = st.probeTokens()[cell.window()];
        int bos = s.tokenizer().bosId();
        // a window packs several documents, each after a <bos>: the input is the token's own document, which the
        // input box encodes with a <bos> in front again, so the token keeps its place after that <bos>
        int start = cell.position();
        while (start > 0 && window[start - 1] != bos) {
            start--;
        }
        int end = cell.position() + 1;
        while (end < window.length && window[end] != bos) {
            end++;
        }
        String text = s.tokenizer().decode(Arrays.copyOfRange(window, start, end));
        int position = cell.position() - start + 1;
        selection.update(state -> state.withInput(text).withTokenPosition(position));
        // the matrix follows to the token's window (cheap: the numbers are loaded)
        Figure m = matrix.get();
        matrix.set(SusceptibilityFigures.matrix(l.heads(), l.vocab(), l.step(), cell.window(),
                m == null ? Provenance.none() : m.provenance()));
    }
}
