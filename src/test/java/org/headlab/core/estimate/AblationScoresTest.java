package org.headlab.core.estimate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.ablation.Ablation;
import org.headlab.core.estimate.ablation.AblationResult;
import org.headlab.core.estimate.ablation.AblationScores;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.run.RandomWeights;
import org.junit.jupiter.api.Test;

/**
 * Ablation scores. References: a model whose W_O of the head is zeroed (zero ablation removes exactly that head's
 * output), the clean run (no-op resampling, a head that writes nothing), and the identity
 * "mean over one sequence = that sequence's values".
 */
class AblationScoresTest {
    static final ModelConfig C = ModelConfig.attnOnly(2, 3, 16, 4, 11, 12);

    static int[][] tokens(int n, int t, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[][] out = new int[n][t];
        for (int[] row : out) {
            for (int i = 0; i < t; i++) {
                row[i] = rng.nextInt(C.dVocab());
            }
        }
        return out;
    }

    static Map<String, HostTensor> withZeroWo(Map<String, HostTensor> w, int layer, int head) {
        Map<String, HostTensor> out = new LinkedHashMap<>(w);
        String name = "blocks." + layer + ".attn.W_O";
        HostTensor t = w.get(name);
        float[] d = t.data().clone();
        int per = C.dHead() * C.dModel();
        Arrays.fill(d, head * per, (head + 1) * per, 0f);
        out.put(name, new HostTensor(t.shape(), d));
        return out;
    }

    @Test
    void zeroAblationEqualsTheLossOfTheModelWithThatHeadsWoZeroed() {
        Map<String, HostTensor> w = RandomWeights.gaussian(C, 4, 0.5, true);
        int[][] slice = tokens(5, 8, 1);
        try (Transformer model = Transformer.create(C, w)) {
            AblationResult r = AblationScores.compute(model, slice, null, new Ablation.Zero(), 2);
            assertEquals(6, r.entries().size());
            assertEquals(model.loss(slice), r.cleanLoss(), 1e-6);
            for (AblationResult.Entry e : r.entries()) {
                try (Transformer cut = Transformer.create(C, withZeroWo(w, e.head().layer(), e.head().head()))) {
                    double expected = cut.loss(slice);
                    assertEquals(expected, e.ablatedLoss(), 1e-5, e.head().toString());
                    assertEquals(e.delta(), e.ablatedLoss() - r.cleanLoss(), 1e-12);
                    assertEquals(e.delta() / r.cleanLoss(), e.normalized(), 1e-12);
                    float[][] tl = cut.tokenLosses(slice);
                    for (int b = 0; b < slice.length; b++) {
                        for (int i = 0; i < 7; i++) {
                            assertEquals(tl[b][i] - r.cleanTokenLosses()[b][i], e.tokenIncrease()[b][i], 2e-5);
                        }
                    }
                }
            }
            assertTrue(r.entries().stream().anyMatch(e -> Math.abs(e.delta()) > 1e-3), "some head matters");
        }
    }

    @Test
    void zeroAblatingAHeadWhoseWoIsZeroChangesNothing() {
        Map<String, HostTensor> w = withZeroWo(RandomWeights.gaussian(C, 6, 0.5, true), 0, 1);
        int[][] slice = tokens(4, 9, 2);
        try (Transformer model = Transformer.create(C, w)) {
            AblationResult r = AblationScores.compute(model, slice, List.of(new Head(0, 1)), new Ablation.Zero(), 3);
            AblationResult.Entry e = r.entries().get(0);
            assertEquals(0.0, e.delta(), 1e-7);
            for (float[] row : e.tokenIncrease()) {
                for (float x : row) {
                    assertEquals(0f, x, 1e-6f);
                }
            }
        }
    }

    @Test
    void resamplingFromTheSameSequenceIsANoOpAndMeanOfOneEqualsResampleFromIt() {
        int[][] slice = tokens(4, 8, 3);
        int[][] ref = tokens(1, 10, 4); // longer than the slice: cut to its length
        try (Transformer model = Transformer.create(C, RandomWeights.gaussian(C, 7, 0.5, true))) {
            AblationResult same = AblationScores.compute(model, slice, null,
                    new Ablation.ResampleFrom(slice, new int[] {0, 1, 2, 3}), 2);
            for (AblationResult.Entry e : same.entries()) {
                assertEquals(0.0, e.delta(), 1e-7, e.head().toString());
            }
            AblationResult mean = AblationScores.compute(model, slice, null, new Ablation.Mean(ref), 3);
            AblationResult from = AblationScores.compute(model, slice, null,
                    new Ablation.ResampleFrom(ref, new int[] {0, 0, 0, 0}), 3);
            for (int i = 0; i < mean.entries().size(); i++) {
                assertEquals(from.entries().get(i).delta(), mean.entries().get(i).delta(), 1e-9);
                assertArrayEquals(from.entries().get(i).tokenIncrease()[2], mean.entries().get(i).tokenIncrease()[2]);
            }
            assertTrue(mean.entries().stream().anyMatch(e -> Math.abs(e.delta()) > 1e-3));
        }
    }

    @Test
    void seededResamplingIsDeterministicAndIndependentOfTheBatchSize() {
        int[][] slice = tokens(5, 6, 8);
        try (Transformer model = Transformer.create(C, RandomWeights.gaussian(C, 9, 0.5, true))) {
            List<Head> one = List.of(new Head(1, 2));
            AblationResult a = AblationScores.compute(model, slice, one, new Ablation.Resample(11), 2);
            AblationResult b = AblationScores.compute(model, slice, one, new Ablation.Resample(11), 5);
            assertEquals(a.entries().get(0).delta(), b.entries().get(0).delta(), 1e-6);
            assertTrue(Math.abs(a.entries().get(0).delta()) > 1e-4);
            assertEquals("resample", a.ablation());
        }
    }

    @Test
    void badInputGivesOneClearError() {
        try (Transformer model = Transformer.create(C, RandomWeights.gaussian(C, 1, 0.5, true))) {
            int[][] slice = tokens(3, 5, 1);
            HeadLabException e = assertThrows(HeadLabException.class,
                    () -> AblationScores.compute(model, slice, List.of(new Head(0, 3)), new Ablation.Zero(), 2));
            assertTrue(e.getMessage().contains("head 0:3: head must be 0..2"), e.getMessage());
            e = assertThrows(HeadLabException.class,
                    () -> AblationScores.compute(model, slice, List.of(new Head(2, 0)), new Ablation.Zero(), 2));
            assertTrue(e.getMessage().contains("layer must be 0..1"), e.getMessage());
            e = assertThrows(HeadLabException.class,
                    () -> AblationScores.compute(model, new int[0][], null, new Ablation.Zero(), 2));
            assertTrue(e.getMessage().contains("slice is empty"), e.getMessage());
            e = assertThrows(HeadLabException.class,
                    () -> AblationScores.compute(model, new int[][] {{1}, {2}}, null, new Ablation.Zero(), 2));
            assertTrue(e.getMessage().contains("too short"), e.getMessage());
            e = assertThrows(HeadLabException.class,
                    () -> AblationScores.compute(model, tokens(1, 5, 1), null, new Ablation.Resample(1), 2));
            assertTrue(e.getMessage().contains("at least 2 sequences"), e.getMessage());
            e = assertThrows(HeadLabException.class,
                    () -> AblationScores.compute(model, slice, null, new Ablation.Mean(tokens(2, 3, 1)), 2));
            assertTrue(e.getMessage().contains("fewer than the slice's 5"), e.getMessage());
        }
    }
}
