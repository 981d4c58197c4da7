package org.headlab.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.headlab.core.data.TokenizerSpec;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.run.RandomWeights;
import org.headlab.core.run.Run;
import org.headlab.core.run.RunWriter;

/**
 * Runs for CLI and GUI tests, written in the real format (run.json, safetensors, jsonl) with random weights: a
 * 2-layer, 4-head character-level model over brackets, small enough that a forward pass takes milliseconds.
 */
public final class FixtureRuns {
    public static final ModelConfig BRACKETS_CONFIG = ModelConfig.attnOnly(2, 4, 16, 4, 7, 64);
    public static final TokenizerSpec BRACKETS_TOKENIZER =
            TokenizerSpec.chars(List.of("<bos>", "(", ")", "[", "]", "a", "b"), "<bos>");
    public static final List<Integer> STEPS = List.of(0, 10, 100);

    private FixtureRuns() {
    }

    /** Writes the bracket run into {@code parent/name} and returns its folder. */
    public static Path brackets(Path parent, String name) {
        Path dir = parent.resolve(name);
        try (RunWriter w = RunWriter.create(dir, BRACKETS_CONFIG, BRACKETS_TOKENIZER, name,
                "random-weight fixture over brackets")) {
            for (int step : STEPS) {
                w.addCheckpoint(step, RandomWeights.gaussian(BRACKETS_CONFIG, 17L + step, 0.4, true));
            }
            w.addDataset("train", "balanced bracket strings", List.of("([])()", "[(a)]b", "(()[])"));
            w.training(Map.of("note", "fixture: random weights, not trained"));
            Run run = w.commit();
            return run.dir();
        }
    }

    /**
     * A copy of the bundled run {@code sample-runs/NAME} at {@code to}, without its result store (whatever a local
     * sweep stored stays out) and without what it ships beside the run itself (its results in {@code results/} and
     * its {@code labels.json}), so a test can write results and labels without touching the repository's run and
     * starts from an empty store and no labels.
     */
    public static Path copyOfSampleRun(String name, Path to) throws java.io.IOException {
        return copyOfSampleRun(name, to, false);
    }

    /** Like {@link #copyOfSampleRun(String, Path)}, with the shipped results and labels when {@code shipped}. */
    public static Path copyOfSampleRun(String name, Path to, boolean shipped) throws java.io.IOException {
        Path from = Path.of("sample-runs", name);
        try (java.util.stream.Stream<Path> all = java.nio.file.Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path rel = from.relativize(p);
                if (rel.startsWith(".headlab") || (!shipped && (rel.startsWith("results")
                        || rel.toString().equals("labels.json")))) {
                    continue;
                }
                Path target = to.resolve(rel.toString());
                if (java.nio.file.Files.isDirectory(p)) {
                    java.nio.file.Files.createDirectories(target);
                } else {
                    java.nio.file.Files.copy(p, target);
                }
            }
        }
        return to;
    }
}
