package org.headlab.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.headlab.core.run.RandomWeights;
import org.headlab.core.run.RunWriter;

/** A bracket run (FixtureRuns' model and tokenizer) with many checkpoints and a larger slice, for sweeps. */
public final class SweepFixtures {
    private SweepFixtures() {
    }

    /** {@code checkpoints} steps 0, 10, 20, ...; a "train" slice of {@code sequences} strings of 31 characters. */
    public static Path run(Path parent, String name, int checkpoints, int sequences) {
        Path dir = parent.resolve(name);
        try (RunWriter w = RunWriter.create(dir, FixtureRuns.BRACKETS_CONFIG, FixtureRuns.BRACKETS_TOKENIZER, name,
                "random-weight sweep fixture")) {
            for (int i = 0; i < checkpoints; i++) {
                w.addCheckpoint(i * 10, RandomWeights.gaussian(FixtureRuns.BRACKETS_CONFIG, 1000L + i, 0.4, true));
            }
            SplittableRandom rnd = new SplittableRandom(7);
            String alphabet = "()[]ab";
            List<String> texts = new ArrayList<>();
            for (int s = 0; s < sequences; s++) {
                StringBuilder b = new StringBuilder();
                for (int c = 0; c < 31; c++) {
                    b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
                }
                texts.add(b.toString());
            }
            w.addDataset("train", "random bracket strings", texts);
            w.addDataset("short", "a few", texts.subList(0, Math.min(4, texts.size())));
            w.training(Map.of("note", "fixture: random weights, not trained"));
            return w.commit().dir();
        }
    }
}
