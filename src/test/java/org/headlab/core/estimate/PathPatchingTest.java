package org.headlab.core.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.ablation.Ablation;
import org.headlab.core.estimate.ablation.AblationResult;
import org.headlab.core.estimate.ablation.AblationScores;
import org.headlab.core.estimate.ablation.PathPatching;
import org.headlab.core.estimate.ablation.PathPatching.Path;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.run.RandomWeights;
import org.junit.jupiter.api.Test;

/**
 * Path patching. References: the clean run (a patch whose patched value equals the clean value, along every path
 * kind, must leave the loss unchanged), and the full ablation (for a sender in the last layer, the direct path to
 * the logits is its only path, so patching it equals ablating the head).
 */
class PathPatchingTest {
    static final ModelConfig C = AblationScoresTest.C;

    static final List<Path> ALL_PATHS = List.of(new Path(Path.Kind.Q, new Head(1, 0)),
            new Path(Path.Kind.K, new Head(1, 1)), new Path(Path.Kind.V, new Head(1, 2)), Path.logits());

    @Test
    void aNoOpPatchEqualsTheCleanRunOnEveryPath() {
        int[][] slice = AblationScoresTest.tokens(3, 7, 5);
        for (ModelConfig c : List.of(C, C.withPositionalEmbedding("shortformer"), C.withNormalization("LNPre"))) {
            try (Transformer model = Transformer.create(c, RandomWeights.gaussian(c, 3, 0.5, true))) {
                AblationResult r = PathPatching.compute(model, slice, List.of(new Head(0, 1)), ALL_PATHS,
                        new Ablation.ResampleFrom(slice, new int[] {0, 1, 2}), 2);
                assertEquals(4, r.entries().size());
                for (AblationResult.Entry e : r.entries()) {
                    assertEquals(r.cleanLoss(), e.ablatedLoss(), 1e-5, e.path());
                    for (float[] row : e.tokenIncrease()) {
                        for (float x : row) {
                            assertEquals(0f, x, 5e-5f, e.path());
                        }
                    }
                }
            }
        }
    }

    @Test
    void patchingsPathsChangeTheLossAndTheLastLayersDirectPathEqualsFullAblation() {
        int[][] slice = AblationScoresTest.tokens(4, 8, 6);
        try (Transformer model = Transformer.create(C, RandomWeights.gaussian(C, 12, 0.6, true))) {
            AblationResult r = PathPatching.compute(model, slice, List.of(new Head(0, 0)), ALL_PATHS,
                    new Ablation.Zero(), 4);
            for (AblationResult.Entry e : r.entries()) {
                assertTrue(Math.abs(e.delta()) > 1e-5, e.path() + " " + e.delta());
            }
            assertEquals("Q 1:0", r.entries().get(0).path());
            AblationResult direct = PathPatching.compute(model, slice, List.of(new Head(1, 1)),
                    List.of(Path.logits()), new Ablation.Zero(), 3);
            AblationResult full = AblationScores.compute(model, slice, List.of(new Head(1, 1)), new Ablation.Zero(), 3);
            assertEquals(full.entries().get(0).delta(), direct.entries().get(0).delta(), 1e-5);
        }
    }

    @Test
    void aReceiverNotInALaterLayerIsRefused() {
        try (Transformer model = Transformer.create(C, RandomWeights.gaussian(C, 1, 0.5, true))) {
            HeadLabException e = assertThrows(HeadLabException.class, () -> PathPatching.compute(model,
                    AblationScoresTest.tokens(2, 4, 1), List.of(new Head(1, 0)),
                    List.of(new Path(Path.Kind.K, new Head(1, 2))), new Ablation.Zero(), 2));
            assertTrue(e.getMessage().contains("receiver 1:2 must be in a later layer than sender 1:0"),
                    e.getMessage());
            e = assertThrows(HeadLabException.class, () -> PathPatching.compute(model,
                    AblationScoresTest.tokens(2, 4, 1), List.of(new Head(0, 0)),
                    List.of(new Path(Path.Kind.Q, new Head(1, 7))), new Ablation.Zero(), 2));
            assertTrue(e.getMessage().contains("head must be 0..2"), e.getMessage());
        }
    }
}
