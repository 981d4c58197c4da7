package org.headlab.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.headlab.core.HeadLabException;
import org.headlab.core.data.DyckGenerator;
import org.headlab.core.data.TokenizerSpec;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.run.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Short real trainings of a tiny model (tens of steps): loss, run validity, bit-exact resume, bad input. */
class TrainerTest {
    @TempDir
    Path tmp;

    static final ModelConfig TINY = ModelConfig.attnOnly(2, 2, 16, 4, 5, 16);

    static TrainingSpec spec(long seed, int steps, List<TrainingSpec.Slice> slices, ModelConfig config) {
        return new TrainingSpec("tiny", "test run", config, TrainingTasks.dyckTokenizer(2), slices, "train",
                slices.size() > 1 ? "heldout" : null, steps, 8, AdamW.Settings.PAPER.withLr(1e-2), 1.0, seed, 6,
                Map.of("task", "dyck"));
    }

    static List<TrainingSpec.Slice> dyck() {
        return TrainingTasks.slices(new DyckGenerator(2, 3, 2, 14, false), 7, 300, 40, "Dyck-2");
    }

    /** Names in the folder, hidden ones included. */
    static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void shortTrainingLowersTheLossAndWritesAValidRun() throws IOException {
        Path target = tmp.resolve("run");
        Run run = Trainer.train(spec(1, 40, dyck(), TINY), target, false, Trainer.Listener.NONE);
        Run reopened = Run.open(target);
        assertEquals(6, reopened.steps().size());
        assertEquals(0, reopened.steps().get(0));
        assertEquals(40, reopened.steps().get(5));
        assertEquals(List.of("train", "heldout"), reopened.datasets().stream().map(d -> d.name()).toList());
        assertEquals(300, reopened.readDataset("train").size());
        JsonNode metrics = reopened.manifest().training().get("checkpoint_metrics");
        double first = metrics.get(0).get("heldout_loss").asDouble();
        double last = metrics.get(metrics.size() - 1).get("heldout_loss").asDouble();
        assertTrue(last < first - 0.2, "held-out loss " + first + " -> " + last);
        assertEquals(1, reopened.manifest().training().get("seed").asInt());
        assertEquals(List.of("run"), listing(tmp), "the training folder is gone");
        assertEquals(run.dir(), reopened.dir());
    }

    @Test
    void resumedTrainingEndsWithTheSameBitsAsAnUninterruptedOne() throws IOException {
        TrainingSpec s = spec(3, 30, dyck(), TINY);
        Run straight = Trainer.train(s, tmp.resolve("straight"), false, Trainer.Listener.NONE);

        Path target = tmp.resolve("resumed");
        Trainer.Listener crash = new Trainer.Listener() {
            @Override
            public void onStep(int step, int totalSteps, double loss) {
                if (step == 19) {
                    throw new IllegalStateException("simulated interrupt");
                }
            }
        };
        assertThrows(IllegalStateException.class, () -> Trainer.train(s, target, false, crash));
        assertFalse(Files.exists(target), "no run appears before training ends");
        assertTrue(Files.isDirectory(Trainer.trainingFolder(target)));
        HeadLabException again = assertThrows(HeadLabException.class,
                () -> Trainer.train(s, target, false, Trainer.Listener.NONE));
        assertTrue(again.getMessage().contains("--resume"), again.getMessage());
        HeadLabException other = assertThrows(HeadLabException.class,
                () -> Trainer.train(spec(4, 30, dyck(), TINY), target, true, Trainer.Listener.NONE));
        assertTrue(other.getMessage().contains("other settings"), other.getMessage());

        int[] resumedFrom = {-1};
        Run resumed = Trainer.train(s, target, true, new Trainer.Listener() {
            @Override
            public void onResume(int fromStep) {
                resumedFrom[0] = fromStep;
            }
        });
        assertTrue(resumedFrom[0] > 0 && resumedFrom[0] < 19, "resumed from " + resumedFrom[0]);
        assertEquals(straight.steps(), resumed.steps());
        for (int step : straight.steps()) {
            Map<String, HostTensor> a = straight.weights(step);
            Map<String, HostTensor> b = resumed.weights(step);
            for (String n : a.keySet()) {
                assertArrayEquals(a.get(n).data(), b.get(n).data(), "step " + step + " " + n);
            }
        }
        assertEquals(straight.manifest().training().get("checkpoint_metrics"),
                resumed.manifest().training().get("checkpoint_metrics"));
        assertFalse(Files.exists(Trainer.trainingFolder(target)));
    }

    @Test
    void anUnfinishedBpeTrainingKeepsItsTokenizerBesideItsCheckpoints() throws IOException {
        List<String> texts = new java.util.ArrayList<>();
        for (int i = 0; i < 60; i++) {
            texts.add("the cat sat on the mat " + i + " and the dog sat on the log");
        }
        BpeTokenizerTrainer.Bpe bpe = BpeTokenizerTrainer.train(texts,
                TextCorpus.VOCAB.subList(1, TextCorpus.VOCAB.size()), TrainingTasks.BOS, 140);
        TokenizerSpec tokenizer = new TokenizerSpec("huggingface", null, "tokenizer.json", TrainingTasks.BOS);
        List<TrainingSpec.Slice> slices = List.of(new TrainingSpec.Slice("text", "cats", texts));
        TrainingSpec s = new TrainingSpec("bpe", "bpe", ModelConfig.attnOnly(1, 2, 16, 4, 140, 24), tokenizer, slices,
                List.of("text"), List.of(), 10, 4, AdamW.Settings.PAPER, 1.0, 1, 3, Map.of(), bpe.toTokenizerJson(),
                false);
        Path target = tmp.resolve("bpe");
        assertThrows(IllegalStateException.class, () -> Trainer.train(s, target, false, new Trainer.Listener() {
            @Override
            public void onStep(int step, int totalSteps, double loss) {
                if (step == 6) {
                    throw new IllegalStateException("simulated interrupt");
                }
            }
        }));
        Path folder = Trainer.trainingFolder(target);
        // read back the way a watcher reads it: the plan's tokenizer spec, resolved against the training folder
        TokenizerSpec planned = org.headlab.core.Json.mapper().treeToValue(
                org.headlab.core.Json.mapper().readTree(folder.resolve(Trainer.PLAN_FILE).toFile()).get("tokenizer"),
                TokenizerSpec.class);
        org.headlab.core.data.Tokenizer watcher = org.headlab.core.data.Tokenizers.create(planned, folder);
        assertArrayEquals(bpe.encode("the dog sat on the mat"), watcher.encode("the dog sat on the mat"),
                "the file beside the checkpoints is the tokenizer being trained with (Java reference encoder)");
        Files.delete(folder.resolve("tokenizer.json")); // a folder from before the trainer kept the file
        assertThrows(IllegalStateException.class, () -> Trainer.train(s, target, true, new Trainer.Listener() {
            @Override
            public void onStep(int step, int totalSteps, double loss) {
                if (step == 9) {
                    throw new IllegalStateException("simulated interrupt");
                }
            }
        }));
        assertEquals(bpe.toTokenizerJson(), Files.readString(folder.resolve("tokenizer.json")), "resume restores it");
        Run resumed = Trainer.train(s, target, true, Trainer.Listener.NONE);
        assertEquals(bpe.toTokenizerJson(), Files.readString(resumed.dir().resolve("tokenizer.json")));
    }

    @Test
    void severalTrainingSlicesAreTrainedTogetherAndEachHeldOutSliceGetsItsLoss() throws IOException {
        List<TrainingSpec.Slice> a = TrainingTasks.slices(new DyckGenerator(1, 3, 2, 14, false), 7, 150, 20, "a");
        List<TrainingSpec.Slice> b = TrainingTasks.slices(new DyckGenerator(2, 3, 2, 14, false), 8, 150, 20, "b");
        List<TrainingSpec.Slice> slices = List.of(new TrainingSpec.Slice("a", "one kind", a.get(0).texts()),
                new TrainingSpec.Slice("b", "two kinds", b.get(0).texts()),
                new TrainingSpec.Slice("a-heldout", "one kind", a.get(1).texts()),
                new TrainingSpec.Slice("b-heldout", "two kinds", b.get(1).texts()));
        TrainingSpec s = new TrainingSpec("two", "two slices", TINY, TrainingTasks.dyckTokenizer(2), slices,
                List.of("a", "b"), List.of("a-heldout", "b-heldout"), 20, 8, AdamW.Settings.PAPER.withLr(1e-2), 1.0,
                5, 6, Map.of());
        Run straight = Trainer.train(s, tmp.resolve("straight"), false, Trainer.Listener.NONE);
        JsonNode t = straight.manifest().training();
        assertEquals(List.of("a", "b"), List.of(t.get("train_slices").get(0).asText(),
                t.get("train_slices").get(1).asText()));
        JsonNode last = t.get("checkpoint_metrics").get(5);
        double la = last.get("heldout_loss_a-heldout").asDouble();
        double lb = last.get("heldout_loss_b-heldout").asDouble();
        assertEquals((la + lb) / 2, last.get("heldout_loss").asDouble(), 1e-4);
        assertTrue(la > 0 && lb > 0 && la != lb, la + " " + lb);

        Path target = tmp.resolve("resumed");
        assertThrows(IllegalStateException.class, () -> Trainer.train(s, target, false, new Trainer.Listener() {
            @Override
            public void onStep(int step, int totalSteps, double loss) {
                if (step == 12) {
                    throw new IllegalStateException("simulated interrupt");
                }
            }
        }));
        Run resumed = Trainer.train(s, target, true, Trainer.Listener.NONE);
        assertEquals(t.get("checkpoint_metrics"), resumed.manifest().training().get("checkpoint_metrics"));
    }

    @Test
    void badInputGivesOneClearErrorAndLeavesNothing() throws IOException {
        Path parent = Files.createDirectory(tmp.resolve("out"));
        Files.createDirectory(parent.resolve("exists"));
        assertError(parent, "exists", spec(1, 5, dyck(), TINY), "already exists");
        // impossible shapes: d_head 0, and documents longer than the context
        assertError(parent, "a", spec(1, 5, dyck(), ModelConfig.attnOnly(2, 2, 16, 0, 5, 16)), "d_head");
        assertError(parent, "b", spec(1, 5, dyck(), ModelConfig.attnOnly(2, 2, 16, 4, 5, 8)), "n_ctx = 8");
        assertError(parent, "c", spec(1, 5, dyck(), ModelConfig.attnOnly(2, 2, 16, 4, 3, 16)), "d_vocab");
        assertError(parent, "d", spec(1, 0, dyck(), TINY), "--steps");
        // an empty corpus
        List<TrainingSpec.Slice> empty = List.of(new TrainingSpec.Slice("train", "nothing", List.of()));
        assertError(parent, "e", spec(1, 5, empty, TINY), "empty");
        // an output folder that is not there, or is a file
        Path file = Files.writeString(parent.resolve("file"), "x");
        HeadLabException e = assertThrows(HeadLabException.class,
                () -> Trainer.train(spec(1, 5, dyck(), TINY), file.resolve("run"), false, Trainer.Listener.NONE));
        assertTrue(e.getMessage().contains("not a folder"), e.getMessage());
        e = assertThrows(HeadLabException.class, () -> Trainer.train(spec(1, 5, dyck(), TINY),
                parent.resolve("missing/run"), false, Trainer.Listener.NONE));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertEquals(List.of("exists", "file"), listing(parent), "nothing half-written, no hidden folders");
    }

    private static void assertError(Path parent, String name, TrainingSpec s, String fragment) {
        HeadLabException e = assertThrows(HeadLabException.class,
                () -> Trainer.train(s, parent.resolve(name), false, Trainer.Listener.NONE));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void packingStartsEveryWindowAtADocumentAndLosesNothing() {
        List<int[]> docs = List.of(new int[] {0, 1, 2}, new int[] {0, 3, 4, 3, 4}, new int[] {0, 1}, new int[] {0});
        PackedCorpus c = PackedCorpus.pack(docs, 6, "test");
        // [0 1 2 0 3 4] (doc 1 cut) -> [0 3 4 3 4 0] (doc 2 cut) -> [0 1 0 0 1 2] (wraps to doc 0)
        assertEquals(3, c.windowCount());
        assertArrayEquals(new int[] {0, 1, 2, 0, 3, 4}, c.window(0));
        assertArrayEquals(new int[] {0, 3, 4, 3, 4, 0}, c.window(1));
        assertArrayEquals(new int[] {0, 1, 0, 0, 1, 2}, c.window(2));
        assertArrayEquals(c.batch(5, 9, 4)[3], c.batch(5, 9, 4)[3], "a step's batch depends on (seed, step) only");
        assertThrows(HeadLabException.class, () -> PackedCorpus.pack(List.of(), 6, "test"));
        // training never chunks a document: a window must start at a document's BOS (TokenWindowsTest covers
        // the chunking the estimators use)
        assertThrows(HeadLabException.class, () -> PackedCorpus.pack(List.of(new int[7]), 6, "test"));
    }
}
