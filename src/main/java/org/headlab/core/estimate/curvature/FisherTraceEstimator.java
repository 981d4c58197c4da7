package org.headlab.core.estimate.curvature;

import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.Estimator;
import org.headlab.core.estimate.EstimatorContext;
import org.headlab.core.estimate.EstimatorResult;
import org.headlab.core.estimate.Parameter;
import org.headlab.core.estimate.ParameterSet;
import org.headlab.core.estimate.Scope;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.jobs.CancellationToken;
import org.headlab.core.model.ParameterMask;
import org.headlab.core.run.ModelConfig;

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
        ModelConfig config = ctx.run().config();
        DatasetSlices.Slice slice = ctx.slice(task.dataset());
        int[][] windows = slice.windowArray(slice.windowLength(), task.params().get(SEQUENCES));
        if (windows.length == 0) {
            throw new HeadLabException("slice '" + slice.name() + "' has no window to evaluate the loss on");
        }
        FisherTrace.Result r = FisherTrace.empirical(config, ctx.run().weights(task.step()),
                ParameterMask.head(config, task.target().layer(), task.target().head(), false), windows, () -> {
                    cancel.checkpoint();
                    return false;
                });
        return EstimatorResult.builder()
                .put(ID + "/mean", r.trace())
                .put(ID + "/std", r.standardError())
                .put(ID + "/sequences", (long) windows.length)
                .build();
    }
}
