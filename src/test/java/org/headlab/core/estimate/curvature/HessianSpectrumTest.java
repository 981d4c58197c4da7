package org.headlab.core.estimate.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.Test;

/**
 * Stochastic Lanczos quadrature against exact eigenvalues (Commons Math's EigenDecomposition) of symmetric matrices
 * with a planted spectrum: rank-deficient, with negative eigenvalues, as a degenerate Hessian is.
 */
class HessianSpectrumTest {

    /** Q·diag(eigenvalues)·Qᵀ for a random orthogonal Q. */
    static RealMatrix planted(double[] eigenvalues, long seed) {
        int n = eigenvalues.length;
        Random r = new Random(seed);
        RealMatrix a = MatrixUtils.createRealMatrix(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                a.setEntry(i, j, r.nextGaussian());
            }
        }
        RealMatrix q = new org.apache.commons.math3.linear.QRDecomposition(a).getQ();
        return q.multiply(MatrixUtils.createRealDiagonalMatrix(eigenvalues)).multiply(q.transpose());
    }

    @Test
    void topEigenvalueAndRanksOfAPlantedSpectrum() {
        int n = 40;
        double[] eig = new double[n];
        for (int i = 0; i < 12; i++) {
            eig[i] = 0.5 + i; // 12 clearly non-zero, top 11.5
        }
        eig[12] = -2.0;     // one negative curvature direction
        eig[13] = 1e-6;     // numerically zero
        RealMatrix h = planted(eig, 1);
        double exactTop = new EigenDecomposition(h).getRealEigenvalues()[0];
        HessianSpectrum.Result r = HessianSpectrum.lanczos(v -> h.operate(v), n, 400, n, 1e-3, 0.05, 3, () -> false);
        assertEquals(11.5, exactTop, 1e-9);
        assertEquals(exactTop, r.topEigenvalue(), 1e-8, "full Lanczos finds the top eigenvalue");
        // 13 eigenvalues with |λ| > 1e-3; |λ| > 0.05·11.5 = 0.575: 12 (0.5 is not, −2 is): Rademacher probes,
        // n·E[(uᵀv)²] = 1 per eigenvector, std of the count ≈ sqrt(2·13/400)
        assertEquals(13, r.rankAboveThreshold(), 4 * Math.sqrt(2.0 * 13 / 400), "rank above 1e-3");
        assertEquals(12, r.rankAboveFraction(), 4 * Math.sqrt(2.0 * 12 / 400), "rank above 5 % of the top");
        double total = 0;
        for (double w : r.weights()) {
            total += w;
        }
        assertEquals(1.0, total, 1e-9, "the quadrature weights of each probe sum to 1");
    }

    @Test
    void aFewLanczosStepsAlreadyFindTheTopEigenvalue() {
        double[] eig = new double[60];
        for (int i = 0; i < eig.length; i++) {
            eig[i] = i < 5 ? 20 - i : 0.01 * i;
        }
        RealMatrix h = planted(eig, 2);
        HessianSpectrum.Result r = HessianSpectrum.lanczos(v -> h.operate(v), 60, 2, 20, 1e-3, 0.05, 1, () -> false);
        assertEquals(20, r.topEigenvalue(), 1e-6);
    }
}
