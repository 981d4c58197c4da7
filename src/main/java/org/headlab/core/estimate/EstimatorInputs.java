package org.headlab.core.estimate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.headlab.core.HeadLabException;
import org.headlab.core.data.RepeatedTokenGenerator;
import org.headlab.core.data.RepeatedTokens;
import org.headlab.core.data.TokenStructure;
import org.headlab.core.estimate.patterns.PatternData;
import org.headlab.core.run.DatasetRef;
import org.headlab.core.session.InputKind;
import org.headlab.core.session.RunSession;

/**
 * The inputs the estimators run on, built from an opened run: an evaluation slice of one of its datasets (packed
 * windows of equal length, as the trainer makes them: BOS first), and the generated data of the pattern scores.
 */
public final class EstimatorInputs {
    private EstimatorInputs() {
    }

    /**
     * Up to {@code maxSequences} windows of dataset {@code name} (null: the run's first dataset), packed by
     * {@link DatasetSlices#windows} into {@code length} tokens each ({@code length} null: n_ctx): documents BOS first,
     * back to back, long ones chunked, so the windows are equally long without cutting to the shortest document.
     */
    public static int[][] slice(RunSession session, String name, int maxSequences, Integer length) {
        List<DatasetRef> datasets = session.run().datasets();
        if (datasets.isEmpty()) {
            throw new HeadLabException("run '" + session.run().name() + "' has no dataset to evaluate on");
        }
        String ds = name != null ? session.run().dataset(name).name() : datasets.get(0).name();
        if (maxSequences < 1) {
            throw new HeadLabException("the slice needs at least 1 sequence, got " + maxSequences);
        }
        return DatasetSlices.windows(session, ds, length, maxSequences);
    }

    /** Pattern-score data and where the depth-tracking sequences came from. */
    public record Patterns(PatternData data, String depthTrackingOn) {
    }

    /**
     * The pattern data: {@code text} as the text sequences, {@code count} repeated-random-token sequences (half length
     * up to 20, fitting the context), {@code count} generated Dyck strings (none if the tokenizer has no brackets) and
     * {@code count} generated S-expressions for depth tracking; when the tokenizer cannot encode S-expressions, depth
     * tracking runs on the Dyck strings instead (reported in {@link Patterns#depthTrackingOn()}).
     */
    public static Patterns patterns(RunSession session, int[][] text, int count, long seed, double[][] custom) {
        int nCtx = session.run().config().nCtx();
        int prefix = session.tokenizer().bosId() >= 0 ? 1 : 0;
        int half = Math.max(1, Math.min(20, (nCtx - prefix) / 2));
        List<RepeatedTokens> rep = RepeatedTokenGenerator.forTokenizer(session.tokenizer(), half).generate(seed, count);
        List<PatternData.Structured> dyck = generated(session, InputKind.DYCK, count, seed);
        List<PatternData.Structured> sexpr = generated(session, InputKind.SEXPR, count, seed);
        String on = "sexpressions";
        if (sexpr.isEmpty()) {
            sexpr = dyck;
            on = dyck.isEmpty() ? "none" : "dyck";
        }
        return new Patterns(new PatternData(Arrays.asList(text), rep, dyck, sexpr, custom), on);
    }

    private static List<PatternData.Structured> generated(RunSession session, InputKind kind, int count, long seed) {
        List<PatternData.Structured> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            try {
                RunSession.EncodedInput in = session.encode(session.generateInput(kind, seed + 1000L * i));
                out.add(new PatternData.Structured(in.ids(), TokenStructure.of(in.tokens())));
            } catch (HeadLabException e) {
                if (out.isEmpty() && i >= 3) {
                    return out; // this tokenizer cannot encode this kind
                }
            }
        }
        return out;
    }
}
