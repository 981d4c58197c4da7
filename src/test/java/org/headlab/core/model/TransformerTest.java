package org.headlab.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.headlab.core.HeadLabException;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.run.RandomWeights;
import org.junit.jupiter.api.Test;

class TransformerTest {

    private static Map<String, HostTensor> weights(ModelConfig c, long seed) {
        return RandomWeights.gaussian(c, seed, 0.4, true);
    }

    // ---------------------------------------------------------------- masked gradients

    @Test
    void headMaskedGradientIsExactlyZeroOutsideTheHeadAndEqualsTheFullGradientInside() {
        for (ModelConfig c : List.of(Fixtures.tiny(), Fixtures.tiny("LN", "standard", "gelu"))) {
            int[][] tokens = Fixtures.tokens(c, 3, 8, 1);
            try (Transformer model = Transformer.create(c, weights(c, 2))) {
                LossAndGradients full = model.lossAndGradients(tokens, ParameterMask.full(c));
                for (boolean biases : new boolean[] {false, true}) {
                    ParameterMask mask = ParameterMask.head(c, 1, 2, biases);
                    LossAndGradients head = model.lossAndGradients(tokens, mask);
                    assertEquals(full.loss(), head.loss(), 0.0);
                    Set<String> expected = biases
                            ? Set.of("blocks.1.attn.W_Q", "blocks.1.attn.W_K", "blocks.1.attn.W_V", "blocks.1.attn.W_O",
                                    "blocks.1.attn.b_Q", "blocks.1.attn.b_K", "blocks.1.attn.b_V")
                            : Set.of("blocks.1.attn.W_Q", "blocks.1.attn.W_K", "blocks.1.attn.W_V",
                                    "blocks.1.attn.W_O");
                    assertEquals(expected, head.gradients().keySet());
                    int inside = 0;
                    for (String name : expected) {
                        float[] g = head.gradient(name).data();
                        float[] f = full.gradient(name).data();
                        int run = g.length / c.nHeads();
                        for (int i = 0; i < g.length; i++) {
                            if (i / run == 2) {
                                assertEquals(f[i], g[i], 1e-7 * Math.max(1, Math.abs(f[i])), name + "[" + i + "]");
                                inside += f[i] != 0f ? 1 : 0;
                            } else {
                                assertEquals(0, Float.floatToRawIntBits(g[i]), name + "[" + i + "] = " + g[i]);
                            }
                        }
                    }
                    assertTrue(inside > 0.9 * mask.size(), "the head's gradient should be mostly non-zero");
                }
            }
        }
    }

    @Test
    void maskFactoriesSelectTheRightCoordinates() {
        ModelConfig c = Fixtures.tiny("LN", "standard", "relu");
        int d = c.dModel();
        int dh = c.dHead();
        assertEquals(4L * d * dh, ParameterMask.head(c, 0, 1, false).size());
        assertEquals(4L * d * dh + 3L * dh, ParameterMask.head(c, 0, 1, true).size());
        assertEquals(c.parameterCount(), ParameterMask.full(c).size());
        ParameterMask both = ParameterMask.union(ParameterMask.head(c, 0, 0, false), ParameterMask.head(c, 0, 2, false));
        assertEquals(8L * d * dh, both.size());
        float[] wq = both.mask("blocks.0.attn.W_Q").data();
        assertEquals(1f, wq[0]);
        assertEquals(0f, wq[d * dh]);
        assertEquals(1f, wq[2 * d * dh]);
        ParameterMask layer = ParameterMask.layer(c, 1);
        assertTrue(layer.parameterNames().stream().allMatch(n -> n.startsWith("blocks.1.")));
        assertTrue(layer.isWhole("blocks.1.mlp.W_in"));
        assertTrue(layer.contains("blocks.1.ln2.w"));
        ParameterMask all = ParameterMask.union(ParameterMask.head(c, 0, 1, true),
                ParameterMask.named(c, Set.of("blocks.0.attn.W_Q")));
        assertTrue(all.isWhole("blocks.0.attn.W_Q"));
        assertFalse(all.isWhole("blocks.0.attn.W_K"));
        ParameterMask explicit = ParameterMask.of(c, Map.of("unembed.b_U", HostTensor.zeros(c.dVocab())));
        assertTrue(explicit.isEmpty());
        assertThrows(HeadLabException.class, () -> ParameterMask.head(c, 2, 0, false));
        assertThrows(HeadLabException.class, () -> ParameterMask.head(c, 0, 3, false));
        assertThrows(HeadLabException.class, () -> ParameterMask.named(c, Set.of("blocks.0.attn.W_X")));
        HostTensor bad = HostTensor.zeros(c.dVocab());
        bad.data()[0] = 0.5f;
        assertThrows(HeadLabException.class, () -> ParameterMask.of(c, Map.of("unembed.b_U", bad)));
    }

    @Test
    void layerAndNamedMasksGiveTheFullGradientOnTheirParameters() {
        ModelConfig c = Fixtures.tiny("LNPre", "standard", "silu");
        int[][] tokens = Fixtures.tokens(c, 2, 7, 4);
        try (Transformer model = Transformer.create(c, weights(c, 3))) {
            LossAndGradients full = model.lossAndGradients(tokens, ParameterMask.full(c));
            ParameterMask mask = ParameterMask.union(ParameterMask.layer(c, 0),
                    ParameterMask.named(c, Set.of("unembed.W_U")));
            LossAndGradients part = model.lossAndGradients(tokens, mask);
            assertEquals(mask.parameterNames(), part.gradients().keySet());
            for (String n : mask.parameterNames()) {
                assertArrayEquals(full.gradient(n).data(), part.gradient(n).data(), 1e-6f, n);
            }
            assertNull(part.gradient("embed.W_E"));
        }
    }

    @Test
    void gradientArraysLiveInTheCallersManagerAndMatchTheHostGradients() {
        ModelConfig c = Fixtures.tiny();
        int[][] tokens = Fixtures.tokens(c, 2, 6, 8);
        try (Transformer model = Transformer.create(c, weights(c, 5)); NDManager out = TorchEngine.newManager()) {
            ParameterMask mask = ParameterMask.head(c, 0, 1, true);
            LossAndGradients host = model.lossAndGradients(tokens, mask);
            try (GradientArrays arrays = model.gradientArrays(out, tokens, mask)) {
                assertEquals(host.loss(), arrays.loss(), 0.0);
                for (String n : mask.parameterNames()) {
                    NDArray g = arrays.gradients().get(n);
                    assertEquals(out, g.getManager());
                    assertArrayEquals(host.gradient(n).data(), g.toFloatArray(), 0f, n);
                }
            }
            assertEquals(0, out.getManagedArrays().size());
        }
    }

    // ---------------------------------------------------------------- leaks

    @Test
    void repeatedCallsLeaveNoArraysBehind() {
        ModelConfig c = Fixtures.tiny("LN", "standard", "gelu");
        int[][] tokens = Fixtures.tokens(c, 2, 6, 3);
        try (NDManager parent = TorchEngine.newManager();
                Transformer model = Transformer.create(c, weights(c, 1), parent);
                NDManager foreign = TorchEngine.newManager()) {
            NDArray keepHeads = foreign.create(new float[] {1, 0, 1}, new Shape(1, 1, 3, 1));
            ActivationHook ablate = (p, l, x) -> p == HookPoint.Z ? x.mul(keepHeads) : x;
            ActivationHook foreignReplacement = (p, l, x) -> p == HookPoint.ATTN_OUT ? foreign.zeros(x.getShape()) : x;
            int before = model.managedArrayCount();
            int parentBefore = parent.getManagedArrays().size();
            List<Runnable> calls = List.of(
                    () -> model.lossAndGradients(tokens, ParameterMask.full(c)),
                    () -> model.lossAndGradients(tokens, ParameterMask.head(c, 1, 0, true), ablate),
                    () -> model.forward(tokens, ablate),
                    () -> model.attentionPatterns(tokens[0]),
                    () -> model.activations(tokens, EnumSet.allOf(HookPoint.class), null),
                    () -> {
                        try (NDManager out = TorchEngine.newManager()) {
                            model.run(out, tokens, EnumSet.allOf(HookPoint.class), foreignReplacement).close();
                            model.gradientArrays(out, tokens, ParameterMask.layer(c, 0));
                        }
                    });
            int foreignCalls = 0;
            for (int i = 0; i < 50; i++) {
                calls.get(i % calls.size()).run();
                foreignCalls += i % calls.size() == calls.size() - 1 ? 1 : 0;
            }
            assertEquals(before, model.managedArrayCount());
            assertEquals(parentBefore, parent.getManagedArrays().size());
            // the foreign manager holds the mask and the zeros the hook made (one per layer), nothing the model made
            assertEquals(1 + 2 * foreignCalls, foreign.getManagedArrays().size());
        }
    }

    // ---------------------------------------------------------------- causal mask and known answers

    @Test
    void laterTokensDoNotChangeEarlierLogits() {
        for (ModelConfig c : List.of(Fixtures.tiny(), Fixtures.tiny(null, "standard", "gelu_new"))) {
            int[][] a = Fixtures.tokens(c, 1, 9, 2);
            int[][] b = {a[0].clone()};
            b[0][5] = (a[0][5] + 1) % c.dVocab();
            b[0][8] = (a[0][8] + 3) % c.dVocab();
            try (Transformer model = Transformer.create(c, weights(c, 6))) {
                float[][] la = model.forward(a).logits()[0];
                float[][] lb = model.forward(b).logits()[0];
                for (int i = 0; i < 5; i++) {
                    assertArrayEquals(la[i], lb[i], 1e-6f, "position " + i);
                }
                for (int i = 5; i < 9; i++) {
                    assertNotEquals(la[i][0], lb[i][0], "position " + i + " sees the changed token");
                }
            }
        }
    }

    /**
     * One layer, no normalization, W_pos[i] = e_i, W_E = 0. Head 0 has query_i = c·e_{i−1} and key_j = e_j, so its
     * score is s = c/√d_head on the previous position and 0 elsewhere: pattern e^s/(e^s + i) on j = i−1 and
     * 1/(e^s + i) on every other j ≤ i. Head 1 has W_Q = 0: uniform 1/(i+1). W_U = 0 makes every logit 0, so the
     * loss is ln V.
     */
    @Test
    void handBuiltHeadsAttendAsComputedByHand() {
        for (String positional : new String[] {"standard", "shortformer"}) {
            int ctx = 6;
            int dh = 6;
            ModelConfig c = ModelConfig.attnOnly(1, 2, 8, dh, 5, ctx).withNormalization(null)
                    .withPositionalEmbedding(positional);
            Map<String, HostTensor> w = new LinkedHashMap<>();
            c.parameterShapes().forEach((n, s) -> w.put(n, HostTensor.zeros(s)));
            double s = 5.0;
            float scale = (float) (s * Math.sqrt(dh));
            float[] pos = w.get("pos_embed.W_pos").data();
            float[] wq = w.get("blocks.0.attn.W_Q").data();
            float[] wk = w.get("blocks.0.attn.W_K").data();
            for (int i = 0; i < ctx; i++) {
                pos[i * 8 + i] = 1f;
                wk[i * dh + i] = 1f; // head 0: key_j = e_j
                if (i >= 1) {
                    wq[i * dh + (i - 1)] = scale; // head 0: query_i = scale · e_{i-1}
                }
            }
            try (Transformer model = Transformer.create(c, w)) {
                int[] tokens = {3, 1, 4, 1, 0, 2};
                float[][][][] p = model.attentionPatterns(tokens);
                assertEquals(1, p.length);
                assertEquals(2, p[0].length);
                for (int i = 0; i < ctx; i++) {
                    for (int j = 0; j < ctx; j++) {
                        double prev = j > i ? 0 : i == 0 ? 1
                                : j == i - 1 ? Math.exp(s) / (Math.exp(s) + i) : 1 / (Math.exp(s) + i);
                        double uniform = j > i ? 0 : 1.0 / (i + 1);
                        assertEquals(prev, p[0][0][i][j], 1e-6, positional + " head 0 [" + i + "," + j + "]");
                        assertEquals(uniform, p[0][1][i][j], 1e-6, positional + " head 1 [" + i + "," + j + "]");
                    }
                }
                assertEquals(Math.log(5), model.loss(new int[][] {tokens}), 1e-6);
            }
        }
    }

    // ---------------------------------------------------------------- hooks

    @Test
    void hooksSeeEveryPointInForwardOrderWithTransformerLensShapes() {
        ModelConfig c = Fixtures.tiny("LN", "standard", "relu");
        int[][] tokens = Fixtures.tokens(c, 2, 5, 1);
        List<String> seen = new ArrayList<>();
        try (Transformer model = Transformer.create(c, weights(c, 2)); NDManager out = TorchEngine.newManager();
                ActivationCache cache = model.run(out, tokens, EnumSet.allOf(HookPoint.class), (p, l, x) -> {
                    seen.add(p + ":" + l);
                    return null;
                })) {
            List<String> expected = new ArrayList<>();
            for (int l = 0; l < 2; l++) {
                // recording the per-head Q/K/V inputs makes the pass visit them (TransformerLens' split inputs)
                for (String p : new String[] {"RESID_PRE", "Q_INPUT", "K_INPUT", "V_INPUT", "ATTN_SCORES", "PATTERN",
                        "Z", "ATTN_OUT", "RESID_MID", "MLP_OUT", "RESID_POST"}) {
                    expected.add(p + ":" + l);
                }
            }
            expected.add("LOGITS:-1");
            assertEquals(expected, seen);
            assertEquals(new Shape(2, 5, 12), cache.get(HookPoint.RESID_PRE, 1).getShape());
            assertEquals(new Shape(2, 5, 3, 12), cache.get(HookPoint.K_INPUT, 1).getShape());
            assertEquals(new Shape(2, 3, 5, 5), cache.get(HookPoint.ATTN_SCORES, 0).getShape());
            assertEquals(new Shape(2, 3, 5, 5), cache.get(HookPoint.PATTERN, 0).getShape());
            assertEquals(new Shape(2, 5, 3, 4), cache.get(HookPoint.Z, 1).getShape());
            assertEquals(new Shape(2, 5, 17), cache.logits().getShape());
            assertEquals(new Shape(2, 4), cache.tokenLosses().getShape());
            assertEquals(Transformer.MASKED_SCORE, cache.host(HookPoint.ATTN_SCORES, 0).data()[1], 0f);
            // the cache agrees with the reference on the residual stream and per-head z
            ReferenceTransformer ref = new ReferenceTransformer(c, ReferenceTransformer.toDouble(weights(c, 2)));
            ReferenceTransformer.Result r = ref.forward(tokens[1]);
            float[] resid = cache.host(HookPoint.RESID_PRE, 1).data();
            float[] fin = cache.residFinal().toFloatArray();
            for (int i = 0; i < 5; i++) {
                for (int m = 0; m < 12; m++) {
                    assertEquals(r.residPre[1][i][m], resid[(5 + i) * 12 + m], 1e-5);
                    assertEquals(r.residFinal[i][m], fin[(5 + i) * 12 + m], 1e-5);
                }
            }
            assertEquals(model.forward(tokens).loss(), cache.loss(), 1e-7);
            // hook_z is [B,T,H,d_head]: z · W_O + b_O must give hook_attn_out
            float[] z = cache.host(HookPoint.Z, 0).data();
            float[] attnOut = cache.host(HookPoint.ATTN_OUT, 0).data();
            float[] wo = weights(c, 2).get("blocks.0.attn.W_O").data();
            float[] bo = weights(c, 2).get("blocks.0.attn.b_O").data();
            for (int bt = 0; bt < 2 * 5; bt++) {
                for (int m = 0; m < 12; m++) {
                    double sum = bo[m];
                    for (int h = 0; h < 3; h++) {
                        for (int e = 0; e < 4; e++) {
                            sum += z[(bt * 3 + h) * 4 + e] * wo[(h * 4 + e) * 12 + m];
                        }
                    }
                    assertEquals(sum, attnOut[bt * 12 + m], 1e-5);
                }
            }
        }
    }

    @Test
    void zeroingAHeadsZIsTheSameAsZeroingItsOutputWeights() {
        ModelConfig c = Fixtures.tiny("LN", "shortformer", "gelu");
        int[][] tokens = Fixtures.tokens(c, 3, 7, 5);
        Map<String, HostTensor> w = weights(c, 9);
        Map<String, HostTensor> ablated = new LinkedHashMap<>(w);
        HostTensor wo = w.get("blocks.0.attn.W_O");
        float[] zeroed = wo.data().clone();
        int run = zeroed.length / c.nHeads();
        java.util.Arrays.fill(zeroed, run, 2 * run, 0f); // head 0:1
        ablated.put("blocks.0.attn.W_O", new HostTensor(wo.shape(), zeroed));
        try (Transformer model = Transformer.create(c, w); Transformer reference = Transformer.create(c, ablated);
                NDManager m = TorchEngine.newManager()) {
            NDArray keep = m.create(new float[] {1, 0, 1}, new Shape(1, 1, 3, 1));
            ActivationHook ablate = (p, l, x) -> p == HookPoint.Z && l == 0 ? x.mul(keep) : x;
            float[][][] hooked = model.forward(tokens, ablate).logits();
            float[][][] expected = reference.forward(tokens).logits();
            for (int b = 0; b < 3; b++) {
                for (int i = 0; i < 7; i++) {
                    assertArrayEquals(expected[b][i], hooked[b][i], 1e-5f);
                }
            }
            // under the same hook, the ablated head's output weights get no gradient at all
            LossAndGradients g = model.lossAndGradients(tokens, ParameterMask.head(c, 0, 1, false), ablate);
            float[] gwo = g.gradient("blocks.0.attn.W_O").data();
            float[] gwq = g.gradient("blocks.0.attn.W_Q").data();
            for (int i = 0; i < gwo.length; i++) {
                assertEquals(0f, gwo[i]);
                assertEquals(0f, gwq[i]);
            }
            assertEquals(reference.loss(tokens), g.loss(), 1e-5);
        }
    }

    @Test
    void patchingAUniformPatternEqualsZeroQueries() {
        ModelConfig c = Fixtures.tiny("LN", "shortformer", null);
        int[][] tokens = Fixtures.tokens(c, 2, 6, 7);
        Map<String, HostTensor> w = weights(c, 4);
        Map<String, HostTensor> noQuery = new LinkedHashMap<>(w);
        noQuery.put("blocks.1.attn.W_Q", HostTensor.zeros(w.get("blocks.1.attn.W_Q").shape()));
        noQuery.put("blocks.1.attn.b_Q", HostTensor.zeros(w.get("blocks.1.attn.b_Q").shape()));
        int t = 6;
        float[] uniform = new float[2 * 3 * t * t];
        for (int bh = 0; bh < 6; bh++) {
            for (int q = 0; q < t; q++) {
                for (int k = 0; k <= q; k++) {
                    uniform[(bh * t + q) * t + k] = 1f / (q + 1);
                }
            }
        }
        try (Transformer model = Transformer.create(c, w); Transformer reference = Transformer.create(c, noQuery);
                NDManager m = TorchEngine.newManager()) {
            NDArray patched = m.create(uniform, new Shape(2, 3, t, t));
            double hooked = model.forward(tokens, (p, l, x) -> p == HookPoint.PATTERN && l == 1 ? patched : x).loss();
            assertEquals(reference.loss(tokens), hooked, 1e-6);
            assertNotEquals(model.loss(tokens), hooked, 1e-6);
            assertThrows(IllegalArgumentException.class, () -> model.forward(tokens,
                    (p, l, x) -> p == HookPoint.PATTERN ? m.zeros(new Shape(1, 3, t, t)) : x));
        }
    }

    // ---------------------------------------------------------------- inputs and weights

    @Test
    void badInputIsRefusedWithAClearMessage() {
        ModelConfig c = Fixtures.tiny();
        try (Transformer model = Transformer.create(c, weights(c, 1))) {
            assertMessage("outside the vocabulary 0..16", () -> model.forward(new int[][] {{1, 17}}));
            assertMessage("outside the vocabulary", () -> model.forward(new int[][] {{-1, 2}}));
            assertMessage("longer than the context (n_ctx = 10)", () -> model.forward(new int[][] {new int[11]}));
            assertMessage("no sequences", () -> model.forward(new int[0][]));
            assertMessage("empty", () -> model.attentionPatterns(new int[0]));
            assertMessage("equal lengths", () -> model.forward(new int[][] {{1, 2}, {1}}));
            assertMessage("at least 2 tokens", () -> model.lossAndGradients(new int[][] {{1}}, ParameterMask.full(c)));
            ForwardResult single = model.forward(new int[][] {{4}});
            assertTrue(Double.isNaN(single.loss()));
            assertEquals(17, single.logits()[0][0].length);
            ParameterMask other = ParameterMask.full(Fixtures.tiny("LN", "standard", "relu"));
            assertThrows(IllegalArgumentException.class, () -> model.lossAndGradients(new int[][] {{1, 2}}, other));
        }
    }

    @Test
    void weightsThatDoNotFitTheConfigAreRefusedByName() {
        ModelConfig c = Fixtures.tiny();
        Map<String, HostTensor> missing = new LinkedHashMap<>(weights(c, 1));
        missing.remove("blocks.1.attn.b_K");
        assertMessage("'blocks.1.attn.b_K'", () -> Transformer.create(c, missing));
        Map<String, HostTensor> wrong = new LinkedHashMap<>(weights(c, 1));
        wrong.put("blocks.0.attn.W_O", HostTensor.zeros(3, 12, 4));
        assertMessage("'blocks.0.attn.W_O' has shape [3, 12, 4]", () -> Transformer.create(c, wrong));
        Map<String, HostTensor> extra = new LinkedHashMap<>(weights(c, 1));
        extra.put("blocks.0.ln2.w", HostTensor.zeros(12));
        assertMessage("'blocks.0.ln2.w'", () -> Transformer.create(c, extra));
        Map<String, HostTensor> buffers = new LinkedHashMap<>(weights(c, 1));
        buffers.put("blocks.0.attn.IGNORE", HostTensor.zeros(1));
        Transformer.create(c, buffers).close();
    }

    @Test
    void setWeightsSwitchesToAnotherCheckpoint() {
        ModelConfig c = Fixtures.tiny("LN", "standard", "gelu");
        int[][] tokens = Fixtures.tokens(c, 2, 6, 1);
        Map<String, HostTensor> second = weights(c, 2);
        try (Transformer model = Transformer.create(c, weights(c, 1));
                Transformer fresh = Transformer.create(c, second)) {
            assertNotEquals(fresh.loss(tokens), model.loss(tokens));
            model.setWeights(second);
            assertEquals(fresh.loss(tokens), model.loss(tokens), 0.0);
            assertEquals(second, model.weights());
        }
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable call) {
        HeadLabException e = assertThrows(HeadLabException.class, call);
        assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should contain '" + part + "'");
    }
}
