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
 * The Fisher trace restricted to one head's W_Q/W_K/W_V/W_O slices ({@link FisherTrace}) on the first
 * {@code sequences} windows of a slice: empirical (the data's labels, the default) or the model's own
 * ({@code labels=model}: labels drawn from its predictions, {@code label_samples} per window).
 *
 * <p>Metrics: {@code fisher_trace/mean}, {@code fisher_trace/std} (its standard error over sequences),
 * {@code fisher_trace/sequences}.
 */
public final class FisherTraceEstimator implements Estimator {
    public static final String ID = "fisher_trace";
    public static final Parameter<Integer> SEQUENCES = Parameter.integer("sequences", 64, 1, 100_000,
            "windows of the slice, one gradient each");
    /** Keyed only when not data: results stored before the model Fisher existed keep their keys. */
    public static final Parameter<String> LABELS = Parameter.choice("labels", "data", java.util.List.of("data",
            "model"), "data: the empirical Fisher; model: labels drawn from the model's predictions")
            .keyedOnlyWhenChanged();
    public static final Parameter<Integer> LABEL_SAMPLES = Parameter.integer("label_samples", 1, 1, 10_000,
            "label sequences drawn per window (labels=model)").keyedOnlyWhenChanged();
    public static final Parameter<Integer> SEED = Parameter.integer("seed", 0, 0, Integer.MAX_VALUE,
            "seed of the drawn labels (labels=model)").keyedOnlyWhenChanged();

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Fisher trace restricted to a head's weights (mean squared per-sequence gradient norm; empirical or"
                + " the model's own)";
    }

    @Override
    public Scope scope() {
        return Scope.HEAD;
    }

    @Override
    public ParameterSet parameters() {
        return ParameterSet.of(SEQUENCES, LABELS, LABEL_SAMPLES, SEED);
    }

    @Override
    public boolean usesDataset() {
        return true;
    }

    @Override
    public EstimatorResult evaluate(EstimatorContext ctx, TaskSpec task, CancellationToken cancel) {
        cancel.checkpoint();
        HeadLoss loss = HeadLoss.of(ctx, task, SEQUENCES);
        FisherTrace.Result r = "model".equals(task.params().get(LABELS))
                ? FisherTrace.model(loss.config(), loss.weights(), loss.mask(), loss.windows(),
                        task.params().get(LABEL_SAMPLES), task.params().get(SEED), HeadLoss.checking(cancel))
                : FisherTrace.empirical(loss.config(), loss.weights(), loss.mask(), loss.windows(),
                        HeadLoss.checking(cancel));
        return EstimatorResult.builder()
                .put(CurvatureMetrics.FISHER_TRACE_MEAN, r.trace())
                .put(CurvatureMetrics.FISHER_TRACE_STD, r.standardError())
                .put(CurvatureMetrics.FISHER_TRACE_SEQUENCES, (long) loss.windows().length)
                .build();
    }
}
