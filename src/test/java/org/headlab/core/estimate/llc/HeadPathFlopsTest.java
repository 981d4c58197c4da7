package org.headlab.core.estimate.llc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.headlab.core.run.ModelConfig;
import org.junit.jupiter.api.Test;

/** Checked against counts done by hand, product by product, for a tiny model (the comments show the sums). */
class HeadPathFlopsTest {
    // 2 layers × 2 heads, d_model 4, d_head 2, vocab 5; one window of 3 tokens
    private static final ModelConfig TINY = ModelConfig.attnOnly(2, 2, 4, 2, 5, 8);

    @Test
    void lastLayerHeadIsTheHeadAndTheUnembedding() {
        // Q,K,V: 3 × (2·3·4·2) forward + the same for weight gradients = 288
        // QK^T and A·V: 2 × (2·1·3·3·2) = 72 forward, × 3 with both operand gradients = 216
        // W_O: 2·3·2·4 = 48, × 3 (forward, input and weight gradient) = 144
        // unembedding of the 2 predicting positions: 2·2·4·5 = 80, × 2 (forward, input gradient) = 160
        assertEquals(288 + 216 + 144 + 160, HeadPathFlops.perStep(TINY, 1, 1, 3), 0);
    }

    @Test
    void firstLayerHeadAddsAllOfTheNextLayerWithInputGradientsOnly() {
        // layer 1, both heads: Q,K,V 3·(2·3·4·4) = 288 and W_O 2·3·4·4 = 96, × 2 (forward, input gradient) = 768;
        // attention 2 heads × 72 × 3 = 432
        assertEquals(808 + 768 + 432, HeadPathFlops.perStep(TINY, 0, 1, 3), 0);
    }
}
