package org.headlab.core.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.composition.CompositionScores;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.run.RandomWeights;
import org.junit.jupiter.api.Test;

/**
 * Composition scores against a plain double-precision implementation of estimators.md §5 written here: form the
 * d_model × d_model matrices OV and QK explicitly, multiply them and take Frobenius norms (the production code never
 * forms these matrices; it uses d_head-sized Gram traces).
 */
class CompositionScoresTest {

    private static double[][] head(HostTensor t, int h, int rows, int cols) {
        double[][] m = new double[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                m[r][c] = t.data()[(h * rows + r) * cols + c];
            }
        }
        return m;
    }

    private static double[][] mul(double[][] a, double[][] b) {
        double[][] c = new double[a.length][b[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b[0].length; j++) {
                double s = 0;
                for (int t = 0; t < b.length; t++) {
                    s += a[i][t] * b[t][j];
                }
                c[i][j] = s;
            }
        }
        return c;
    }

    private static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    private static double fro(double[][] a) {
        double s = 0;
        for (double[] r : a) {
            for (double x : r) {
                s += x * x;
            }
        }
        return Math.sqrt(s);
    }

    @Test
    void scoresEqualExplicitFrobeniusFormulasAndAreZeroOutsideLaterLayers() {
        ModelConfig c = ModelConfig.attnOnly(3, 2, 10, 3, 11, 8);
        Map<String, HostTensor> w = RandomWeights.gaussian(c, 3, 0.5, true);
        int d = c.dModel();
        int e = c.dHead();
        CompositionScores.Result r = CompositionScores.compute(c, w);
        for (int l1 = 0; l1 < 3; l1++) {
            for (int h1 = 0; h1 < 2; h1++) {
                String b1 = "blocks." + l1 + ".attn.";
                double[][] ov1 = mul(head(w.get(b1 + "W_V"), h1, d, e), head(w.get(b1 + "W_O"), h1, e, d));
                for (int l2 = 0; l2 < 3; l2++) {
                    for (int h2 = 0; h2 < 2; h2++) {
                        String b2 = "blocks." + l2 + ".attn.";
                        double[][] qk2 = mul(head(w.get(b2 + "W_Q"), h2, d, e),
                                transpose(head(w.get(b2 + "W_K"), h2, d, e)));
                        double[][] ov2 = mul(head(w.get(b2 + "W_V"), h2, d, e), head(w.get(b2 + "W_O"), h2, e, d));
                        double eq = l2 > l1 ? fro(mul(ov1, qk2)) / (fro(ov1) * fro(qk2)) : 0;
                        double ek = l2 > l1 ? fro(mul(ov1, transpose(qk2))) / (fro(ov1) * fro(qk2)) : 0;
                        double ev = l2 > l1 ? fro(mul(ov1, ov2)) / (fro(ov1) * fro(ov2)) : 0;
                        String at = l1 + ":" + h1 + " -> " + l2 + ":" + h2;
                        assertEquals(eq, r.q()[l1][h1][l2][h2], 1e-10, "Q " + at);
                        assertEquals(ek, r.k()[l1][h1][l2][h2], 1e-10, "K " + at);
                        assertEquals(ev, r.v()[l1][h1][l2][h2], 1e-10, "V " + at);
                        if (l2 > l1) {
                            assertTrue(eq > 0 && eq <= 1, at);
                        }
                    }
                }
            }
        }
    }

    @Test
    void randomBaselineMatchesTheExpectedScaleOfIndependentMatrices() {
        ModelConfig c = ModelConfig.attnOnly(2, 8, 64, 8, 7, 16);
        CompositionScores.Baselines b = CompositionScores.randomBaseline(c, 40, 1);
        // no closed form is asserted: the baseline must be well inside (0, 1), spread out, and deterministic in the seed
        for (CompositionScores.Baseline x : new CompositionScores.Baseline[] {b.q(), b.k(), b.v()}) {
            assertTrue(x.mean() > 0.02 && x.mean() < 0.5, "mean " + x.mean());
            assertTrue(x.std() > 0 && x.std() < x.mean(), "std " + x.std());
            assertEquals(40, x.draws());
        }
        assertEquals(b, CompositionScores.randomBaseline(c, 40, 1));
        assertThrows(HeadLabException.class, () -> CompositionScores.randomBaseline(c, 1, 1));
    }
}
