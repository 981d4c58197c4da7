package org.headlab.core.estimate.curvature;

import java.util.function.BooleanSupplier;
import org.headlab.core.HeadLabException;
import org.headlab.core.model.LossAndGradients;
import org.headlab.core.model.ParameterMask;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;

/**
 * The trace of the Fisher information restricted to a mask, empirical ({@link #empirical}: the data's labels) or the
 * model's own ({@link #model}: labels drawn from its predictions). Empirical: the mean over sequences s of ‖∇ℓ_s‖², ℓ_s the
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
        require(mask, sequences);
        double[] sq = new double[sequences.length];
        try (Transformer t = Transformer.create(config, weights)) {
            for (int s = 0; s < sequences.length; s++) {
                checkCancelled(cancelled);
                sq[s] = squaredNorm(t.lossAndGradients(new int[][] {sequences[s]}, mask), mask, s);
            }
        }
        return summary(sq);
    }

    /**
     * The trace of the model's own Fisher information restricted to a mask: the mean over sequences s and over
     * {@code samples} label sequences y drawn from the model's predictions at w (every position's label from its
     * softmax, independently) of ‖∇ℓ_s(y)‖², ℓ_s(y) the mean loss of predicting y. Unlike the empirical Fisher it
     * does not depend on the data's labels (Kunstner, Balles and Hennig 2019 on the difference); E_y[∇ℓ_s(y)] = 0, so
     * this is the trace of the covariance of the score. With its standard error over sequences.
     */
    public static Result model(ModelConfig config, java.util.Map<String, HostTensor> weights, ParameterMask mask,
            int[][] sequences, int samples, long seed, BooleanSupplier cancelled) {
        require(mask, sequences);
        if (samples < 1) {
            throw new HeadLabException("label samples must be ≥ 1, not " + samples);
        }
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        double[] sq = new double[sequences.length];
        try (Transformer t = Transformer.create(config, weights)) {
            for (int s = 0; s < sequences.length; s++) {
                float[][] logits = t.forward(new int[][] {sequences[s]}).logits()[0];
                double sum = 0;
                for (int k = 0; k < samples; k++) {
                    checkCancelled(cancelled);
                    int[] y = new int[sequences[s].length - 1];
                    for (int i = 0; i < y.length; i++) {
                        y[i] = sample(logits[i], rng);
                    }
                    sum += squaredNorm(t.lossAndGradients(new int[][] {sequences[s]}, new int[][] {y}, mask, null),
                            mask, s);
                }
                sq[s] = sum / samples;
            }
        }
        return summary(sq);
    }

    /** A token drawn from softmax(logits). */
    static int sample(float[] logits, java.util.SplittableRandom rng) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[logits.length];
        double z = 0;
        for (int v = 0; v < p.length; v++) {
            p[v] = Math.exp(logits[v] - max);
            z += p[v];
        }
        double u = rng.nextDouble() * z;
        for (int v = 0; v < p.length; v++) {
            u -= p[v];
            if (u < 0) {
                return v;
            }
        }
        return p.length - 1;
    }

    private static void require(ParameterMask mask, int[][] sequences) {
        if (mask.isEmpty()) {
            throw new HeadLabException("the parameter mask selects nothing to differentiate");
        }
        if (sequences.length == 0) {
            throw new HeadLabException("no sequences to evaluate the loss on");
        }
    }

    private static void checkCancelled(BooleanSupplier cancelled) {
        if (cancelled.getAsBoolean()) {
            throw new java.util.concurrent.CancellationException("fisher trace cancelled");
        }
    }

    /** ‖g‖² over the masked coordinates of one sequence's gradient. */
    static double squaredNorm(LossAndGradients g, ParameterMask mask, int sequence) {
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
            throw new HeadLabException("the gradient of sequence " + sequence + " is not finite");
        }
        return norm;
    }

    private static Result summary(double[] sq) {
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
