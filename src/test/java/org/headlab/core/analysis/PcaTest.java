package org.headlab.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** PCA by Jacobi rotations against power iteration on the covariance (a second method) and a planted direction. */
class PcaTest {
    @Test
    void theTopComponentsAreThoseOfPowerIterationAndThePlantedDirection() {
        SplittableRandom r = new SplittableRandom(4);
        int n = 4000;
        int d = 5;
        double[] dir = {0.6, 0.0, -0.8, 0.0, 0.0}; // unit; variance 9 along it, ~1 elsewhere
        double[][] x = new double[n][d];
        for (int i = 0; i < n; i++) {
            double a = 3 * r.nextGaussian();
            for (int j = 0; j < d; j++) {
                x[i][j] = a * dir[j] + r.nextGaussian() * (j == 1 ? 2 : 1) + 5;
            }
        }
        Pca.Result p = Pca.of(x, 2);
        assertEquals(1.0, Math.abs(dot(p.components()[0], dir)), 2e-3, "the planted direction comes first");
        // power iteration on the sample covariance, deflated once, as the independent reference
        double[][] cov = covariance(x);
        double[] v1 = power(cov);
        double l1 = rayleigh(cov, v1);
        double[][] deflated = new double[d][d];
        for (int a = 0; a < d; a++) {
            for (int b = 0; b < d; b++) {
                deflated[a][b] = cov[a][b] - l1 * v1[a] * v1[b];
            }
        }
        double[] v2 = power(deflated);
        assertEquals(1.0, Math.abs(dot(p.components()[0], v1)), 1e-6);
        assertEquals(1.0, Math.abs(dot(p.components()[1], v2)), 1e-6);
        assertEquals(l1, p.variances()[0], 1e-9 * l1);
        assertEquals(rayleigh(cov, v2), p.variances()[1], 1e-6);
        double trace = 0;
        for (int j = 0; j < d; j++) {
            trace += cov[j][j];
        }
        assertEquals(l1 / trace, p.explained()[0], 1e-9);
        double s = 0;
        for (double[] row : p.scores()) {
            s += row[0] * row[0] / (n - 1);
        }
        assertEquals(l1, s, 1e-9 * l1, "the scores' variance is the component's");
    }

    private static double[][] covariance(double[][] x) {
        int n = x.length;
        int d = x[0].length;
        double[] m = new double[d];
        for (double[] r : x) {
            for (int j = 0; j < d; j++) {
                m[j] += r[j] / n;
            }
        }
        double[][] c = new double[d][d];
        for (double[] r : x) {
            for (int a = 0; a < d; a++) {
                for (int b = 0; b < d; b++) {
                    c[a][b] += (r[a] - m[a]) * (r[b] - m[b]) / (n - 1);
                }
            }
        }
        return c;
    }

    private static double[] power(double[][] a) {
        int d = a.length;
        double[] v = new double[d];
        java.util.Arrays.fill(v, 1);
        for (int it = 0; it < 5000; it++) {
            double[] w = new double[d];
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    w[i] += a[i][j] * v[j];
                }
            }
            double norm = Math.sqrt(dot(w, w));
            for (int i = 0; i < d; i++) {
                v[i] = w[i] / norm;
            }
        }
        return v;
    }

    private static double rayleigh(double[][] a, double[] v) {
        double s = 0;
        for (int i = 0; i < v.length; i++) {
            for (int j = 0; j < v.length; j++) {
                s += v[i] * a[i][j] * v[j];
            }
        }
        return s;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
