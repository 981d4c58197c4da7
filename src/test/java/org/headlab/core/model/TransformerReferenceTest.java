package org.headlab.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.run.RandomWeights;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The DJL forward and gradients against the independent double-precision {@link ReferenceTransformer}. */
class TransformerReferenceTest {

    static Stream<Arguments> variants() {
        return Fixtures.allVariants().stream().map(c -> Arguments.of(Fixtures.describe(c), c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void forwardMatchesReference(String name, ModelConfig config) {
        Map<String, HostTensor> weights = RandomWeights.gaussian(config, 11, 0.4, true);
        ReferenceTransformer ref = new ReferenceTransformer(config, ReferenceTransformer.toDouble(weights));
        int[][] tokens = Fixtures.tokens(config, 3, 8, 5);
        try (Transformer model = Transformer.create(config, weights)) {
            ForwardResult out = model.forward(tokens);
            Map<ActivationCache.Key, HostTensor> rec = model.activations(tokens, EnumSet.of(HookPoint.PATTERN), null);
            double[][] refTokenLosses = ref.tokenLosses(tokens);
            int t = tokens[0].length;
            int h = config.nHeads();
            for (int b = 0; b < tokens.length; b++) {
                ReferenceTransformer.Result r = ref.forward(tokens[b]);
                for (int i = 0; i < t; i++) {
                    // float32 rounding scales with the largest logit of the row, not with each small one
                    double scale = Math.max(1.0, Arrays.stream(r.logits[i]).map(Math::abs).max().orElse(0));
                    for (int v = 0; v < config.dVocab(); v++) {
                        double err = Math.abs(r.logits[i][v] - out.logits()[b][i][v]);
                        assertTrue(err <= 1e-5 * scale, name + " logit [" + b + "," + i + "," + v + "]: expected "
                                + r.logits[i][v] + " got " + out.logits()[b][i][v] + " (row scale " + scale + ")");
                    }
                }
                for (int i = 0; i < t - 1; i++) {
                    assertClose(refTokenLosses[b][i], out.tokenLosses()[b][i], 1e-5, name + " token loss");
                }
                for (int l = 0; l < config.nLayers(); l++) {
                    float[] p = rec.get(new ActivationCache.Key(HookPoint.PATTERN, l)).data();
                    for (int hh = 0; hh < h; hh++) {
                        for (int q = 0; q < t; q++) {
                            for (int k = 0; k < t; k++) {
                                double got = p[((b * h + hh) * t + q) * t + k];
                                assertEquals(r.patterns[l][hh][q][k], got, 1e-5, name + " pattern");
                            }
                        }
                    }
                }
            }
            assertClose(ref.loss(tokens), out.loss(), 1e-5, name + " loss");
            assertEquals(out.loss(), model.loss(tokens), 0.0);
            float[][] tokenLosses = model.tokenLosses(tokens);
            for (int b = 0; b < tokens.length; b++) {
                assertArrayEquals(out.tokenLosses()[b], tokenLosses[b], 0f);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void gradientsMatchFiniteDifferences(String name, ModelConfig config) {
        Map<String, HostTensor> weights = RandomWeights.gaussian(config, 23, 0.4, true);
        Map<String, double[]> w = ReferenceTransformer.toDouble(weights);
        ReferenceTransformer ref = new ReferenceTransformer(config, w);
        int[][] tokens = Fixtures.tokens(config, 2, 6, 9);
        double h = 1e-4;
        SplittableRandom rng = new SplittableRandom(3);
        LossAndGradients djl;
        try (Transformer model = Transformer.create(config, weights)) {
            djl = model.lossAndGradients(tokens, ParameterMask.full(config));
        }
        assertClose(ref.loss(tokens), djl.loss(), 1e-5, name + " loss");
        assertEquals(config.parameterShapes().keySet(), djl.gradients().keySet());
        int checked = 0;
        for (Map.Entry<String, double[]> e : w.entrySet()) {
            double[] p = e.getValue();
            float[] g = djl.gradient(e.getKey()).data();
            int samples = Math.min(30, p.length);
            for (int s = 0; s < samples; s++) {
                int i = p.length <= 30 ? s : rng.nextInt(p.length);
                double orig = p[i];
                p[i] = orig + h;
                double up = ref.loss(tokens);
                p[i] = orig - h;
                double down = ref.loss(tokens);
                p[i] = orig;
                double fd = (up - down) / (2 * h);
                double tol = 1e-3 * Math.abs(fd) + 5e-6;
                assertTrue(Math.abs(fd - g[i]) <= tol, name + " d loss / d " + e.getKey() + "[" + i + "]: DJL "
                        + g[i] + " vs finite difference " + fd);
                checked++;
            }
        }
        assertTrue(checked > 300, "checked " + checked);
    }

    static void assertClose(double expected, double actual, double tol, String what) {
        double err = Math.abs(expected - actual);
        assertTrue(err <= tol * Math.max(1.0, Math.abs(expected)),
                what + ": expected " + expected + " got " + actual + " (error " + err + ")");
    }
}
