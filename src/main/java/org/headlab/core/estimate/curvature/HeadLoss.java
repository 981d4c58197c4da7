package org.headlab.core.estimate.curvature;

import java.util.Map;
import java.util.function.BooleanSupplier;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.EstimatorContext;
import org.headlab.core.estimate.Parameter;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.jobs.CancellationToken;
import org.headlab.core.model.ParameterMask;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;

/**
 * What every curvature estimator of a head differentiates: the loss on the first windows of the task's slice, at the
 * task's checkpoint, restricted to the head's W_Q/W_K/W_V/W_O slices (no biases, as the rLLC's default).
 */
record HeadLoss(ModelConfig config, Map<String, HostTensor> weights, ParameterMask mask, int[][] windows) {

    static HeadLoss of(EstimatorContext ctx, TaskSpec task, Parameter<Integer> sequences) {
        ModelConfig config = ctx.run().config();
        DatasetSlices.Slice slice = ctx.slice(task.dataset());
        int[][] windows = slice.windowArray(slice.windowLength(), task.params().get(sequences));
        if (windows.length == 0) {
            throw new HeadLabException("slice '" + slice.name() + "' has no window to evaluate the loss on");
        }
        return new HeadLoss(config, ctx.run().weights(task.step()), ParameterMask.head(config,
                task.target().layer(), task.target().head(), false), windows);
    }

    MaskedGradient gradient() {
        return new MaskedGradient(config, weights, mask, windows);
    }

    /** The estimators' cancellation check: throws once cancelled, else "not cancelled". */
    static BooleanSupplier checking(CancellationToken cancel) {
        return () -> {
            cancel.checkpoint();
            return false;
        };
    }
}
