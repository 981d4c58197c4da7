package org.headlab.core.estimate.weights;

import java.util.Map;
import org.headlab.core.estimate.Estimator;
import org.headlab.core.estimate.EstimatorContext;
import org.headlab.core.estimate.EstimatorResult;
import org.headlab.core.estimate.ParameterSet;
import org.headlab.core.estimate.Scope;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.jobs.CancellationToken;
import org.headlab.core.run.HostTensor;

/**
 * Frobenius norms of one head's W_Q, W_K, W_V, W_O at a checkpoint: the cheapest per-head trajectory there is
 * (weight growth often marks a head's formation), computed on the host without native memory.
 *
 * <p>Metrics: {@code weight_norm/q}, {@code /k}, {@code /v}, {@code /o}.
 */
public final class WeightNormEstimator implements Estimator {
    public static final String ID = "weight_norm";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Frobenius norms of a head's W_Q, W_K, W_V, W_O";
    }

    @Override
    public Scope scope() {
        return Scope.HEAD;
    }

    @Override
    public ParameterSet parameters() {
        return ParameterSet.none();
    }

    @Override
    public boolean usesDataset() {
        return false;
    }

    @Override
    public EstimatorResult evaluate(EstimatorContext ctx, TaskSpec task, CancellationToken cancel) {
        cancel.checkpoint();
        Map<String, HostTensor> w = ctx.run().weights(task.step());
        int layer = task.target().layer();
        int head = task.target().head();
        EstimatorResult.Builder r = EstimatorResult.builder();
        for (String m : new String[] {"Q", "K", "V", "O"}) {
            r.put(WeightNormMetrics.of(m),
                    headNorm(w.get("blocks." + layer + ".attn.W_" + m), head));
        }
        return r.build();
    }

    /** The norm of slice [head] of a [n_heads, a, b] tensor. */
    static double headNorm(HostTensor t, int head) {
        int per = t.size() / t.dim(0);
        float[] d = t.data();
        double s = 0;
        for (int i = head * per; i < (head + 1) * per; i++) {
            s += (double) d[i] * d[i];
        }
        return Math.sqrt(s);
    }
}
