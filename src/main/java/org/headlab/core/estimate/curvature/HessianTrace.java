package org.headlab.core.estimate.curvature;

import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * Hutchinson's estimator of the trace of the loss Hessian restricted to a mask (PyHessian, Yao et al. 2020): the
 * mean of vᵀHv over Rademacher probes v (E[vᵀHv] = tr H), stopped once the running mean changes by less than
 * {@code tol} relative to itself (PyHessian: at most 100 probes, tol 1e-3), with the standard error of the mean.
 */
public final class HessianTrace {
    /**
     * The central-difference step per coordinate. float32 gradients carry a relative rounding of ~6e-8, so the
     * difference quotient's rounding error is ~6e-8·|g| / h while its truncation error is ~h²·|g'''|; h = 1e-3
     * balances the two for weights and gradients of order 0.1–1 (the exact-Hessian test holds it to 1e-3 relative).
     */
    public static final double DEFAULT_STEP = 1e-3;
    /** Probes before the stopping rule may stop (a running mean of fewer is too noisy to judge). */
    public static final int MIN_PROBES = 10;

    /** The estimate: the trace, its standard error, the probes used and whether the tolerance was met. */
    public record Result(double trace, double standardError, int probes, boolean converged, double[] samples) {
    }

    private HessianTrace() {
    }

    /**
     * @param hv v ↦ H·v on {@code n} coordinates (e.g. {@link MaskedGradient#hessianTimes(double[], double)})
     */
    public static Result hutchinson(UnaryOperator<double[]> hv, int n, int maxProbes, double tol, long seed,
            BooleanSupplier cancelled) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] samples = new double[maxProbes];
        double sum = 0;
        double previous = Double.NaN;
        int k = 0;
        boolean converged = false;
        while (k < maxProbes) {
            if (cancelled.getAsBoolean()) {
                throw new java.util.concurrent.CancellationException("hessian trace cancelled");
            }
            double[] v = new double[n];
            for (int i = 0; i < v.length; i++) {
                v[i] = rng.nextBoolean() ? 1 : -1;
            }
            double[] product = hv.apply(v);
            double s = 0;
            for (int i = 0; i < v.length; i++) {
                s += v[i] * product[i];
            }
            samples[k++] = s;
            sum += s;
            double mean = sum / k;
            if (k >= MIN_PROBES && Math.abs(mean - previous) / (Math.abs(previous) + 1e-6) < tol) {
                converged = true;
                break;
            }
            previous = mean;
        }
        double mean = sum / k;
        double var = 0;
        for (int i = 0; i < k; i++) {
            var += (samples[i] - mean) * (samples[i] - mean);
        }
        double se = k > 1 ? Math.sqrt(var / (k - 1) / k) : Double.NaN;
        return new Result(mean, se, k, converged, java.util.Arrays.copyOf(samples, k));
    }
}
