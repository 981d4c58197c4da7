package org.headlab.core.run;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.headlab.core.data.TokenizerSpec;

/** Small runs for tests: a 1-layer, 2-head model whose checkpoints are a few hundred bytes. */
final class TinyRuns {
    static final ModelConfig CONFIG = ModelConfig.attnOnly(1, 2, 4, 2, 5, 3);
    static final TokenizerSpec TOKENIZER = TokenizerSpec.chars(List.of("<bos>", "a", "b", "(", ")"), "<bos>");

    private TinyRuns() {
    }

    static Map<String, HostTensor> weights(int step) {
        return RandomWeights.gaussian(CONFIG, 1000L + step, 0.5, true);
    }

    /** A committed run with one checkpoint per step (weights seeded by step) and a "text" dataset. */
    static Run write(Path target, int... steps) {
        try (RunWriter w = RunWriter.create(target, CONFIG, TOKENIZER, "tiny", "a tiny test run")) {
            for (int step : steps) {
                w.addCheckpoint(step, weights(step));
            }
            w.addDataset("text", "a few strings", List.of("ab", "(a)", "b"));
            w.training(Map.of("lr", 0.01, "seed", 7));
            return w.commit();
        }
    }

    static long bytesPerCheckpoint() {
        return CONFIG.parameterCount() * Float.BYTES;
    }
}
