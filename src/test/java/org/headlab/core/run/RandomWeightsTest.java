package org.headlab.core.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sinusoidal position init against values worked out from the formula by hand. */
class RandomWeightsTest {
    static final ModelConfig CONFIG = ModelConfig.attnOnly(1, 2, 8, 4, 10, 6);

    @Test
    void sinusoidalPositionsFollowTheFormulaAtTheGpt2Rms() {
        Map<String, HostTensor> w = RandomWeights.withSinusoidalPositions(RandomWeights.gpt2(CONFIG, 3), CONFIG);
        float[] pos = w.get("pos_embed.W_pos").data();
        double scale = 0.8 / Math.sqrt(8) * Math.sqrt(2);
        // position 0: sin 0 = 0 in even columns, cos 0 = 1 in odd columns
        assertArrayEquals(new float[] {0, (float) scale, 0, (float) scale, 0, (float) scale, 0, (float) scale},
                java.util.Arrays.copyOfRange(pos, 0, 8), 1e-7f);
        // position 2, columns 2 and 3: frequency 10000^(-2/8) = 0.1
        assertEquals(scale * Math.sin(0.2), pos[2 * 8 + 2], 1e-6);
        assertEquals(scale * Math.cos(0.2), pos[2 * 8 + 3], 1e-6);
        // the other weights are the plain GPT-2 init, untouched
        assertArrayEquals(RandomWeights.gpt2(CONFIG, 3).get("embed.W_E").data(), w.get("embed.W_E").data());
        assertNotEquals(RandomWeights.gpt2(CONFIG, 3).get("pos_embed.W_pos").data()[1], pos[1]);
    }
}
