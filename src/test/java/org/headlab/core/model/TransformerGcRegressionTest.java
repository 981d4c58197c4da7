package org.headlab.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.run.RandomWeights;
import org.junit.jupiter.api.Test;

/**
 * DJL bug 1 (djl-feasibility.md §3): a Java number given to NDArray arithmetic inside a GradientCollector becomes a
 * zero-copy tensor that is freed while autograd still needs it, so a GC between forward and backward corrupts the
 * gradients (1e26 or NaN). With every constant held as a long-lived array, forcing a GC at exactly that moment
 * must change nothing. (Checked to fail on its first pass when the score scaling uses {@code div(float)}.)
 */
class TransformerGcRegressionTest {

    private static final int PASSES_PER_VARIANT = 55;

    @Test
    void gradientsSurviveGarbageCollectionBetweenForwardAndBackward() {
        // between them the variants take every normalization, positional type and activation path
        List<ModelConfig> variants = List.of(Fixtures.tiny("LN", "shortformer", "gelu_new"),
                Fixtures.tiny("LNPre", "standard", "gelu"), Fixtures.tiny(null, "shortformer", "relu"),
                Fixtures.tiny("LN", "standard", "silu"));
        int passes = 0;
        for (ModelConfig c : variants) {
            int[][] tokens = Fixtures.tokens(c, 2, 8, 3);
            ParameterMask mask = ParameterMask.union(ParameterMask.layer(c, 0), ParameterMask.head(c, 1, 1, true),
                    ParameterMask.named(c, Set.of("embed.W_E", "pos_embed.W_pos", "unembed.W_U")));
            try (Transformer model = Transformer.create(c, RandomWeights.gaussian(c, 5, 0.4, true))) {
                model.beforeBackward = System::gc;
                LossAndGradients first = model.lossAndGradients(tokens, mask);
                for (Map.Entry<String, HostTensor> e : first.gradients().entrySet()) {
                    for (float v : e.getValue().data()) {
                        assertTrue(Float.isFinite(v) && Math.abs(v) < 1e3, e.getKey() + " = " + v);
                    }
                }
                for (int pass = 1; pass < PASSES_PER_VARIANT; pass++) {
                    LossAndGradients again = model.lossAndGradients(tokens, mask);
                    for (String name : first.gradients().keySet()) {
                        assertArrayEquals(first.gradient(name).data(), again.gradient(name).data(), 0f,
                                Fixtures.describe(c) + " pass " + pass + ": " + name);
                    }
                }
                passes += PASSES_PER_VARIANT;
            }
        }
        assertTrue(passes >= 200);
    }
}
