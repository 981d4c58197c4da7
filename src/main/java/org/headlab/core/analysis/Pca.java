package org.headlab.core.analysis;

/**
 * Principal components of a small number of columns (heads): the eigenvectors of the d × d covariance by cyclic
 * Jacobi rotations, which is exact to rounding and needs no library for d ≤ a few hundred.
 */
public final class Pca {
    /** Scores [row][component], the components' variances (descending) and their share of the total. */
    public record Result(double[][] scores, double[] variances, double[] explained, double[][] components) {
    }

    private Pca() {
    }

    /** The first {@code k} principal components of {@code rows} (n × d, centred here). */
    public static Result of(double[][] rows, int k) {
        int n = rows.length;
        int d = n == 0 ? 0 : rows[0].length;
        if (n < 2 || d == 0) {
            throw new IllegalArgumentException("PCA needs ≥ 2 rows and ≥ 1 column, got " + n + " × " + d);
        }
        k = Math.min(k, d);
        double[] mean = new double[d];
        for (double[] r : rows) {
            for (int j = 0; j < d; j++) {
                mean[j] += r[j] / n;
            }
        }
        double[][] cov = new double[d][d];
        for (double[] r : rows) {
            for (int a = 0; a < d; a++) {
                double xa = r[a] - mean[a];
                for (int b = a; b < d; b++) {
                    cov[a][b] += xa * (r[b] - mean[b]) / (n - 1);
                }
            }
        }
        for (int a = 0; a < d; a++) {
            for (int b = 0; b < a; b++) {
                cov[a][b] = cov[b][a];
            }
        }
        double[][] v = jacobiEigenvectors(cov);
        double total = 0;
        Integer[] order = new Integer[d];
        for (int i = 0; i < d; i++) {
            order[i] = i;
            total += cov[i][i];
        }
        java.util.Arrays.sort(order, (x, y) -> Double.compare(cov[y][y], cov[x][x]));
        double[][] comps = new double[k][d];
        double[] var = new double[k];
        double[] share = new double[k];
        for (int c = 0; c < k; c++) {
            int e = order[c];
            var[c] = cov[e][e];
            share[c] = total > 0 ? var[c] / total : Double.NaN;
            for (int j = 0; j < d; j++) {
                comps[c][j] = v[j][e];
            }
        }
        double[][] scores = new double[n][k];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < k; c++) {
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += (rows[i][j] - mean[j]) * comps[c][j];
                }
                scores[i][c] = s;
            }
        }
        return new Result(scores, var, share, comps);
    }

    /** Diagonalises symmetric {@code a} in place (eigenvalues on its diagonal); the eigenvectors as columns. */
    static double[][] jacobiEigenvectors(double[][] a) {
        int d = a.length;
        double[][] v = new double[d][d];
        for (int i = 0; i < d; i++) {
            v[i][i] = 1;
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < d; p++) {
                for (int q = p + 1; q < d; q++) {
                    off += a[p][q] * a[p][q];
                }
            }
            if (off < 1e-30) {
                break;
            }
            for (int p = 0; p < d; p++) {
                for (int q = p + 1; q < d; q++) {
                    if (Math.abs(a[p][q]) < 1e-300) {
                        continue;
                    }
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < d; k++) {
                        double akp = a[k][p];
                        double akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < d; k++) {
                        double apk = a[p][k];
                        double aqk = a[q][k];
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < d; k++) {
                        double vkp = v[k][p];
                        double vkq = v[k][q];
                        v[k][p] = c * vkp - s * vkq;
                        v[k][q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        return v;
    }
}
