package org.headlab.core.estimate.loss;

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
import org.headlab.core.model.Transformer;

/**
 * The clean next-token loss of one checkpoint on a dataset slice: the mean cross-entropy over every predicted
 * token of the slice's n_ctx windows ({@link DatasetSlices.Slice#windows()}: documents packed BOS first, as the
 * trainer saw them).
 *
 * <p>Metrics: {@code loss/mean} (token-weighted), {@code loss/tokens} (how many predictions), and
 * {@code loss/per_window} (each window's mean, in slice order).
 */
public final class LossEstimator implements Estimator {
    public static final String ID = "loss";
    public static final Parameter<Integer> MAX_SEQUENCES = Parameter.integer("max_sequences", 0, 0, 1_000_000,
            "use only the first N n_ctx windows of the slice (0 = all)");
    static final int BATCH = 64;

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "clean next-token loss of a checkpoint on a dataset slice";
    }

    @Override
    public Scope scope() {
        return Scope.MODEL;
    }

    @Override
    public ParameterSet parameters() {
        return ParameterSet.of(MAX_SEQUENCES);
    }

    @Override
    public boolean usesDataset() {
        return true;
    }

    @Override
    public EstimatorResult evaluate(EstimatorContext ctx, TaskSpec task, CancellationToken cancel) {
        DatasetSlices.Slice slice = ctx.slice(task.dataset());
        int max = task.params().get(MAX_SEQUENCES);
        int[][] windows = slice.windowArray(slice.windowLength(), max);
        if (windows.length == 0 || windows[0].length < 2) {
            throw new HeadLabException("dataset '" + slice.name() + "' has no window of two or more tokens to"
                    + " compute a next-token loss on");
        }
        double[] perWindow = new double[windows.length];
        double sum = 0;
        long tokens = 0;
        Transformer model = ctx.model(task.step());
        for (int from = 0; from < windows.length; from += BATCH) {
            cancel.checkpoint();
            int[][] batch = java.util.Arrays.copyOfRange(windows, from, Math.min(windows.length, from + BATCH));
            float[][] losses = model.tokenLosses(batch);
            for (int b = 0; b < batch.length; b++) {
                double s = 0;
                for (float l : losses[b]) {
                    s += l;
                }
                perWindow[from + b] = s / losses[b].length;
                sum += s;
                tokens += losses[b].length;
            }
        }
        return EstimatorResult.builder()
                .put(LossMetrics.MEAN, sum / tokens)
                .put(LossMetrics.TOKENS, tokens)
                .put(LossMetrics.PER_WINDOW, perWindow)
                .build();
    }
}
