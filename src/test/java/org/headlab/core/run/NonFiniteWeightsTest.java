package org.headlab.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.headlab.core.HeadLabException;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint with NaN or infinite weights is refused on load, naming the file, the tensor and the count. */
class NonFiniteWeightsTest {
    @TempDir
    Path tmp;

    @Test
    void brokenWeightsAreRefusedWithTheirTensorAndCount() {
        Map<String, HostTensor> good = RandomWeights.gaussian(FixtureRuns.BRACKETS_CONFIG, 1, 0.4, true);
        Map<String, HostTensor> broken = new HashMap<>(good);
        HostTensor q = good.get("blocks.1.attn.W_Q");
        float[] data = q.data().clone();
        data[5] = Float.NaN;
        data[9] = Float.POSITIVE_INFINITY;
        broken.put("blocks.1.attn.W_Q", new HostTensor(q.shape(), data));
        try (RunWriter w = RunWriter.create(tmp.resolve("r"), FixtureRuns.BRACKETS_CONFIG,
                FixtureRuns.BRACKETS_TOKENIZER, "r", "one good, one broken checkpoint")) {
            w.addCheckpoint(0, good);
            w.addCheckpoint(10, broken);
            w.commit();
        }
        Run run = Run.open(tmp.resolve("r"));
        assertEquals(good.keySet(), run.weights(0).keySet(), "the good checkpoint loads");
        HeadLabException e = assertThrows(HeadLabException.class, () -> run.weights(10));
        assertTrue(e.getMessage().contains("step-000010.safetensors: tensor blocks.1.attn.W_Q has 2 of "
                + data.length + " values that are NaN or infinite (the first at flat index 5, NaN)"), e.getMessage());
    }
}
