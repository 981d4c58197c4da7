package org.headlab.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import java.util.EnumSet;
import java.util.Map;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.run.RandomWeights;
import org.junit.jupiter.api.Test;

/**
 * The per-head Q/K/V input hooks (TransformerLens' use_split_qkv_input). Checked against the unsplit forward pass of
 * the same model: an untouched split pass is bit-identical, a replaced-by-an-equal-copy split pass (the per-head
 * projection path) agrees to float rounding, and a change to one head's query input changes only that head.
 */
class SplitQkvInputTest {

    private static ActivationHook splitting(ActivationHook inner) {
        return new ActivationHook() {
            @Override
            public NDArray apply(HookPoint point, int layer, NDArray activation) {
                return inner.apply(point, layer, activation);
            }

            @Override
            public boolean splitsQkvInput() {
                return true;
            }
        };
    }

    @Test
    void splitPassWithoutReplacementIsBitIdenticalAndEqualCopiesAgreeToRounding() {
        for (ModelConfig c : Fixtures.allVariants()) {
            if (c.hasMlp() && !"gelu".equals(c.activation())) {
                continue; // the MLP is after the split: one activation suffices
            }
            Map<String, HostTensor> w = RandomWeights.gaussian(c, 5, 0.4, true);
            int[][] tokens = Fixtures.tokens(c, 3, 7, 9);
            try (Transformer model = Transformer.create(c, w)) {
                ForwardResult clean = model.forward(tokens);
                ForwardResult untouched = model.forward(tokens, splitting(ActivationHook.NONE));
                assertArrayEquals(clean.tokenLosses()[1], untouched.tokenLosses()[1], 0f, Fixtures.describe(c));
                // a replacement that equals the input forces the per-head projections
                ForwardResult copied = model.forward(tokens, splitting((point, layer, a) ->
                        point == HookPoint.Q_INPUT || point == HookPoint.K_INPUT || point == HookPoint.V_INPUT
                                ? a.duplicate() : a));
                for (int b = 0; b < tokens.length; b++) {
                    for (int i = 0; i < tokens[0].length; i++) {
                        float[] x = clean.logits()[b][i];
                        float[] y = copied.logits()[b][i];
                        for (int v = 0; v < x.length; v++) {
                            assertEquals(x[v], y[v], 1e-4 * Math.max(1, Math.abs(x[v])), Fixtures.describe(c));
                        }
                    }
                }
            }
        }
    }

    @Test
    void changingOneHeadsQueryInputChangesOnlyThatHeadsPattern() {
        ModelConfig c = Fixtures.tiny();
        int[][] tokens = Fixtures.tokens(c, 2, 6, 3);
        try (Transformer model = Transformer.create(c, RandomWeights.gaussian(c, 8, 0.4, true))) {
            Map<ActivationCache.Key, HostTensor> clean = model.activations(tokens, EnumSet.of(HookPoint.PATTERN,
                    HookPoint.Q_INPUT), null);
            HostTensor qIn = clean.get(new ActivationCache.Key(HookPoint.Q_INPUT, 1));
            assertArrayEquals(new int[] {2, 6, c.nHeads(), c.dModel()}, qIn.shape());
            Map<ActivationCache.Key, HostTensor> patched = model.activations(tokens, EnumSet.of(HookPoint.PATTERN),
                    splitting((point, layer, a) -> {
                        if (point != HookPoint.Q_INPUT || layer != 1) {
                            return a;
                        }
                        NDArray r = a.duplicate();
                        r.set(new NDIndex(":, :, 2, :"), a.get(new NDIndex(":, :, 2, :")).square()); // LN would undo a scaling
                        return r;
                    }));
            float[] p0 = clean.get(new ActivationCache.Key(HookPoint.PATTERN, 1)).data();
            float[] p1 = patched.get(new ActivationCache.Key(HookPoint.PATTERN, 1)).data();
            int per = 6 * 6;
            double changed = 0;
            for (int h = 0; h < c.nHeads(); h++) {
                for (int i = 0; i < 2; i++) {
                    for (int j = 0; j < per; j++) {
                        int idx = (i * c.nHeads() + h) * per + j;
                        if (h != 2) {
                            assertEquals(p0[idx], p1[idx], 2e-6, "head " + h);
                        } else {
                            changed += Math.abs(p0[idx] - p1[idx]);
                        }
                    }
                }
            }
            assertTrue(changed > 1e-3, "head 2's pattern moved: " + changed);
            assertArrayEquals(clean.get(new ActivationCache.Key(HookPoint.PATTERN, 0)).data(),
                    patched.get(new ActivationCache.Key(HookPoint.PATTERN, 0)).data(), 0f);
        }
    }
}
