package org.headlab.core.estimate.curvature;

import org.headlab.core.estimate.Estimator;
import org.headlab.core.estimate.EstimatorContext;
import org.headlab.core.estimate.EstimatorResult;
import org.headlab.core.estimate.Parameter;
import org.headlab.core.estimate.ParameterSet;
import org.headlab.core.estimate.Scope;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.jobs.CancellationToken;

/**
 * The empirical Fisher trace restricted to one head's W_Q/W_K/W_V/W_O slices ({@link FisherTrace}) on the first
 * {@code sequences} windows of a slice.
 *
 * <p>Metrics: {@code fisher_trace/mean}, {@code fisher_trace/std} (its standard error over sequences),
 * {@code fisher_trace/sequences}.
 */
public final class FisherTraceEstimator implements Estimator {
    public static final String ID = "fisher_trace";
    public static final Parameter<Integer> SEQUENCES = Parameter.integer("sequences", 64, 1, 100_000,
            "windows of the slice, one gradient each");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "empirical Fisher trace restricted to a head's weights (mean squared per-sequence gradient norm)";
    }

    @Override
    public Scope scope() {
        return Scope.HEAD;
    }

    @Override
    public ParameterSet parameters() {
        return ParameterSet.of(SEQUENCES);
    }

    @Override
    public boolean usesDataset() {
        return true;
    }

    @Override
    public EstimatorResult evaluate(EstimatorContext ctx, TaskSpec task, CancellationToken cancel) {
        cancel.checkpoint();
        HeadLoss loss = HeadLoss.of(ctx, task, SEQUENCES);
        FisherTrace.Result r = FisherTrace.empirical(loss.config(), loss.weights(), loss.mask(), loss.windows(),
                HeadLoss.checking(cancel));
        return EstimatorResult.builder()
                .put(ID + "/mean", r.trace())
                .put(ID + "/std", r.standardError())
                .put(ID + "/sequences", (long) loss.windows().length)
                .build();
    }
}
