package org.headlab.core.estimate.curvature;

import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * The spectrum of the loss Hessian restricted to a mask, from Hessian-vector products only: stochastic Lanczos
 * quadrature (Ghorbani, Krishnan and Xiao 2019; PyHessian's density): for each normalised Rademacher probe, m Lanczos
 * steps with full reorthogonalisation give a tridiagonal T whose eigenvalues θ_j (Ritz values) and squared first
 * eigenvector components τ_j are a quadrature of the spectral measure; averaged over probes, n·Σ τ_j·[θ_j in a
 * set] estimates how many eigenvalues lie in it. The top eigenvalue is the largest Ritz value over the probes. The
 * rank (eigenvalues that are not zero) is counted two ways, as the paper discusses: |λ| above a fixed threshold, and
 * |λ| above a fraction of the top eigenvalue.
 */
public final class HessianSpectrum {

    /** The estimate: top eigenvalue, the two ranks, the quadrature nodes and weights (all probes), probes, steps. */
    public record Result(double topEigenvalue, double rankAboveThreshold, double rankAboveFraction, double[] nodes,
            double[] weights, int probes, int steps, int dimension) {
    }

    private HessianSpectrum() {
    }

    /**
     * @param hv any symmetric operator on {@code n} coordinates (v ↦ H·v; e.g.
     *     {@link MaskedGradient#hessianTimes(double[], double)})
     * @param steps Lanczos steps per probe (at most the dimension)
     * @param threshold the fixed threshold on eigenvalues
     * @param fraction the threshold relative to the top eigenvalue
     */
    public static Result lanczos(java.util.function.UnaryOperator<double[]> hv, int n, int probes, int steps,
            double threshold, double fraction, long seed, BooleanSupplier cancelled) {
        int m = Math.min(steps, n);
        SplittableRandom rng = new SplittableRandom(seed);
        double[] nodes = new double[probes * m];
        double[] weights = new double[probes * m];
        int used = 0;
        double top = Double.NEGATIVE_INFINITY;
        for (int p = 0; p < probes; p++) {
            double[][] basis = new double[m][];
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = (rng.nextBoolean() ? 1 : -1) / Math.sqrt(n);
            }
            double[] alpha = new double[m];
            double[] beta = new double[m];
            int k = 0;
            for (; k < m; k++) {
                if (cancelled.getAsBoolean()) {
                    throw new java.util.concurrent.CancellationException("hessian spectrum cancelled");
                }
                basis[k] = v;
                double[] w = hv.apply(v);
                alpha[k] = dot(w, v);
                // full reorthogonalisation against every basis vector so far (twice: classical Gram–Schmidt)
                for (int pass = 0; pass < 2; pass++) {
                    for (int j = 0; j <= k; j++) {
                        double c = dot(w, basis[j]);
                        for (int i = 0; i < n; i++) {
                            w[i] -= c * basis[j][i];
                        }
                    }
                }
                double b = Math.sqrt(dot(w, w));
                if (k + 1 < m) {
                    beta[k] = b;
                    if (b < 1e-10) {
                        k++;
                        break; // an invariant subspace: the spectral measure of this probe is complete
                    }
                    double[] next = new double[n];
                    for (int i = 0; i < n; i++) {
                        next[i] = w[i] / b;
                    }
                    v = next;
                }
            }
            RealMatrix t = MatrixUtils.createRealMatrix(k, k);
            for (int i = 0; i < k; i++) {
                t.setEntry(i, i, alpha[i]);
                if (i + 1 < k) {
                    t.setEntry(i, i + 1, beta[i]);
                    t.setEntry(i + 1, i, beta[i]);
                }
            }
            EigenDecomposition e = new EigenDecomposition(t);
            for (int j = 0; j < k; j++) {
                double theta = e.getRealEigenvalue(j);
                double first = e.getEigenvector(j).getEntry(0);
                nodes[used] = theta;
                weights[used] = first * first / probes;
                used++;
                top = Math.max(top, theta);
            }
        }
        double rankFixed = 0;
        double rankRelative = 0;
        for (int i = 0; i < used; i++) {
            rankFixed += Math.abs(nodes[i]) > threshold ? weights[i] : 0;
            rankRelative += Math.abs(nodes[i]) > fraction * Math.abs(top) ? weights[i] : 0;
        }
        return new Result(top, n * rankFixed, n * rankRelative, java.util.Arrays.copyOf(nodes, used),
                java.util.Arrays.copyOf(weights, used), probes, m, n);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
