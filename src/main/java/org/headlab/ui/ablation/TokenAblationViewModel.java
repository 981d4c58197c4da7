package org.headlab.ui.ablation;

import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.ablation.Ablation;
import org.headlab.core.estimate.ablation.AblationResult;
import org.headlab.core.estimate.ablation.AblationScores;
import org.headlab.core.model.Transformer;
import org.headlab.core.session.RunSession;
import org.headlab.ui.LatestRequest;
import org.headlab.ui.Selection;

/**
 * Per-token ablation on the current input: the next-token loss at every position with the selected head's output
 * (z) ablated, minus the clean loss there ({@link AblationScores}' per-token increase), at the selected checkpoint.
 * It says which predictions the head carries on this very input (for a bracket-matching head, the closing brackets).
 *
 * <p>Zero ablation, or mean ablation over windows of the run's first dataset (the usual choice: zero is off the
 * model's distribution); resample ablation needs other sequences of the same input and is left to the estimator.
 * Computed on the job executor while the panel shows; a newer request overtakes an older one.
 */
public final class TokenAblationViewModel {
    /** Windows of the run's data whose z is averaged for mean ablation. */
    static final int MEAN_WINDOWS = 64;

    public enum Kind { MEAN, ZERO }

    /**
     * The losses of one input with one head ablated.
     *
     * @param tokens the input's tokens (BOS first where the tokenizer has one)
     * @param clean next-token loss after position i (predicting token i+1), length tokens − 1
     * @param increase ablated − clean at the same positions
     */
    public record Losses(int step, Head head, Kind kind, List<String> tokens, float[] clean,
            float[] increase) {
    }

    private final Selection selection;
    private final LatestRequest request;
    private final ObjectProperty<Kind> kind = new SimpleObjectProperty<>(this, "kind", Kind.MEAN);
    private final ObjectProperty<Losses> losses = new SimpleObjectProperty<>(this, "losses");
    private final StringProperty status = new SimpleStringProperty(this, "status", "No run open");
    private final StringProperty readout = new SimpleStringProperty(this, "readout", "");
    private RunSession session;
    private DatasetSlices slices;

    public TokenAblationViewModel(Selection selection, org.headlab.core.jobs.JobExecutor jobs,
            Consumer<Runnable> uiThread) {
        this.selection = selection;
        this.request = new LatestRequest("per-token ablation", jobs, uiThread).onShownAgain(this::refresh);
        selection.onChange(this::refresh, Selection.Field.HEAD, Selection.Field.STEP, Selection.Field.INPUT);
        kind.addListener((o, a, b) -> refresh());
        selection.followSession(this::setSession); // last: every field is ready for the run
    }

    public ObjectProperty<Kind> kindProperty() {
        return kind;
    }

    /** The shown losses (null: none yet). */
    public ReadOnlyObjectProperty<Losses> lossesProperty() {
        return losses;
    }

    public ReadOnlyStringProperty statusProperty() {
        return status;
    }

    public ReadOnlyStringProperty readoutProperty() {
        return readout;
    }

    private void setSession(RunSession s) {
        session = s;
        slices = s == null ? null : new DatasetSlices(s);
        losses.set(null);
        refresh();
    }

    /** Whether the panel is on screen; hidden, changes only mark it stale (scrubbing never waits for it). */
    public void setActive(boolean on) {
        request.setShown(on);
    }

    public void refresh() {
        if (!request.mayRefresh()) {
            return;
        }
        RunSession s = session;
        DatasetSlices sl = slices;
        Integer step = selection.state().step();
        Head head = selection.head();
        String input = selection.state().input();
        Kind k = kind.get();
        if (s == null || step == null || head == null || input == null || input.isEmpty()) {
            request.invalidate();
            status.set(s == null ? "No run open" : "Type an input");
            return;
        }
        status.set("Ablating head " + head + " at step " + step + " …");
        request.submit(() -> compute(s, sl, step, head, input, k), r -> {
            losses.set(r);
            status.set(describe(r));
        }, failure -> status.set("Not computed: " + LatestRequest.messageOf(failure)));
    }

    /** The per-token losses of {@code input} with {@code head} ablated at {@code step}. */
    public static Losses compute(RunSession s, DatasetSlices slices, int step, Head head, String input,
            Kind kind) {
        RunSession.EncodedInput in = s.encode(input);
        if (in.ids().length < 2) {
            throw new org.headlab.core.HeadLabException("the input needs at least 2 tokens to have a next-token loss");
        }
        Ablation ablation = kind == Kind.ZERO ? new Ablation.Zero() : new Ablation.Mean(reference(s, slices,
                in.ids().length));
        try (Transformer model = Transformer.create(s.run().config(), s.run().weights(step))) {
            AblationResult r = AblationScores.compute(model, new int[][] {in.ids()},
                    List.of(head), ablation, 1);
            return new Losses(step, head, kind, in.tokens(), r.cleanTokenLosses()[0],
                    r.entries().get(0).tokenIncrease()[0]);
        }
    }

    /** Windows of n_ctx tokens of the run's first dataset (Mean cuts them to the input's length). */
    private static int[][] reference(RunSession s, DatasetSlices slices, int length) {
        if (s.run().datasets().isEmpty()) {
            throw new org.headlab.core.HeadLabException("mean ablation averages over the run's data, and this run "
                    + "has no dataset: choose zero ablation");
        }
        DatasetSlices.Slice slice = slices.slice(slices.defaultSlice());
        return slice.windowArray(slice.windowLength(), MEAN_WINDOWS);
    }

    static String describe(Losses r) {
        int worst = 0;
        double total = 0;
        for (int i = 0; i < r.increase().length; i++) {
            total += r.increase()[i];
            if (r.increase()[i] > r.increase()[worst]) {
                worst = i;
            }
        }
        return String.format(Locale.ROOT, "%s-ablating head %s at step %d: mean Δloss %+.4f over %d predictions; "
                + "largest %+.4f predicting '%s' at position %d", r.kind() == Kind.ZERO ? "Zero" : "Mean", r.head(),
                r.step(), total / Math.max(1, r.increase().length), r.increase().length, r.increase()[worst],
                r.tokens().get(worst + 1), worst + 1);
    }

    /**
     * Hover on prediction {@code i} (predicting token i+1 from the tokens up to i); a negative index clears.
     */
    public void hover(int i) {
        Losses r = losses.get();
        if (r == null || i < 0 || i >= r.increase().length) {
            readout.set("");
            return;
        }
        readout.set(String.format(Locale.ROOT, "predicting '%s' (position %d) after '%s': clean %.4f → ablated %.4f"
                + " (%+.4f)", r.tokens().get(i + 1), i + 1, r.tokens().get(i), r.clean()[i],
                r.clean()[i] + r.increase()[i], r.increase()[i]));
    }

}
