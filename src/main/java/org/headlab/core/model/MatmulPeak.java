package org.headlab.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The fp32 matrix-product rate the engine reaches on this machine, measured through the same DJL/PyTorch calls the
 * estimators make (so with the same BLAS, thread settings and JNI costs): the denominator of "achieved fraction of
 * peak" in {@code bench sgld}.
 */
public final class MatmulPeak {
    private MatmulPeak() {
    }

    /** GFLOP/s of [m,k]×[k,n], best of {@code repeats} timed calls after one warm-up call. */
    public static double gflops(int m, int k, int n, int repeats) {
        try (NDManager s = TorchEngine.newManager()) {
            NDArray a = s.randomNormal(new Shape(m, k));
            NDArray b = s.randomNormal(new Shape(k, n));
            a.matMul(b).close();
            long best = Long.MAX_VALUE;
            for (int r = 0; r < repeats; r++) {
                long t0 = System.nanoTime();
                NDArray c = a.matMul(b);
                c.getFloat(0, 0); // the product is done when a value can be read
                best = Math.min(best, System.nanoTime() - t0);
                c.close();
            }
            return 2.0 * m * k * n / best;
        }
    }
}
