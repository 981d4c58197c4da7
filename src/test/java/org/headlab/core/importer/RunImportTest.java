package org.headlab.core.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.headlab.core.HeadLabException;
import org.headlab.core.Json;
import org.headlab.core.model.ForwardResult;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.Run;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code import}: a Hugging Face GPT-2 series checked against PyTorch (logits and attention patterns of a reference
 * forward written from the published architecture, tools/make_import_fixtures.py, committed with its fixtures), a
 * TransformerLens series checked bit for bit against the run it came from, a run written by tools/headlab_run.py
 * against a TransformerLens-style forward in PyTorch, and every refusal one line that leaves
 * nothing behind and the source untouched.
 */
class RunImportTest {
    static final Path GPT2 = Path.of("src/test/resources/import/gpt2");
    static final Path PYTHIA = Path.of("src/test/resources/import/pythia");

    @TempDir
    Path tmp;

    @Test
    void aGpt2SeriesImportsAndItsForwardMatchesPyTorch() throws IOException {
        Map<String, String> before = digests(GPT2);
        Run run = RunImport.importRun(GPT2, tmp.resolve("gpt2"), RunImport.Options.defaults());
        assertEquals(before, digests(GPT2), "the source is never written to");
        assertEquals(List.of(0, 100), run.steps());
        assertEquals("gelu_new", run.config().activation());
        assertEquals(64, run.config().dMlp());
        assertMatchesReference(run, GPT2.resolve("reference.json"));
    }

    /**
     * A Pythia-style GPT-NeoX series (fused per-head-interleaved QKV, rotary positions on half of each head, parallel
     * attention + MLP, untied unembedding) against a GPT-NeoX forward written in PyTorch from the published
     * architecture (tools/make_import_fixtures.py).
     */
    @Test
    void aPythiaSeriesImportsAndItsForwardMatchesPyTorch() throws IOException {
        Map<String, String> before = digests(PYTHIA);
        Run run = RunImport.importRun(PYTHIA, tmp.resolve("pythia"), RunImport.Options.defaults());
        assertEquals(before, digests(PYTHIA), "the source is never written to");
        assertEquals(List.of(0, 100), run.steps());
        assertTrue(run.config().rotary());
        assertEquals(4, run.config().rotaryDimOrDefault(), "rotary_pct 0.5 of d_head 8");
        assertTrue(run.config().parallelBlocks());
        assertEquals("gelu", run.config().activation());
        assertFalse(run.weights(0).containsKey("pos_embed.W_pos"), "rotary models have no W_pos");
        assertMatchesReference(run, PYTHIA.resolve("reference.json"));
    }

    /** A TransformerLens series with RMSNorm, rotary positions and a silu MLP against a TL-style PyTorch forward. */
    @Test
    void aTransformerLensSeriesWithRmsNormAndRotaryMatchesPyTorch() throws IOException {
        Path src = Path.of("src/test/resources/import/tl-rms");
        Run run = RunImport.importRun(src, tmp.resolve("rms"), new RunImport.Options(null,
                GPT2.resolve("tokenizer.json"), null, Map.of(), null));
        assertEquals(List.of(7), run.steps());
        assertEquals(org.headlab.core.run.ModelConfig.Normalization.RMS, run.config().normalization());
        assertFalse(run.weights(7).containsKey("blocks.0.ln1.b"), "RMSNorm has no bias");
        assertMatchesReference(run, src.resolve("reference.json"));
    }

    /** Logits (and attention patterns when the reference has them) of every step and input, to 1e-4. */
    static void assertMatchesReference(Run run, Path referenceJson) throws IOException {
        JsonNode ref = Json.mapper().readTree(referenceJson.toFile());
        int layers = run.config().nLayers();
        int heads = run.config().nHeads();
        for (int s = 0; s < ref.path("steps").size(); s++) {
            int step = ref.path("steps").get(s).asInt();
            try (Transformer t = Transformer.create(run.config(), run.weights(step))) {
                for (int q = 0; q < ref.path("inputs").size(); q++) {
                    int[] ids = Json.mapper().treeToValue(ref.path("inputs").get(q), int[].class);
                    ForwardResult f = t.forward(new int[][] {ids});
                    JsonNode logits = ref.path("logits").get(s).get(q);
                    for (int p = 0; p < ids.length; p++) {
                        for (int v = 0; v < run.config().dVocab(); v++) {
                            assertEquals(logits.get(p).get(v).asDouble(), f.logits()[0][p][v], 1e-4,
                                    "logit step " + step + " input " + q + " pos " + p + " token " + v);
                        }
                    }
                    if (!ref.has("patterns")) {
                        continue;
                    }
                    float[][][][] patterns = t.attentionPatterns(ids);
                    JsonNode a = ref.path("patterns").get(s).get(q);
                    for (int l = 0; l < layers; l++) {
                        for (int h = 0; h < heads; h++) {
                            for (int i = 0; i < ids.length; i++) {
                                for (int j = 0; j < ids.length; j++) {
                                    assertEquals(a.get(l).get(h).get(i).get(j).asDouble(), patterns[l][h][i][j],
                                            1e-4, "pattern " + l + ":" + h + " [" + i + "][" + j + "]");
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** tools/headlab_run.py's output (written from a training loop) opens as it is and computes TL's logits. */
    @Test
    void aRunWrittenByTheTrainingScriptWriterOpensAndMatchesTransformerLens() throws IOException {
        Run run = Run.open(Path.of("src/test/resources/import/headlab-run"));
        JsonNode ref = Json.mapper().readTree(Path.of("src/test/resources/import/headlab-run-reference.json")
                .toFile());
        assertEquals(List.of(0, 50), run.steps());
        assertEquals("train", run.datasets().get(0).name());
        for (int s = 0; s < 2; s++) {
            int[] ids = Json.mapper().treeToValue(ref.path("inputs").get(0), int[].class);
            try (Transformer t = Transformer.create(run.config(), run.weights(run.steps().get(s)))) {
                float[][] logits = t.forward(new int[][] {ids}).logits()[0];
                for (int p = 0; p < ids.length; p++) {
                    for (int v = 0; v < run.config().dVocab(); v++) {
                        assertEquals(ref.path("logits").get(s).get(0).get(p).get(v).asDouble(), logits[p][v], 1e-4,
                                "step " + run.steps().get(s) + " pos " + p + " token " + v);
                    }
                }
            }
        }
    }

    @Test
    void aTransformerLensSeriesImportsBitForBit() throws IOException {
        Path origin = FixtureRuns.brackets(tmp, "origin");
        Run o = Run.open(origin);
        Path src = Files.createDirectories(tmp.resolve("tl"));
        for (int step : o.steps()) {
            Files.copy(origin.resolve(String.format("checkpoints/step-%06d.safetensors", step)),
                    src.resolve("model_" + step + ".safetensors"));
        }
        Files.writeString(src.resolve("config.json"), Json.mapper().writeValueAsString(o.config()));
        Path tokenizer = wordTokenizer(tmp.resolve("tok.json"), o.config().dVocab());
        Run run = RunImport.importRun(src, tmp.resolve("imported"), new RunImport.Options(null, tokenizer, null,
                Map.of(), "imported"));
        assertEquals(o.steps(), run.steps());
        for (int step : o.steps()) {
            Map<String, HostTensor> a = o.weights(step);
            Map<String, HostTensor> b = run.weights(step);
            assertEquals(a.keySet(), b.keySet());
            for (String k : a.keySet()) {
                assertArrayEquals(a.get(k).data(), b.get(k).data(), 0f, k + " at " + step);
            }
        }
    }

    /**
     * A checkpoint saved in shards (Hugging Face's model.safetensors.index.json + model-0000k-of-0000n.safetensors)
     * imports to exactly the weights of the same checkpoint in one file.
     */
    @Test
    void aShardedCheckpointImportsAsTheSameWeights() throws IOException {
        Path src = copy("sharded", dir -> shard(dir.resolve("checkpoint-100"), 2));
        Run sharded = RunImport.importRun(src, tmp.resolve("sharded-run"), RunImport.Options.defaults());
        Run whole = RunImport.importRun(GPT2, tmp.resolve("whole-run"), RunImport.Options.defaults());
        for (int step : whole.steps()) {
            Map<String, HostTensor> a = whole.weights(step);
            Map<String, HostTensor> b = sharded.weights(step);
            assertEquals(a.keySet(), b.keySet());
            for (String k : a.keySet()) {
                assertArrayEquals(a.get(k).data(), b.get(k).data(), 0f, k + " at " + step);
            }
        }
        assertRefused(copy("lostshard", dir -> {
            shard(dir.resolve("checkpoint-100"), 2);
            Files.delete(dir.resolve("checkpoint-100/model-00002-of-00002.safetensors"));
        }), "shard model-00002-of-00002.safetensors (named for");
        assertRefused(copy("unindexed", dir -> {
            shard(dir.resolve("checkpoint-100"), 2);
            Files.delete(dir.resolve("checkpoint-100/" + RunImport.SHARD_INDEX));
        }), "2 .safetensors files and no model.safetensors.index.json");
    }

    /** Splits DIR/model.safetensors into n shards and writes their index, as save_pretrained does. */
    private static void shard(Path dir, int n) throws IOException {
        Map<String, HostTensor> all = org.headlab.core.run.SafetensorsReader.readAll(dir.resolve("model.safetensors"));
        Files.delete(dir.resolve("model.safetensors"));
        List<String> names = List.copyOf(new TreeMap<>(all).keySet());
        ObjectNode index = Json.mapper().createObjectNode();
        ObjectNode map = index.putObject("weight_map");
        for (int k = 0; k < n; k++) {
            String file = String.format("model-%05d-of-%05d.safetensors", k + 1, n);
            Map<String, HostTensor> part = new java.util.LinkedHashMap<>();
            for (int i = k; i < names.size(); i += n) {
                part.put(names.get(i), all.get(names.get(i)));
                map.put(names.get(i), file);
            }
            org.headlab.core.run.SafetensorsWriter.write(dir.resolve(file), part, Map.of("format", "pt"));
        }
        Files.writeString(dir.resolve(RunImport.SHARD_INDEX), Json.mapper().writeValueAsString(index));
    }

    @Test
    void everyRefusalIsOneLineAndLeavesNothingBehind() throws IOException {
        assertRefused(copy("dup", (dir) -> copyTree(dir.resolve("checkpoint-100"), dir.resolve("step-100"))),
                "step 100 appears twice");
        assertRefused(copy("notok", (dir) -> Files.delete(dir.resolve("tokenizer.json"))), "no tokenizer");
        assertRefused(copy("llama", (dir) -> editConfigs(dir, c -> c.put("model_type", "llama"))),
                "model_type 'llama' is not supported");
        assertRefused(copy("neox", (dir) -> editConfigs(dir, c -> c.put("model_type", "gpt_neox"))),
                "field num_hidden_layers is missing");
        assertRefused(copyOf(PYTHIA, "rope", (dir) -> editConfigs(dir, PYTHIA_STEPS,
                c -> c.putObject("rope_scaling").put("type", "linear"))), "rope_scaling");
        assertRefused(copyOf(PYTHIA, "pct", (dir) -> editConfigs(dir, PYTHIA_STEPS, c -> c.put("rotary_pct", 0.1))),
                "gives 0 rotary dimensions; an even number ≥ 2 is needed");
        assertRefused(copyOf(PYTHIA, "serial", (dir) -> edit(dir.resolve("step100/config.json"),
                c -> c.put("use_parallel_residual", false))), "describes a different model than");
        assertRefused(copyOf(PYTHIA, "mlp", (dir) -> editConfigs(dir, PYTHIA_STEPS,
                c -> c.put("intermediate_size", 32))),
                "tensor layers.0.mlp.dense_h_to_4h.weight has shape [64, 16], the config implies [32, 16]");
        assertRefused(copy("differ", (dir) -> edit(dir.resolve("checkpoint-100/config.json"),
                c -> c.put("n_inner", 32))), "describes a different model than");
        assertRefused(copy("shape", (dir) -> editConfigs(dir, c -> c.put("n_inner", 32))),
                "tensor h.0.mlp.c_fc.weight has shape [16, 64], the config implies [16, 32]");
        assertRefused(copy("nofield", (dir) -> editConfigs(dir, c -> c.remove("n_head"))), "field n_head is missing");
        assertRefused(copy("act", (dir) -> editConfigs(dir, c -> c.put("activation_function", "mish"))),
                "activation_function 'mish' is not supported");
        assertRefused(tmp.resolve("nowhere"), "is not a folder of checkpoints");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertRefused(empty, "holds no checkpoints");
        HeadLabException steps = assertThrows(HeadLabException.class, () -> RunImport.importRun(GPT2,
                tmp.resolve("x"), new RunImport.Options(List.of(5), null, null, Map.of(), null)));
        assertTrue(steps.getMessage().contains("--steps names 1 steps"), steps.getMessage());
    }

    @Test
    void stepsCanBeGivenAndDataSlicesComeAlong() throws IOException {
        Path text = tmp.resolve("train.txt");
        Files.writeString(text, "w1 w2 w3 w1 w2 w3\nw4 w5 w6 w4\n\nw7 w8\n");
        Run run = RunImport.importRun(GPT2, tmp.resolve("r"), new RunImport.Options(List.of(1000, 2000), null,
                null, Map.of("train", text), null));
        assertEquals(List.of(1000, 2000), run.steps());
        assertEquals("train", run.datasets().get(0).name());
        assertEquals(3, Files.readAllLines(run.dir().resolve(run.datasets().get(0).file())).size());
    }

    interface Edit {
        void apply(Path dir) throws IOException;
    }

    private Path copy(String name, Edit edit) throws IOException {
        return copyOf(GPT2, name, edit);
    }

    private Path copyOf(Path source, String name, Edit edit) throws IOException {
        Path dir = tmp.resolve("src-" + name);
        copyTree(source, dir);
        edit.apply(dir);
        return dir;
    }

    private void assertRefused(Path src, String fragment) throws IOException {
        Path out = tmp.resolve("out-" + src.getFileName());
        Map<String, String> before = Files.isDirectory(src) ? digests(src) : Map.of();
        HeadLabException e = assertThrows(HeadLabException.class, () -> RunImport.importRun(src, out,
                RunImport.Options.defaults()));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertFalse(Files.exists(out), "no run folder after a refusal");
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith("." + out.getFileName() + ".tmp")),
                    "no temporary folder left");
        }
        if (Files.isDirectory(src)) {
            assertEquals(before, digests(src), "the source is never written to");
        }
    }

    private static final List<String> GPT2_STEPS = List.of("checkpoint-0", "checkpoint-100");
    private static final List<String> PYTHIA_STEPS = List.of("step0", "step100");

    private static void editConfigs(Path dir, java.util.function.Consumer<ObjectNode> change) throws IOException {
        editConfigs(dir, GPT2_STEPS, change);
    }

    private static void editConfigs(Path dir, List<String> steps, java.util.function.Consumer<ObjectNode> change)
            throws IOException {
        for (String c : steps) {
            edit(dir.resolve(c + "/config.json"), change);
        }
    }

    private static void edit(Path file, java.util.function.Consumer<ObjectNode> change) throws IOException {
        ObjectNode c = (ObjectNode) Json.mapper().readTree(file.toFile());
        change.accept(c);
        Files.writeString(file, Json.mapper().writeValueAsString(c));
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    static Map<String, String> digests(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isRegularFile(p)) {
                    try {
                        out.put(dir.relativize(p).toString(), HexFormat.of().formatHex(MessageDigest
                                .getInstance("SHA-256").digest(Files.readAllBytes(p))));
                    } catch (java.security.NoSuchAlgorithmException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return out;
    }

    /** A word-level tokenizer.json of {@code n} tokens: {@code <bos>} and w1 … w(n−1). */
    static Path wordTokenizer(Path file, int n) throws IOException {
        ObjectNode vocab = Json.mapper().createObjectNode();
        vocab.put("<bos>", 0);
        for (int i = 1; i < n; i++) {
            vocab.put("w" + i, i);
        }
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("version", "1.0");
        root.putObject("pre_tokenizer").put("type", "Whitespace");
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        model.set("vocab", vocab);
        model.put("unk_token", "w1");
        Files.writeString(file, Json.mapper().writeValueAsString(root));
        return file;
    }
}
