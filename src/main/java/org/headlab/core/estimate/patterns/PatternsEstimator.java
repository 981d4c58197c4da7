package org.headlab.core.estimate.patterns;

import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.Estimator;
import org.headlab.core.estimate.EstimatorContext;
import org.headlab.core.estimate.EstimatorInputs;
import org.headlab.core.estimate.EstimatorResult;
import org.headlab.core.estimate.Parameter;
import org.headlab.core.estimate.ParameterSet;
import org.headlab.core.estimate.Params;
import org.headlab.core.estimate.Scope;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.jobs.CancellationToken;
import org.headlab.core.model.Transformer;

/**
 * The SPI face of {@link PatternScores} (MODEL scope: one pass of the attention patterns scores every head). The
 * text scores run on the first {@code sequences} windows of the slice ({@code length} tokens, 0 = n_ctx); the
 * generated data ({@link EstimatorInputs#patterns}) is {@code sequences} sequences of each kind from {@code seed}.
 *
 * <p>Metrics: {@code patterns/previous_token}, {@code /current_token}, {@code /induction},
 * {@code /bracket_matching}, {@code /depth_tracking}, each an [L][H] array flattened row-major (index l·H + h;
 * NaN where a score has no data).
 */
public final class PatternsEstimator implements Estimator {
    public static final Parameter<Integer> SEQUENCES = Parameter.integer("sequences", 64, 1, 1_000_000,
            "dataset windows, and generated sequences of each kind");
    public static final Parameter<Integer> LENGTH = Parameter.integer("length", 0, 0, 1_000_000,
            "window length in tokens (0 = n_ctx)");
    public static final Parameter<Integer> SEED = Parameter.integer("seed", 0, 0, Integer.MAX_VALUE,
            "seed of the generated data");

    @Override
    public String id() {
        return "patterns";
    }

    @Override
    public String description() {
        return "attention-pattern scores of every head (previous/current token, induction, brackets, depth)";
    }

    @Override
    public Scope scope() {
        return Scope.MODEL;
    }

    @Override
    public ParameterSet parameters() {
        return ParameterSet.of(SEQUENCES, LENGTH, SEED);
    }

    @Override
    public boolean usesDataset() {
        return true;
    }

    /** The windows a task scores the text patterns on. */
    public static int[][] windows(DatasetSlices.Slice slice, int nCtx, Params p) {
        int length = p.get(LENGTH) == 0 ? nCtx : p.get(LENGTH);
        if (length < 2 || length > nCtx) {
            throw new HeadLabException("patterns length " + length + " must be in 2..n_ctx = " + nCtx);
        }
        return slice.windowArray(length, p.get(SEQUENCES));
    }

    @Override
    public EstimatorResult evaluate(EstimatorContext ctx, TaskSpec task, CancellationToken cancel) {
        cancel.checkpoint();
        Params p = task.params();
        int[][] text = windows(ctx.slice(task.dataset()), ctx.run().config().nCtx(), p);
        PatternData data = EstimatorInputs.patterns(ctx.session(), text, p.get(SEQUENCES), p.get(SEED), null).data();
        cancel.checkpoint();
        Transformer model = ctx.model(task.step());
        PatternScores.Result r = PatternScores.compute(model, data);
        return EstimatorResult.builder()
                .put(PatternMetrics.PREVIOUS_TOKEN, flat(r.previousToken()))
                .put(PatternMetrics.CURRENT_TOKEN, flat(r.currentToken()))
                .put(PatternMetrics.INDUCTION, flat(r.induction()))
                .put(PatternMetrics.BRACKET_MATCHING, flat(r.bracketMatching()))
                .put(PatternMetrics.DEPTH_TRACKING, flat(r.depthTracking()))
                .put(PatternMetrics.MULTIGRAM, flat(r.multigram()))
                .build();
    }

    /** [L][H] row-major. */
    public static double[] flat(double[][] a) {
        int h = a.length == 0 ? 0 : a[0].length;
        double[] out = new double[a.length * h];
        for (int l = 0; l < a.length; l++) {
            System.arraycopy(a[l], 0, out, l * h, h);
        }
        return out;
    }
}
