package org.headlab.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.run.RandomWeights;
import org.junit.jupiter.api.Test;

/**
 * DJL bug 1 (djl-feasibility.md §3): a Java number given to NDArray arithmetic inside a GradientCollector becomes a
 * zero-copy tensor that is freed while autograd still needs it, so a GC between forward and backward corrupts the
 * gradients (1e26 or NaN). With every constant held as a long-lived array, forcing a GC at exactly that moment
 * must change nothing.
 */
class TransformerGcRegressionTest {

    @Test
    void gradientsSurviveGarbageCollectionBetweenForwardAndBackward() {
        ModelConfig c = Fixtures.tiny("LN", "shortformer", "gelu_new");
        int[][] tokens = Fixtures.tokens(c, 2, 8, 3);
        try (Transformer model = Transformer.create(c, RandomWeights.gaussian(c, 5, 0.4, true))) {
            model.beforeBackward = System::gc;
            LossAndGradients first = model.lossAndGradients(tokens, ParameterMask.full(c));
            for (Map.Entry<String, org.headlab.core.run.HostTensor> e : first.gradients().entrySet()) {
                for (float v : e.getValue().data()) {
                    assertTrue(Float.isFinite(v) && Math.abs(v) < 1e3, e.getKey() + " = " + v);
                }
            }
            for (int pass = 1; pass <= 220; pass++) {
                LossAndGradients again = model.lossAndGradients(tokens, ParameterMask.full(c));
                for (String name : first.gradients().keySet()) {
                    assertArrayEquals(first.gradient(name).data(), again.gradient(name).data(), 0f,
                            "pass " + pass + ": " + name);
                }
            }
        }
    }
}
