package org.headlab.core.estimate.llc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import org.headlab.core.model.GradientArrays;
import org.headlab.core.model.ParameterMask;
import org.headlab.core.model.TorchEngine;
import org.headlab.core.model.HeadPath;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.run.RandomWeights;
import org.junit.jupiter.api.Test;

/**
 * The estimator on a tiny DJL transformer (2 layers × 4 heads, d_model 16, vocab 7, 8 tokens): the head fast path
 * against the plain full-forward path (same seed → same batches and noise → same losses to float tolerance), the
 * forward that starts after layer l's attention against the full forward and its gradients, frozen coordinates
 * bit-identical after many steps, determinism, and cancellation.
 */
class LlcTransformerTest {
    static final ModelConfig CONFIG = ModelConfig.attnOnly(2, 4, 16, 4, 7, 16);
    static final Map<String, HostTensor> WEIGHTS = RandomWeights.gaussian(CONFIG, 5, 0.4, true);

    static LlcData data(int n, int t) {
        Random r = new Random(3);
        List<int[]> seqs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] s = new int[t];
            for (int j = 0; j < t; j++) {
                s[j] = r.nextInt(CONFIG.dVocab());
            }
            seqs.add(s);
        }
        return LlcData.of("test", seqs, CONFIG.nCtx());
    }

    static SgldConfig small() {
        return SgldConfig.paper().withChains(3).withDraws(6).withBatchSize(4).withInitBatches(2).withSeed(9);
    }

    @Test
    void headPathEqualsPlainPath() {
        for (int layer = 0; layer < 2; layer++) {
            for (boolean biases : new boolean[] {false, true}) {
                ParameterMask mask = ParameterMask.head(CONFIG, layer, 2, biases);
                LlcData d = data(10, 8);
                LlcResult plain = LlcEstimator.estimate(CONFIG, WEIGHTS, mask, d, small(), () -> false,
                        LlcEstimator.Path.PLAIN, SgldSampler.Progress.NONE);
                LlcResult fast = LlcEstimator.estimate(CONFIG, WEIGHTS, mask, d, small(), () -> false);
                assertEquals("plain", ((Map<?, ?>) plain.params().get("target")).get("path"));
                assertEquals("head", ((Map<?, ?>) fast.params().get("target")).get("path"));
                assertEquals(plain.initLoss(), fast.initLoss(), 1e-6);
                for (int c = 0; c < 3; c++) {
                    assertArrayEquals(plain.lossTrace()[c], fast.lossTrace()[c], 2e-5,
                            "layer " + layer + " chain " + c);
                }
                assertEquals(plain.llcMean(), fast.llcMean(), 1e-3);
                assertEquals(plain.malaMean(), fast.malaMean(), 1e-3);
            }
        }
    }

    /**
     * The head path on the architectures imported runs bring (rotary positions on part of each head, attention and
     * MLP in parallel, RMSNorm; and rotary with a sequential MLP and LayerNorm): the same steps as the plain
     * full-forward path, which shares none of the head path's precomputation (layer inputs, base, the forward from
     * the head's layer on).
     */
    @Test
    void headPathEqualsPlainPathOnRotaryParallelAndRmsModels() {
        ModelConfig[] configs = {
            CONFIG.withMlp(12, "silu").withRotary(2, 10000).withParallelAttnMlp(true).withNormalization("RMS"),
            CONFIG.withMlp(12, "gelu").withRotary(4, 500).withNormalization("LN")};
        for (ModelConfig config : configs) {
            Map<String, HostTensor> weights = RandomWeights.gaussian(config, 6, 0.4, true);
            for (int layer = 0; layer < 2; layer++) {
                ParameterMask mask = ParameterMask.head(config, layer, 1, false);
                LlcData d = data(10, 8);
                LlcResult plain = LlcEstimator.estimate(config, weights, mask, d, small(), () -> false,
                        LlcEstimator.Path.PLAIN, SgldSampler.Progress.NONE);
                LlcResult fast = LlcEstimator.estimate(config, weights, mask, d, small(), () -> false);
                assertEquals("head", ((Map<?, ?>) fast.params().get("target")).get("path"));
                assertEquals(plain.initLoss(), fast.initLoss(), 1e-6);
                for (int c = 0; c < 3; c++) {
                    assertArrayEquals(plain.lossTrace()[c], fast.lossTrace()[c], 2e-5,
                            config.normalizationType() + " layer " + layer + " chain " + c);
                }
            }
        }
    }

    /**
     * The other samplers on the transformer: the head fast path against the plain full-forward path (two model
     * implementations, one update rule), chains stacked and masked alike; SGNHT carries no MALA acceptance.
     */
    @Test
    void everySamplerTakesTheSameStepsOnTheHeadPathAndThePlainPath() {
        for (SgldConfig.Sampler sampler : new SgldConfig.Sampler[] {SgldConfig.Sampler.RMSPROP_SGLD,
            SgldConfig.Sampler.SGNHT}) {
            ParameterMask mask = ParameterMask.head(CONFIG, 0, 1, false);
            LlcData d = data(10, 8);
            SgldConfig cfg = small().withDraws(12).withEpsilon(1e-4).withSampler(sampler);
            LlcResult plain = LlcEstimator.estimate(CONFIG, WEIGHTS, mask, d, cfg, () -> false,
                    LlcEstimator.Path.PLAIN, SgldSampler.Progress.NONE);
            LlcResult fast = LlcEstimator.estimate(CONFIG, WEIGHTS, mask, d, cfg, () -> false);
            assertEquals(sampler.id, fast.params().get("sampler"));
            for (int c = 0; c < 3; c++) {
                assertArrayEquals(plain.lossTrace()[c], fast.lossTrace()[c], 2e-5, sampler + " chain " + c);
            }
            assertTrue(Double.isFinite(fast.llcMean()), sampler + ": " + fast.llcMean());
            assertEquals(sampler == SgldConfig.Sampler.SGNHT, Double.isNaN(fast.malaMean()), sampler + " MALA");
        }
    }

    /**
     * The probe's per-token losses along the chains (susceptibilities): the head path's forward from cached inputs
     * against the plain path's full forward of each chain's own model, draw by draw; the first draw is at w*, where
     * both equal the checkpoint's own token losses.
     */
    @Test
    void probeLossesOnTheHeadPathEqualThePlainPath() {
        int[][] probe = data(3, 8).sequences();
        for (int layer = 0; layer < 2; layer++) {
            ParameterMask mask = ParameterMask.head(CONFIG, layer, 1, false);
            LlcData d = data(10, 8);
            org.headlab.core.estimate.susceptibility.ProbeStatistics plain =
                    new org.headlab.core.estimate.susceptibility.ProbeStatistics(probe, 3, true);
            org.headlab.core.estimate.susceptibility.ProbeStatistics fast =
                    new org.headlab.core.estimate.susceptibility.ProbeStatistics(probe, 3, true);
            LlcEstimator.estimate(CONFIG, WEIGHTS, mask, d, small(), () -> false, LlcEstimator.Path.PLAIN,
                    SgldSampler.Progress.NONE, plain);
            LlcEstimator.estimate(CONFIG, WEIGHTS, mask, d, small(), () -> false, LlcEstimator.Path.AUTO,
                    SgldSampler.Progress.NONE, fast);
            float[][] atCentre;
            try (NDManager m = TorchEngine.newManager(); Transformer t = Transformer.create(CONFIG, WEIGHTS, m)) {
                atCentre = t.tokenLosses(probe);
            }
            assertEquals(3 * 7, fast.tokens(), "3 windows × 7 predicted positions");
            for (int c = 0; c < 3; c++) {
                double[][] p = plain.tokenTrace(c);
                double[][] f = fast.tokenTrace(c);
                assertEquals(small().draws(), f.length);
                for (int draw = 0; draw < f.length; draw++) {
                    assertArrayEquals(p[draw], f[draw], 2e-5, "layer " + layer + " chain " + c + " draw " + draw);
                }
                for (int w = 0; w < probe.length; w++) {
                    for (int pos = 0; pos < 7; pos++) {
                        assertEquals(atCentre[w][pos], f[0][w * 7 + pos], 1e-5, "first draw at w*");
                    }
                }
                double moved = Math.abs(f[f.length - 1][0] - f[0][0]);
                assertTrue(moved > 0, "the chains move the probe's losses");
            }
        }
    }

    /**
     * headGradients at w* with one chain (forward from layer l, the loss's gradient at the final residual written by
     * hand) = the model's own loss and the head gradients PyTorch's autograd takes through the whole forward. 40
     * windows × 7 predicted tokens = 280 token rows: the hand-written loss runs them in blocks of
     * {@code HeadPath.LOSS_CHUNK} (128: two whole blocks and a partial one, their edges inside windows).
     */
    @Test
    void forwardAfterAttentionEqualsTheFullForward() {
        int[][] seqs = data(40, 8).sequences();
        assertTrue(HeadPath.LOSS_CHUNK < 280
                && 280 % HeadPath.LOSS_CHUNK != 0, "the rows span uneven blocks");
        try (NDManager m = TorchEngine.newManager(); Transformer t = Transformer.create(CONFIG, WEIGHTS, m)) {
            for (int layer = 0; layer < 2; layer++) {
                HeadPath.HeadInputs in = t.headPath().headInputs(m, seqs, layer, 1);
                Map<String, NDArray> hw = new LinkedHashMap<>();
                for (String k : new String[] {"W_Q", "W_K", "W_V", "W_O"}) {
                    hw.put(k, t.parameter("blocks." + layer + ".attn." + k).get(new NDIndex(1)).expandDims(0));
                }
                int[][] rows = {java.util.stream.IntStream.range(0, seqs.length).toArray()};
                HeadPath.HeadGradients hg = t.headPath().headGradients(m, in, rows, hw);
                assertEquals(t.loss(seqs), hg.losses()[0], 1e-6);
                GradientArrays ga = t.gradientArrays(m, seqs, ParameterMask.head(CONFIG, layer, 1, false));
                for (String k : hw.keySet()) {
                    float[] full = ga.gradients().get("blocks." + layer + ".attn." + k).get(new NDIndex(1))
                            .toFloatArray();
                    assertArrayEquals(full, hg.gradients().get(k).toFloatArray(), 1e-5f, k);
                }
            }
        }
    }

    /**
     * The lazy per-window inputs: each window is computed once, only when drawn, and equals the inputs computed
     * for the whole data set in one pass (the eager precompute it replaced; independent of batch composition).
     */
    @Test
    void windowCacheComputesOnlyDrawnWindowsAndMatchesTheEagerPass() {
        LlcData d = data(12, 8);
        for (int layer = 0; layer < 2; layer++) {
            try (NDManager m = TorchEngine.newManager(); Transformer t = Transformer.create(CONFIG, WEIGHTS, m);
                    LayerWindowCache layerInputs = new LayerWindowCache(CONFIG, WEIGHTS, d, layer)) {
                HeadWindowCache cache = new HeadWindowCache(t, layerInputs, d, 3, m.newSubManager());
                cache.ensure(new int[][] {{5, 1, 5}, {1, 9}});
                assertEquals(3, cache.computedWindows(), "windows 1, 5, 9 once each");
                cache.ensure(new int[][] {{9, 5}, {2, 1}});
                assertEquals(4, cache.computedWindows(), "only window 2 is new");
                cache.ensure(new int[][] {{9}}, new int[][] {{0, 3}, {4}});
                assertEquals(4, cache.computedWindows(), "nothing new in the step: upcoming windows wait");
                cache.ensure(new int[][] {{0}}, new int[][] {{3, 0}, {4, 6}});
                assertEquals(8, cache.computedWindows(), "window 0 and the upcoming 3, 4, 6 in one pass");
                HeadPath.HeadInputs lazy = cache.ensure(new int[][] {{7, 8, 10, 11}});
                assertEquals(12, cache.computedWindows());
                HeadPath.HeadInputs eager = t.headPath().headInputs(m, d.sequences(), layer, 3);
                assertArrayEquals(eager.qkIn().toFloatArray(), lazy.qkIn().toFloatArray(), 1e-5f);
                assertArrayEquals(eager.vIn().toFloatArray(), lazy.vIn().toFloatArray(), 1e-5f);
                assertArrayEquals(eager.base().toFloatArray(), lazy.base().toFloatArray(), 1e-5f);
                assertArrayEquals(eager.tokens().toLongArray(), lazy.tokens().toLongArray());
            }
        }
    }

    /**
     * A sweep's heads of one layer share one {@link LayerWindowCache}: checked against each head estimated alone
     * (its own pass up to the layer), with two heads running on two threads at once against the one cache, as two
     * sweep workers do. Each window of the layer is computed once in all, not once per head.
     */
    @Test
    void headsOfALayerSharingOneInputPassGiveTheNumbersOfEachAlone() throws Exception {
        LlcData d = data(16, 8);
        SgldConfig cfg = small().withDraws(10).withBatchSize(3);
        for (int layer = 0; layer < 2; layer++) {
            LlcResult[] alone = new LlcResult[CONFIG.nHeads()];
            for (int h = 0; h < CONFIG.nHeads(); h++) {
                alone[h] = LlcEstimator.estimate(CONFIG, WEIGHTS, ParameterMask.head(CONFIG, layer, h, false), d,
                        cfg, () -> false);
            }
            LlcResult[] shared = new LlcResult[CONFIG.nHeads()];
            try (LayerWindowCache inputs = new LayerWindowCache(CONFIG, WEIGHTS, d, layer)) {
                int l = layer;
                java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
                try {
                    List<java.util.concurrent.Future<?>> done = new ArrayList<>();
                    for (int h = 0; h < CONFIG.nHeads(); h++) {
                        int head = h;
                        done.add(two.submit(() -> shared[head] = LlcEstimator.estimate(CONFIG, WEIGHTS,
                                ParameterMask.head(CONFIG, l, head, false), d, cfg, () -> false,
                                LlcEstimator.Path.AUTO, SgldSampler.Progress.NONE, inputs)));
                    }
                    for (java.util.concurrent.Future<?> f : done) {
                        f.get();
                    }
                } finally {
                    two.shutdown();
                }
                assertTrue(inputs.computedWindows() <= d.size(),
                        "each window once for all heads: " + inputs.computedWindows());
            }
            for (int h = 0; h < CONFIG.nHeads(); h++) {
                for (int c = 0; c < 3; c++) {
                    assertArrayEquals(alone[h].lossTrace()[c], shared[h].lossTrace()[c], 2e-5,
                            layer + ":" + h + " chain " + c);
                }
                assertEquals(alone[h].llcMean(), shared[h].llcMean(), 1e-3, layer + ":" + h);
            }
        }
    }

    /** Inputs made for another layer or other windows are not used (the estimate computes its own). */
    @Test
    void layerInputsOfAnotherLayerOrOtherWindowsAreNotUsed() {
        LlcData d = data(10, 8);
        SgldConfig cfg = small().withDraws(4);
        ParameterMask mask = ParameterMask.head(CONFIG, 1, 0, false);
        LlcResult alone = LlcEstimator.estimate(CONFIG, WEIGHTS, mask, d, cfg, () -> false);
        try (LayerWindowCache layer0 = new LayerWindowCache(CONFIG, WEIGHTS, d, 0);
                LayerWindowCache others = new LayerWindowCache(CONFIG, WEIGHTS, data(11, 8), 1)) {
            for (LayerWindowCache wrong : new LayerWindowCache[] {layer0, others}) {
                LlcResult r = LlcEstimator.estimate(CONFIG, WEIGHTS, mask, d, cfg, () -> false,
                        LlcEstimator.Path.AUTO, SgldSampler.Progress.NONE, wrong);
                assertArrayEquals(alone.lossTrace()[0], r.lossTrace()[0], 0.0);
                assertEquals(0, wrong.computedWindows());
            }
        }
    }

    @Test
    void frozenCoordinatesStayBitIdentical() {
        ParameterMask mask = ParameterMask.head(CONFIG, 1, 0, true).union(ParameterMask.named(CONFIG,
                java.util.Set.of("blocks.0.attn.b_O")));
        SgldConfig cfg = small().withDraws(30).withNoiseLevel(5).withEpsilon(1e-2);
        try (PlainTransformerTarget t = new PlainTransformerTarget(CONFIG, WEIGHTS, mask, data(10, 8), 3)) {
            SgldSampler.sample(t, cfg, () -> false);
            for (String n : mask.parameterNames()) {
                float[] m = mask.mask(n).data();
                float[] w0 = WEIGHTS.get(n).data();
                for (int c = 0; c < 3; c++) {
                    float[] w = t.chainWeights(c, n);
                    int moved = 0;
                    for (int i = 0; i < w.length; i++) {
                        if (m[i] == 0f) {
                            assertEquals(Float.floatToRawIntBits(w0[i]), Float.floatToRawIntBits(w[i]), n + "[" + i + "]");
                        } else {
                            moved += w[i] != w0[i] ? 1 : 0;
                        }
                    }
                    assertTrue(moved > 0, n + " sampled coordinates moved");
                }
            }
        }
    }

    /** The head path (lazy window inputs, chunks filled from the announced next batches) repeats bit for bit. */
    @Test
    void headPathWithTheSameSeedGivesIdenticalNumbers() {
        ParameterMask mask = ParameterMask.head(CONFIG, 1, 1, false);
        SgldConfig cfg = small().withDraws(12).withBatchSize(3);
        LlcResult a = LlcEstimator.estimate(CONFIG, WEIGHTS, mask, data(10, 8), cfg, () -> false);
        LlcResult b = LlcEstimator.estimate(CONFIG, WEIGHTS, mask, data(10, 8), cfg, () -> false);
        assertEquals("head", ((Map<?, ?>) a.params().get("target")).get("path"));
        for (int c = 0; c < 3; c++) {
            assertArrayEquals(a.lossTrace()[c], b.lossTrace()[c], 0.0);
        }
        assertEquals(a.llcMean(), b.llcMean(), 0.0);
        assertArrayEquals(a.convergence().gewekeZ(), b.convergence().gewekeZ(), 0.0);
    }

    @Test
    void sameSeedGivesIdenticalNumbers() {
        ParameterMask mask = ParameterMask.layer(CONFIG, 0);
        LlcResult a = LlcEstimator.estimate(CONFIG, WEIGHTS, mask, data(10, 8), small(), () -> false);
        LlcResult b = LlcEstimator.estimate(CONFIG, WEIGHTS, mask, data(10, 8), small(), () -> false);
        for (int c = 0; c < 3; c++) {
            assertArrayEquals(a.lossTrace()[c], b.lossTrace()[c], 0.0);
        }
        assertEquals(a.llcMean(), b.llcMean(), 0.0);
    }

    @Test
    void cancelStopsWithinOneStepAndFreesMemory() {
        AtomicInteger polls = new AtomicInteger();
        assertThrows(CancellationException.class, () -> LlcEstimator.estimate(CONFIG, WEIGHTS,
                ParameterMask.head(CONFIG, 0, 0, false), data(10, 8), small().withDraws(1000),
                () -> polls.incrementAndGet() > 5));
        assertEquals(6, polls.get());
    }

    @Test
    void divergenceOnTheTransformerIsReportedNotThrown() {
        SgldConfig wild = small().withEpsilon(5).withNbeta(1e4).withDraws(40);
        LlcResult r = LlcEstimator.estimate(CONFIG, WEIGHTS, ParameterMask.full(CONFIG), data(10, 8), wild,
                () -> false);
        assertTrue(!r.diverged().isEmpty(), r.warnings().toString());
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("diverged")));
    }
}
