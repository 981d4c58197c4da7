package org.headlab.core.importer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.headlab.core.AtomicFiles;
import org.headlab.core.HeadLabException;
import org.headlab.core.Json;
import org.headlab.core.data.HfTokenizer;
import org.headlab.core.data.TokenizerSpec;
import org.headlab.core.run.DatasetRecord;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.run.ParameterCheck;
import org.headlab.core.run.Run;
import org.headlab.core.run.RunWriter;
import org.headlab.core.run.SafetensorsReader;

/**
 * A researcher's checkpoint series made into a HeadLab run, the source never written to. Two layouts:
 * <ul>
 *   <li>one folder per checkpoint, named {@code checkpoint-STEP}, {@code step-STEP} or {@code ckpt_STEP}, each with
 *       a config.json and one .safetensors file (Hugging Face's {@code save_pretrained} / Trainer output);</li>
 *   <li>.safetensors files whose names end in their step ({@code step-000100.safetensors}, {@code model_100
 *       .safetensors}) beside one config.json (a TransformerLens state-dict series).</li>
 * </ul>
 * The config says the family: {@code model_type: gpt2} (Hugging Face GPT-2, mapped by {@link Gpt2Weights}),
 * {@code model_type: gpt_neox} (GPT-NeoX and Pythia, mapped by {@link NeoxWeights}) or
 * TransformerLens's own keys ({@code n_layers}, {@code d_model}, …; tensors already in its names). The run is built
 * in a temporary folder beside the target and appears there only when complete ({@link RunWriter}).
 */
public final class RunImport {
    private static final Pattern STEP_DIR = Pattern.compile("(?:checkpoint|step|ckpt)[-_]?(\\d+)");
    private static final Pattern STEP_FILE = Pattern.compile(".*?(\\d+)\\.safetensors");

    /** Where the weights came from. */
    public enum Format {
        HF_GPT2("Hugging Face GPT-2"), HF_GPT_NEOX("Hugging Face GPT-NeoX"),
        TRANSFORMER_LENS("TransformerLens state dicts");

        private final String words;

        Format(String words) {
            this.words = words;
        }

        public String words() {
            return words;
        }
    }

    /** One checkpoint of the source: its step, its weights file and the config that describes it. */
    public record Checkpoint(int step, Path weights, Path config) {
    }

    /**
     * @param steps the steps of the checkpoints in the order their names sort by number (null: from the names)
     * @param tokenizer the tokenizer.json (null: SRC/tokenizer.json, else the first checkpoint folder's)
     * @param bos the beginning-of-sequence token (null: the config's bos_token_id, else {@code <|endoftext|>} or
     *     {@code <bos>} when the vocabulary has it, else none)
     * @param data dataset slices by name: a .jsonl file of {"text": …} records, or a text file, one document per
     *     non-empty line
     * @param name the run's name (null: the target folder's name)
     */
    public record Options(List<Integer> steps, Path tokenizer, String bos, Map<String, Path> data, String name) {
        public Options {
            data = data == null ? Map.of() : Map.copyOf(data);
        }

        public static Options defaults() {
            return new Options(null, null, null, Map.of(), null);
        }
    }

    /** What {@link #plan} found: the family, the model, the checkpoints in step order, the tokenizer and its BOS. */
    public record Plan(Format format, ModelConfig config, List<Checkpoint> checkpoints, Path tokenizer, String bos) {
    }

    private RunImport() {
    }

    /** Reads the source's layout and configs; writes nothing. */
    public static Plan plan(Path src, Options options) {
        if (!Files.isDirectory(src)) {
            throw new HeadLabException(src + " is not a folder of checkpoints");
        }
        TreeMap<Long, List<Path[]>> found = new TreeMap<>(); // number in the name → [weights, config]
        try (Stream<Path> entries = Files.list(src)) {
            for (Path p : entries.sorted().toList()) {
                String name = p.getFileName().toString();
                Matcher dir = STEP_DIR.matcher(name);
                Matcher file = STEP_FILE.matcher(name);
                if (Files.isDirectory(p) && dir.matches()) {
                    found.computeIfAbsent(Long.parseLong(dir.group(1)), k -> new ArrayList<>())
                            .add(new Path[] {weightsIn(p), required(p.resolve("config.json"), p)});
                } else if (Files.isRegularFile(p) && file.matches()) {
                    found.computeIfAbsent(Long.parseLong(file.group(1)), k -> new ArrayList<>())
                            .add(new Path[] {p, required(src.resolve("config.json"), src)});
                }
            }
        } catch (IOException e) {
            throw new HeadLabException("cannot list " + src + ": " + AtomicFiles.describe(e), e);
        }
        if (found.isEmpty()) {
            throw new HeadLabException(src + " holds no checkpoints: expected folders named checkpoint-STEP or"
                    + " step-STEP (each with config.json and a .safetensors file), or files named …STEP.safetensors"
                    + " beside a config.json");
        }
        for (Map.Entry<Long, List<Path[]>> e : found.entrySet()) {
            if (e.getValue().size() > 1) {
                throw new HeadLabException("step " + e.getKey() + " appears twice: " + e.getValue().get(0)[0]
                        + " and " + e.getValue().get(1)[0]);
            }
        }
        List<Long> numbers = List.copyOf(found.keySet());
        List<Integer> steps = new ArrayList<>();
        if (options.steps() != null) {
            if (options.steps().size() != numbers.size()) {
                throw new HeadLabException("--steps names " + options.steps().size() + " steps, " + src + " holds "
                        + numbers.size() + " checkpoints");
            }
            if (options.steps().stream().distinct().count() != options.steps().size()) {
                throw new HeadLabException("--steps names a step twice: " + options.steps());
            }
            steps.addAll(options.steps());
        } else {
            for (long n : numbers) {
                if (n > Integer.MAX_VALUE) {
                    throw new HeadLabException("step " + n + " (" + found.get(n).get(0)[0] + ") is too large");
                }
                steps.add((int) n);
            }
        }
        List<Checkpoint> checkpoints = new ArrayList<>();
        for (int i = 0; i < numbers.size(); i++) {
            Path[] wc = found.get(numbers.get(i)).get(0);
            checkpoints.add(new Checkpoint(steps.get(i), wc[0], wc[1]));
        }
        checkpoints.sort(java.util.Comparator.comparingInt(Checkpoint::step));

        Format format = null;
        ModelConfig config = null;
        Path firstConfig = null;
        for (Checkpoint c : checkpoints) {
            JsonNode node = readJson(c.config());
            Format f = formatOf(node, c.config());
            ModelConfig mc = switch (f) {
                case HF_GPT2 -> Gpt2Weights.config(node, c.config());
                case HF_GPT_NEOX -> NeoxWeights.config(node, c.config());
                case TRANSFORMER_LENS -> tlConfig(node, c.config());
            };
            if (config == null) {
                format = f;
                config = mc;
                firstConfig = c.config();
            } else if (f != format || !sameModel(config, mc)) {
                throw new HeadLabException(c.config() + " describes a different model than " + firstConfig + ": "
                        + mc + " vs " + config);
            }
        }
        config.validate(firstConfig.toString());
        Path tokenizer = options.tokenizer() != null ? options.tokenizer()
                : Files.isRegularFile(src.resolve("tokenizer.json")) ? src.resolve("tokenizer.json")
                : checkpoints.get(0).config().getParent().resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizer)) {
            throw new HeadLabException("no tokenizer: " + (options.tokenizer() != null ? tokenizer + " does not exist"
                    : "neither " + src.resolve("tokenizer.json") + " nor " + tokenizer + " exists; pass --tokenizer"
                    + " FILE (a Hugging Face tokenizer.json)"));
        }
        String[] vocab = HfTokenizer.vocabulary(tokenizer);
        if (vocab.length > config.dVocab()) {
            throw new HeadLabException(tokenizer + " has " + vocab.length + " tokens, more than the model's vocabulary"
                    + " of " + config.dVocab() + " (" + firstConfig + ")");
        }
        return new Plan(format, config, List.copyOf(checkpoints), tokenizer, bos(options, vocab, readJson(firstConfig),
                tokenizer));
    }

    /** Imports {@code src} into a new run at {@code out} (which must not exist). */
    public static Run importRun(Path src, Path out, Options options) {
        Plan plan = plan(src, options);
        String name = options.name() != null ? options.name() : out.toAbsolutePath().normalize().getFileName()
                .toString();
        TokenizerSpec tokenizer = new TokenizerSpec("huggingface", null, "tokenizer.json", plan.bos(), null);
        try (RunWriter w = RunWriter.create(out, plan.config(), tokenizer, name, plan.format().words() + " series"
                + " imported from " + src.toAbsolutePath().normalize())) {
            w.addFile("tokenizer.json", plan.tokenizer());
            Map<String, Object> sources = new LinkedHashMap<>();
            for (Checkpoint c : plan.checkpoints()) {
                Map<String, HostTensor> tensors = readWeights(c.weights());
                w.addCheckpoint(c.step(), switch (plan.format()) {
                    case HF_GPT2 -> Gpt2Weights.toTransformerLens(tensors, plan.config(), c.weights());
                    case HF_GPT_NEOX -> NeoxWeights.toTransformerLens(tensors, plan.config(), c.weights());
                    case TRANSFORMER_LENS -> tlTensors(tensors, plan.config(), c.weights());
                });
                sources.put(String.valueOf(c.step()), c.weights().toAbsolutePath().normalize().toString());
            }
            for (Map.Entry<String, Path> d : new TreeMap<>(options.data()).entrySet()) {
                w.addRecords(d.getKey(), "imported from " + d.getValue().toAbsolutePath().normalize(),
                        records(d.getValue()));
            }
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("imported_from", src.toAbsolutePath().normalize().toString());
            facts.put("format", plan.format().name().toLowerCase(java.util.Locale.ROOT));
            facts.put("checkpoint_sources", sources);
            facts.put("tokenizer_source", plan.tokenizer().toAbsolutePath().normalize().toString());
            w.training(facts);
            return w.commit();
        }
    }

    private static Format formatOf(JsonNode c, Path file) {
        String type = c.path("model_type").asText("");
        if (type.equals("gpt2")) {
            return Format.HF_GPT2;
        }
        if (type.equals("gpt_neox")) {
            return Format.HF_GPT_NEOX;
        }
        if (!type.isEmpty()) {
            throw new HeadLabException(file + ": model_type '" + type + "' is not supported (gpt2, gpt_neox, or a"
                    + " TransformerLens config)");
        }
        if (c.has("n_layers") && c.has("d_model")) {
            return Format.TRANSFORMER_LENS;
        }
        throw new HeadLabException(file + ": unknown architecture: no model_type (gpt2, gpt_neox) and no TransformerLens fields"
                + " (n_layers, d_model)");
    }

    private static ModelConfig tlConfig(JsonNode c, Path file) {
        for (String field : new String[] {"n_layers", "n_heads", "d_model", "d_head", "d_vocab", "n_ctx"}) {
            ImportConfigs.integer(c, file, field);
        }
        try {
            return Json.mapper().treeToValue(c, ModelConfig.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new HeadLabException(file + ": not a TransformerLens config: " + e.getMessage(), e);
        }
    }

    /** TransformerLens tensors as they are, each checked against the config's names and shapes. */
    private static Map<String, HostTensor> tlTensors(Map<String, HostTensor> in, ModelConfig config, Path file) {
        Tensors t = new Tensors(in, file);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        config.parameterShapes().forEach((name, shape) -> {
            if (name.startsWith("unembed.b_U") && !in.containsKey(name)) {
                out.put(name, HostTensor.zeros(shape)); // TransformerLens leaves it out when the model has none
            } else {
                out.put(name, t.take(name, shape));
            }
        });
        in.keySet().stream().filter(ParameterCheck::isIgnoredBuffer).forEach(t::skip);
        t.requireAllTaken();
        return out;
    }

    private static boolean sameModel(ModelConfig a, ModelConfig b) {
        return a.nLayers() == b.nLayers() && a.nHeads() == b.nHeads() && a.dModel() == b.dModel()
                && a.dHead() == b.dHead() && a.dVocab() == b.dVocab() && a.nCtx() == b.nCtx()
                && a.attnOnly() == b.attnOnly() && java.util.Objects.equals(a.dMlp(), b.dMlp())
                && a.activation().equals(b.activation()) && a.normalization() == b.normalization()
                && a.positions() == b.positions() && (!a.rotary() || a.rotaryDimOrDefault() == b.rotaryDimOrDefault()
                && a.rotaryBaseOrDefault() == b.rotaryBaseOrDefault()) && a.parallelBlocks() == b.parallelBlocks();
    }

    private static String bos(Options o, String[] vocab, JsonNode config, Path tokenizer) {
        List<String> tokens = java.util.Arrays.asList(vocab);
        if (o.bos() != null) {
            if (!tokens.contains(o.bos())) {
                throw new HeadLabException("--bos " + o.bos() + ": not a token of " + tokenizer);
            }
            return o.bos();
        }
        int id = config.path("bos_token_id").asInt(-1);
        if (id >= 0 && id < vocab.length && vocab[id] != null) {
            return vocab[id];
        }
        for (String candidate : new String[] {"<|endoftext|>", "<bos>", "<s>"}) {
            if (tokens.contains(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static List<DatasetRecord> records(Path file) {
        List<DatasetRecord> out = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            boolean jsonl = file.getFileName().toString().endsWith(".jsonl");
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank()) {
                    continue;
                }
                if (jsonl) {
                    JsonNode n;
                    try {
                        n = Json.mapper().readTree(line);
                    } catch (IOException e) {
                        throw new HeadLabException(file + " line " + (i + 1) + ": not JSON: " + e.getMessage(), e);
                    }
                    if (!n.path("text").isTextual()) {
                        throw new HeadLabException(file + " line " + (i + 1) + ": expected {\"text\": …}");
                    }
                    out.add(DatasetRecord.ofText(n.get("text").asText()));
                } else {
                    out.add(DatasetRecord.ofText(line));
                }
            }
        } catch (IOException e) {
            throw new HeadLabException("cannot read " + file + ": " + AtomicFiles.describe(e), e);
        }
        if (out.isEmpty()) {
            throw new HeadLabException(file + " holds no documents");
        }
        return out;
    }

    private static JsonNode readJson(Path file) {
        try {
            return Json.mapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new HeadLabException(file + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static Path required(Path file, Path where) {
        if (!Files.isRegularFile(file)) {
            throw new HeadLabException(where + ": " + file.getFileName() + " is missing");
        }
        return file;
    }

    /** Hugging Face's index of a sharded checkpoint: tensor name → shard file in the same folder. */
    static final String SHARD_INDEX = "model.safetensors.index.json";

    private static Path weightsIn(Path dir) {
        if (Files.isRegularFile(dir.resolve(SHARD_INDEX))) {
            return dir.resolve(SHARD_INDEX);
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
            if (files.isEmpty()) {
                boolean pickle = Files.exists(dir.resolve("pytorch_model.bin"));
                throw new HeadLabException(dir + ": no .safetensors file" + (pickle ? " (pytorch_model.bin is a"
                        + " pickle, which HeadLab does not run: save with safe_serialization=True, or convert it)"
                        : ""));
            }
            if (files.size() > 1) {
                throw new HeadLabException(dir + ": " + files.size() + " .safetensors files and no " + SHARD_INDEX
                        + " saying which tensor is in which; expected one file, or the shards with their index");
            }
            return files.get(0);
        } catch (IOException e) {
            throw new HeadLabException("cannot list " + dir + ": " + AtomicFiles.describe(e), e);
        }
    }

    /**
     * One checkpoint's tensors: the file itself, or every shard its {@link #SHARD_INDEX} names, each tensor read from
     * the shard the index gives for it (a shard's tensors the index does not name are refused, as a tensor named
     * but missing from its shard is).
     */
    static Map<String, HostTensor> readWeights(Path weights) {
        if (!weights.getFileName().toString().equals(SHARD_INDEX)) {
            return SafetensorsReader.readAll(weights);
        }
        JsonNode map = readJson(weights).path("weight_map");
        if (!map.isObject() || map.isEmpty()) {
            throw new HeadLabException(weights + ": field weight_map is missing or empty (tensor name → shard file)");
        }
        Map<String, List<String>> byShard = new TreeMap<>();
        map.fields().forEachRemaining(e -> {
            String shard = e.getValue().asText("");
            if (shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.startsWith(".")) {
                throw new HeadLabException(weights + ": weight_map entry " + e.getKey() + " names '" + shard
                        + "', not a shard file in the same folder");
            }
            byShard.computeIfAbsent(shard, k -> new ArrayList<>()).add(e.getKey());
        });
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : byShard.entrySet()) {
            Path shard = weights.resolveSibling(e.getKey());
            if (!Files.isRegularFile(shard)) {
                throw new HeadLabException(weights + ": shard " + e.getKey() + " (named for " + e.getValue().get(0)
                        + ") does not exist");
            }
            Map<String, HostTensor> all = SafetensorsReader.readAll(shard);
            for (String name : e.getValue()) {
                HostTensor t = all.remove(name);
                if (t == null) {
                    throw new HeadLabException(shard + ": tensor " + name + " is missing (" + weights.getFileName()
                            + " puts it in this shard)");
                }
                out.put(name, t);
            }
            if (!all.isEmpty()) {
                throw new HeadLabException(shard + ": tensor " + all.keySet().iterator().next() + " is not in "
                        + weights.getFileName() + "'s weight_map");
            }
        }
        return out;
    }
}
