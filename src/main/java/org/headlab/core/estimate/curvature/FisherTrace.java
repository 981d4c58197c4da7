package org.headlab.core.estimate.curvature;

import java.util.function.BooleanSupplier;
import org.headlab.core.HeadLabException;
import org.headlab.core.model.LossAndGradients;
import org.headlab.core.model.ParameterMask;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;

/**
 * The trace of the empirical Fisher information restricted to a mask: the mean over sequences s of ‖∇ℓ_s‖², ℓ_s the
 * mean next-token loss of sequence s and the gradient taken over the masked coordinates only (the per-sequence
 * version of the paper's Appendix D baseline; its per-token version would weigh long sequences more). With its
 * standard error over sequences.
 */
public final class FisherTrace {
    /** The trace, its standard error over sequences, and the per-sequence squared norms. */
    public record Result(double trace, double standardError, double[] perSequence) {
    }

    private FisherTrace() {
    }

    public static Result empirical(ModelConfig config, java.util.Map<String, HostTensor> weights, ParameterMask mask,
            int[][] sequences, BooleanSupplier cancelled) {
        if (mask.isEmpty()) {
            throw new HeadLabException("the parameter mask selects nothing to differentiate");
        }
        if (sequences.length == 0) {
            throw new HeadLabException("no sequences to evaluate the loss on");
        }
        double[] sq = new double[sequences.length];
        try (Transformer t = Transformer.create(config, weights)) {
            for (int s = 0; s < sequences.length; s++) {
                if (cancelled.getAsBoolean()) {
                    throw new java.util.concurrent.CancellationException("fisher trace cancelled");
                }
                LossAndGradients g = t.lossAndGradients(new int[][] {sequences[s]}, mask);
                double norm = 0;
                for (String name : mask.parameterNames()) {
                    HostTensor grad = g.gradient(name);
                    if (grad == null) {
                        continue;
                    }
                    float[] m = mask.mask(name).data();
                    float[] d = grad.data();
                    for (int i = 0; i < d.length; i++) {
                        if (m[i] != 0) {
                            norm += (double) d[i] * d[i];
                        }
                    }
                }
                if (!Double.isFinite(norm)) {
                    throw new HeadLabException("the gradient of sequence " + s + " is not finite");
                }
                sq[s] = norm;
            }
        }
        double mean = 0;
        for (double v : sq) {
            mean += v;
        }
        mean /= sq.length;
        double var = 0;
        for (double v : sq) {
            var += (v - mean) * (v - mean);
        }
        double se = sq.length > 1 ? Math.sqrt(var / (sq.length - 1) / sq.length) : Double.NaN;
        return new Result(mean, se, sq);
    }
}
