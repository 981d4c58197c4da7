package org.headlab.cli;

import static org.headlab.cli.CliTest.assertOneLineUserError;
import static org.headlab.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.headlab.core.data.TaggedDyckGenerator;
import org.headlab.core.run.Run;
import org.headlab.core.session.AttentionResult;
import org.headlab.core.session.InputKind;
import org.headlab.core.session.RunSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code headlab train} end to end on tiny settings (a few steps). */
class TrainCommandTest {
    @TempDir
    Path tmp;

    static final String[] TINY = {"--layers", "1", "--heads", "2", "--d-model", "16", "--d-head", "4", "--steps",
        "6", "--checkpoints", "3", "--train-size", "60", "--heldout-size", "10", "--quiet"};

    static String[] args(String... head) {
        String[] a = new String[head.length + TINY.length];
        System.arraycopy(head, 0, a, 0, head.length);
        System.arraycopy(TINY, 0, a, head.length, TINY.length);
        return a;
    }

    @Test
    void trainsADyckRun() {
        Path out = tmp.resolve("dyck");
        CliTest.Result r = cli(args("train", "--task", "dyck", "--out", out.toString(), "--n-ctx", "16", "--kinds",
                "3"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("3 checkpoints"), r.out());
        Run run = Run.open(out);
        assertEquals(7, run.config().dVocab(), "BOS + 3 bracket pairs");
        assertEquals("char", run.manifest().tokenizer().type());
        assertEquals(60, run.readDataset("train").size());
        assertEquals(10, run.readDataset("heldout").size());
        String command = run.manifest().training().get("command").asText();
        assertTrue(command.startsWith("headlab train --task dyck --out dyck"), command);
        assertTrue(command.contains("--kinds 3"), command);
    }

    @Test
    void trainsALanguageModelWithALearnedBpeThatShipsItsTokenizerAndFitsEveryChunkInTheContext() {
        Path out = tmp.resolve("lm");
        // this project's own README as the text and its Java sources as the code
        CliTest.Result r = cli("train", "--task", "lm", "--out", out.toString(), "--text", "README.md", "--code",
                "src/main/java/org/headlab/train", "--code-ext", "java", "--vocab-size", "300", "--n-ctx", "32",
                "--layers", "1", "--heads", "2", "--d-model", "16", "--d-head", "4", "--steps", "4", "--checkpoints",
                "2", "--train-size", "40", "--heldout-size", "5", "--repeat-fraction", "0.5", "--quiet");
        assertEquals(0, r.code(), r.err());
        Run run = Run.open(out);
        long repeated = run.readDataset("code").stream().map(d -> d.text())
                .filter(TrainCommandTest::isAPassageWrittenOverAndOver).count();
        assertTrue(repeated >= 10 && repeated <= 30, "about half of 40 code chunks are a passage written over and "
                + "over: " + repeated);
        assertTrue(run.readDataset("code-heldout").stream().map(d -> d.text())
                .noneMatch(TrainCommandTest::isAPassageWrittenOverAndOver), "held-out stays plain");
        assertEquals("huggingface", run.manifest().tokenizer().type());
        assertTrue(Files.isRegularFile(out.resolve("tokenizer.json")));
        assertEquals(300, run.config().dVocab());
        String command = run.manifest().training().get("command").asText();
        assertTrue(command.contains("--tokenizer bpe --vocab-size 300"), command);
        try (RunSession session = RunSession.open(out)) {
            for (String slice : List.of("text", "code", "text-heldout")) {
                for (var doc : run.readDataset(slice)) {
                    int n = session.encode(doc.text()).ids().length;
                    assertTrue(n <= 32, "BOS + chunk fits n_ctx: " + n);
                    if (slice.endsWith("heldout")) { // plain chunks stop only where the next word does not fit
                        assertTrue(n >= 12, "plain chunks are not nearly empty: " + n);
                    }
                }
            }
        }
    }

    @Test
    void storesF16CheckpointsWhenAskedThatAreTheFloat32WeightsRounded() throws Exception {
        Path f32 = tmp.resolve("f32");
        Path f16 = tmp.resolve("f16");
        assertEquals(0, cli(args("train", "--task", "dyck", "--out", f32.toString(), "--n-ctx", "16")).code());
        CliTest.Result r = cli(args("train", "--task", "dyck", "--out", f16.toString(), "--n-ctx", "16",
                "--checkpoint-dtype", "f16"));
        assertEquals(0, r.code(), r.err());
        Run a = Run.open(f32);
        Run b = Run.open(f16);
        assertTrue(b.manifest().training().get("command").asText().contains("--checkpoint-dtype f16"));
        assertTrue(b.manifest().training().get("checkpoint_dtype").asText().startsWith("F16"));
        assertEquals(a.steps(), b.steps());
        for (int step : a.steps()) {
            Path file = f16.resolve(org.headlab.core.run.RunWriter.checkpointFile(step));
            assertTrue(org.headlab.core.run.SafetensorsReader.readHeader(file).tensors().values().stream()
                    .allMatch(e -> e.dtype() == org.headlab.core.run.SafetensorsDtype.F16), "step " + step);
            assertEquals(org.headlab.core.run.SafetensorsReader.readHeader(f32.resolve(org.headlab.core.run
                    .RunWriter.checkpointFile(step))).dataLength(),
                    2 * org.headlab.core.run.SafetensorsReader.readHeader(file).dataLength(), "half the bytes");
            var w32 = a.weights(step);
            var w16 = b.weights(step);
            for (String n : w32.keySet()) { // same training (float32), stored to 11 significant bits
                float[] x = w32.get(n).data();
                float[] y = w16.get(n).data();
                for (int i = 0; i < x.length; i++) {
                    assertTrue(Math.abs(x[i] - y[i]) <= Math.abs(x[i]) * 0x1p-11 + 0x1p-25,
                            "step " + step + " " + n + "[" + i + "]: " + x[i] + " vs " + y[i]);
                }
            }
        }
        assertEquals(a.manifest().training().get("checkpoint_metrics"),
                b.manifest().training().get("checkpoint_metrics"), "the losses are the float32 weights'");
    }

    @Test
    void savesExtraCheckpointStepsOnTopOfTheSchedule() {
        Path plain = tmp.resolve("plain");
        Path extra = tmp.resolve("extra");
        assertEquals(0, cli(args("train", "--task", "dyck", "--out", plain.toString(), "--n-ctx", "16")).code());
        CliTest.Result r = cli(args("train", "--task", "dyck", "--out", extra.toString(), "--n-ctx", "16",
                "--checkpoint-steps", "5,2,5"));
        assertEquals(0, r.code(), r.err());
        List<Integer> base = Run.open(plain).steps();
        Run run = Run.open(extra);
        java.util.TreeSet<Integer> expected = new java.util.TreeSet<>(base);
        expected.addAll(List.of(2, 5));
        assertEquals(List.copyOf(expected), run.steps(), "the schedule of --checkpoints 3 plus steps 2 and 5");
        assertTrue(run.manifest().training().get("command").asText().contains("--checkpoint-steps 2,5"));
        // the same training: the weights at the shared last step are identical (extra saves change nothing else)
        int last = base.get(base.size() - 1);
        org.junit.jupiter.api.Assertions.assertArrayEquals(Run.open(plain).weights(last).get("embed.W_E").data(),
                run.weights(last).get("embed.W_E").data());
    }

    /** Whether the text is some passage written two or more whole times. */
    static boolean isAPassageWrittenOverAndOver(String x) {
        for (int d = 1; d <= x.length() / 2; d++) {
            if (x.length() % d == 0 && x.substring(0, d).repeat(x.length() / d).equals(x)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void trainsACharacterLanguageModelWhenAsked() {
        Path out = tmp.resolve("lmc");
        CliTest.Result r = cli(args("train", "--task", "lm", "--tokenizer", "character", "--out", out.toString(),
                "--text", "README.md", "--code", "src/main/java/org/headlab/train", "--code-ext", "java", "--n-ctx",
                "32"));
        assertEquals(0, r.code(), r.err());
        Run run = Run.open(out);
        assertEquals("char", run.manifest().tokenizer().type());
        assertEquals(97, run.config().dVocab());
    }

    @Test
    void trainsADyckRunWithUntypedClosersThatDeclaresItsBracketPairs() {
        Path out = tmp.resolve("tagged");
        CliTest.Result r = cli(args("train", "--task", "dyck", "--closers", "untyped", "--out", out.toString(),
                "--n-ctx", "16", "--kinds", "3"));
        assertEquals(0, r.code(), r.err());
        Run run = Run.open(out);
        assertEquals(List.of("<bos>", "(", "[", "{", ")", "a", "b", "c"), run.manifest().tokenizer().vocab());
        assertEquals(TaggedDyckGenerator.pairs(3), run.manifest().tokenizer().bracketPairs());
        String text = run.readDataset("train").get(0).text();
        assertTrue(text.matches("[(\\[{)abc]+") && text.contains(")"), text);
        assertTrue(run.manifest().training().get("command").asText().contains("--closers untyped"));
        try (RunSession s = RunSession.open(out)) {
            AttentionResult a = s.attention(s.steps().get(0), "([)b)a");
            assertEquals(List.of(-1, 5, 3, 2, -1, 1, -1), java.util.Arrays.stream(a.structure().matches()).boxed()
                    .toList(), "BOS first, then ( [ ) b ) a paired by the run's pairs");
            assertTrue(a.structure().isBalanced());
            String generated = s.generateInput(InputKind.DYCK, 3);
            assertTrue(s.structure(s.encode(generated).tokens()).isBalanced(), generated);
            assertTrue(generated.contains("a") || generated.contains("b") || generated.contains("c"), generated);
        }
    }

    @Test
    void trainsAnSExpressionRun() {
        Path out = tmp.resolve("sexpr");
        CliTest.Result r = cli(args("train", "--task", "sexpr", "--out", out.toString(), "--n-ctx", "48",
                "--max-depth", "2"));
        assertEquals(0, r.code(), r.err());
        Run run = Run.open(out);
        assertEquals("bracket", run.manifest().tokenizer().type());
        assertTrue(run.readDataset("train").get(0).text().contains(" = "));
    }

    @Test
    void trainsAnSexprRunWithMlpsAndDepthWeights() {
        Path out = tmp.resolve("sexpr-mlp");
        CliTest.Result r = cli(args("train", "--task", "sexpr", "--out", out.toString(), "--n-ctx", "48",
                "--max-depth", "2", "--depth-weights", "3,1", "--mlp", "32", "--act", "relu"));
        assertEquals(0, r.code(), r.err());
        Run run = Run.open(out);
        assertFalse(run.config().attnOnly());
        assertEquals(32, run.config().dMlp());
        assertEquals("relu", run.config().activation());
        assertTrue(run.weights(0).containsKey("blocks.0.mlp.W_in"));
        String command = run.manifest().training().get("command").asText();
        assertTrue(command.contains("--mlp 32 --act relu") && command.contains("--depth-weights 3,1"), command);
        assertTrue(run.manifest().training().get("generator").asText().contains("depthWeights=[3, 1]"));
        assertOneLineUserError(cli(args("train", "--task", "sexpr", "--out", tmp.resolve("w").toString(),
                "--max-depth", "3", "--depth-weights", "1,1")), "one weight per depth");
        assertOneLineUserError(cli(args("train", "--task", "dyck", "--out", tmp.resolve("v").toString(),
                "--depth-weights", "1,1")), "--depth-weights");
        assertOneLineUserError(cli(args("train", "--task", "sexpr", "--out", tmp.resolve("u").toString(),
                "--mlp", "16", "--act", "tanh")), "act_fn");
        assertFalse(Files.exists(tmp.resolve("w")) || Files.exists(tmp.resolve("v")) || Files.exists(tmp.resolve("u")));
    }

    @Test
    void helpAndUserErrors() throws Exception {
        CliTest.Result help = cli("train", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--resume"), help.out());
        Path exists = Files.createDirectory(tmp.resolve("exists"));
        assertOneLineUserError(cli(args("train", "--task", "dyck", "--out", exists.toString())), "already exists");
        assertOneLineUserError(cli(args("train", "--task", "dyck", "--out", tmp.resolve("x").toString(),
                "--kinds", "9")), "--kinds");
        assertOneLineUserError(cli(args("train", "--task", "dyck", "--out", tmp.resolve("y").toString(),
                "--resume")), "nothing to resume");
        assertOneLineUserError(cli(args("train", "--task", "dyck", "--out", tmp.resolve("z").toString(),
                "--n-ctx", "8", "--max-length", "14")), "n_ctx = 8");
        assertOneLineUserError(cli(args("train", "--task", "dyck", "--out", tmp.resolve("z").toString(),
                "--checkpoint-steps", "3,9")), "step 9 is not a training step (1..6)");
        assertFalse(Files.exists(tmp.resolve("x")) || Files.exists(tmp.resolve("y")) || Files.exists(tmp.resolve("z")));
        try (var s = Files.list(tmp)) {
            assertEquals(1, s.count(), "only the pre-existing folder");
        }
    }
}
