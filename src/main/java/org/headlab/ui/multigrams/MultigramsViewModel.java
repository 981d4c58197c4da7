package org.headlab.ui.multigrams;

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
import org.headlab.core.HeadLabException;
import org.headlab.core.analysis.MemorisedMultigrams;
import org.headlab.core.analysis.Multigrams;
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
 * The selected head's multigrams at the selected checkpoint, on windows of a dataset slice (the paper's Appendix B,
 * per head): the token pairs it attends along ({@link Multigrams}: key → query, count against a random-key baseline)
 * and the memorised predictions its mean ablation destroys ({@link MemorisedMultigrams}), each with its context from
 * the data. Choosing an example makes it the input, so the attention map shows the head on it. Computed on the job
 * executor while the panel shows; a newer request overtakes an older one.
 */
public final class MultigramsViewModel {
    /** Windows of the slice: enough for frequent pairs, a few seconds on the lm run. */
    static final int WINDOWS = 32;
    /** Rows kept per table. */
    static final int ROWS = 40;

    /** One memorised prediction: its kind, the multigram in words, the loss increase, its context in the data. */
    public record Event(String kind, String multigram, double cleanLoss, double increase, String context) {
    }

    /** What the panel shows for one head, step and slice. */
    public record Result(int step, Head head, String slice, int windows, Multigrams.Result attended,
            MemorisedMultigrams.HeadCount memorised, List<Event> events) {
    }

    private final Selection selection;
    private final LatestRequest request;
    private final ObservableList<String> slices = FXCollections.observableArrayList();
    private final ObjectProperty<String> slice = new SimpleObjectProperty<>(this, "slice");
    private final ObjectProperty<Result> result = new SimpleObjectProperty<>(this, "result");
    private final StringProperty status = new SimpleStringProperty(this, "status", "No run open");
    private RunSession session;
    private DatasetSlices datasetSlices;

    public MultigramsViewModel(Selection selection, org.headlab.core.jobs.JobExecutor jobs,
            Consumer<Runnable> uiThread) {
        this.selection = selection;
        this.request = new LatestRequest("multigrams", jobs, uiThread).onShownAgain(this::refresh);
        selection.onChange(this::refresh, Selection.Field.HEAD, Selection.Field.STEP);
        slice.addListener((o, a, b) -> refresh());
        selection.followSession(this::setSession); // last: every field is ready for the run
    }

    public ObservableList<String> slices() {
        return slices;
    }

    public ObjectProperty<String> sliceProperty() {
        return slice;
    }

    /** The shown result (null: none yet). */
    public ReadOnlyObjectProperty<Result> resultProperty() {
        return result;
    }

    public ReadOnlyStringProperty statusProperty() {
        return status;
    }

    private void setSession(RunSession s) {
        session = s;
        datasetSlices = s == null ? null : new DatasetSlices(s);
        result.set(null);
        slices.setAll(s == null ? List.of() : s.run().datasets().stream().map(d -> d.name()).toList());
        String keep = slice.get();
        if (keep == null || !slices.contains(keep)) {
            slice.set(datasetSlices == null || slices.isEmpty() ? null : datasetSlices.defaultSlice());
        }
        refresh();
    }

    /** Whether the panel is on screen; hidden, changes only mark it stale. */
    public void setActive(boolean on) {
        request.setShown(on);
    }

    public void refresh() {
        if (!request.mayRefresh()) {
            return;
        }
        RunSession s = session;
        DatasetSlices ds = datasetSlices;
        Integer step = selection.state().step();
        Head head = selection.head();
        String sl = slice.get();
        if (s == null || step == null || sl == null) {
            request.invalidate();
            status.set(s == null ? "No run open" : sl == null ? "This run has no dataset to count on" : "");
            return;
        }
        status.set("Counting head " + head + "'s multigrams at step " + step + " on '" + sl + "' …");
        request.submit(() -> compute(s, ds, step, head, sl, WINDOWS), r -> {
            result.set(r);
            status.set(describe(r));
        }, failure -> status.set("Not computed: " + LatestRequest.messageOf(failure)));
    }

    /** The head's attended pairs and memorised predictions on the first {@code windows} windows of the slice. */
    public static Result compute(RunSession s, DatasetSlices slices, int step, Head head, String sliceName,
            int windows) {
        DatasetSlices.Slice sl = slices.slice(sliceName);
        int[][] w = sl.windowArray(sl.windowLength(), windows);
        if (w.length == 0) {
            throw new HeadLabException("slice '" + sliceName + "' has no window to count on");
        }
        List<List<String>> tokens = new ArrayList<>();
        List<float[][]> patterns = new ArrayList<>();
        AblationResult ablation;
        try (Transformer t = Transformer.create(s.run().config(), s.run().weights(step))) {
            for (int[] ids : w) {
                tokens.add(s.tokenizer().tokenStrings(ids));
                patterns.add(t.attentionPatterns(ids)[head.layer()][head.head()]);
            }
            ablation = AblationScores.compute(t, w, List.of(head), new Ablation.Mean(null), 16);
        }
        MemorisedMultigrams m = new MemorisedMultigrams(w, s.vocabulary(), MemorisedMultigrams.Settings.DEFAULT);
        MemorisedMultigrams.HeadCount count = m.count(ablation.cleanTokenLosses(),
                ablation.entries().get(0).tokenIncrease(), ROWS);
        List<Event> events = new ArrayList<>();
        for (MemorisedMultigrams.Event e : count.top()) {
            List<String> t = tokens.get(e.window());
            int target = e.position() + 1;
            String context = String.join("", t.subList(Math.max(1, target - 12), target)) + "⟦" + t.get(target) + "⟧";
            events.add(new Event(e.multigram().kind().name().toLowerCase(Locale.ROOT).replace('_', ' '),
                    m.describe(e.multigram()), e.cleanLoss(), e.increase(), context));
        }
        return new Result(step, head, sliceName, w.length, Multigrams.count(tokens, patterns), count, events);
    }

    static String describe(Result r) {
        MemorisedMultigrams.HeadCount c = r.memorised();
        return String.format(Locale.ROOT, "Head %s at step %d, %d windows of '%s': %d query positions (%.0f %% rest on"
                + " the first); %d memorised predictions its mean ablation destroys (%d induction, %d Dyck, %d n-gram,"
                + " %d skip n-gram, %d other), %d distinct memorised multigrams", r.head(), r.step(), r.windows(),
                r.slice(), r.attended().queries(), 100.0 * r.attended().restingOnFirst()
                        / Math.max(1, r.attended().queries()), c.total(),
                c.events().get(MemorisedMultigrams.Kind.INDUCTION), c.events().get(MemorisedMultigrams.Kind.DYCK),
                c.events().get(MemorisedMultigrams.Kind.NGRAM), c.events().get(MemorisedMultigrams.Kind.SKIP_NGRAM),
                c.events().get(MemorisedMultigrams.Kind.OTHER), c.multigrams());
    }

    /** Makes an example's text the input, so the attention map and the arcs show the head on it. */
    public void showExample(String text) {
        if (text != null && !text.isBlank()) {
            selection.inputProperty().set(text.replace("⟦", "").replace("⟧", ""));
        }
    }
}
