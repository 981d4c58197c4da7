package org.headlab.core.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.headlab.core.AtomicFiles;
import org.headlab.core.HeadLabException;
import org.headlab.core.Json;

/**
 * An opened run folder (architecture.md, "A run on disk"). Opening reads run.json and only the headers of the
 * checkpoints, and refuses anything inconsistent up front: a bad path, a duplicate step, a checkpoint whose tensors
 * do not match the model config. Weights are read when first asked for and kept in a {@link WeightCache}.
 *
 * <p>A Run is thread-safe. It holds no open files, so there is nothing to close.
 */
public final class Run {
    public static final String MANIFEST_FILE = "run.json";
    public static final long DEFAULT_CACHE_BYTES = 256L << 20;

    private final Path dir;
    private final RunManifest manifest;
    private final TreeMap<Integer, CheckpointRef> checkpoints;
    private final Map<String, DatasetRef> datasets;
    private final WeightCache cache;
    private final Map<Integer, String> contentHashes = new ConcurrentHashMap<>();

    private Run(Path dir, RunManifest manifest, TreeMap<Integer, CheckpointRef> checkpoints,
            Map<String, DatasetRef> datasets, long cacheBytes) {
        this.dir = dir;
        this.manifest = manifest;
        this.checkpoints = checkpoints;
        this.datasets = datasets;
        this.cache = new WeightCache(cacheBytes);
    }

    public static Run open(Path dir) {
        return open(dir, DEFAULT_CACHE_BYTES);
    }

    /** @param cacheBytes how many bytes of float32 weights to keep in memory across checkpoints */
    public static Run open(Path dir, long cacheBytes) {
        Path realDir = realFolder(dir);
        Path manifestFile = realDir.resolve(MANIFEST_FILE);
        RunManifest manifest = RunManifest.read(manifestFile);
        if (!RunManifest.FORMAT.equals(manifest.format())) {
            throw new HeadLabException(manifestFile + ": format '" + manifest.format() + "' is not supported"
                    + " (expected " + RunManifest.FORMAT + ")");
        }
        if (manifest.name().isBlank()) {
            throw new HeadLabException(manifestFile + ": field 'name' is empty");
        }
        ModelConfig config = manifest.model().validate(manifestFile.toString());
        RunPaths paths = new RunPaths(realDir, manifestFile);
        if (manifest.tokenizer() != null && manifest.tokenizer().file() != null) {
            paths.existingFile("tokenizer.file", manifest.tokenizer().file());
        }
        Map<String, DatasetRef> datasets = datasets(manifest, paths, manifestFile);
        TreeMap<Integer, CheckpointRef> checkpoints = checkpoints(manifest, config, paths, manifestFile);
        return new Run(realDir, manifest, checkpoints, datasets, cacheBytes);
    }

    private static Path realFolder(Path dir) {
        try {
            Path real = dir.toRealPath();
            if (!Files.isDirectory(real)) {
                throw new HeadLabException(dir + " is not a folder (a run is a folder with a run.json)");
            }
            return real;
        } catch (NoSuchFileException e) {
            throw new HeadLabException("run folder " + dir + " does not exist");
        } catch (IOException e) {
            throw new HeadLabException("cannot open run folder " + dir + ": " + AtomicFiles.describe(e), e);
        }
    }

    private static Map<String, DatasetRef> datasets(RunManifest manifest, RunPaths paths, Path manifestFile) {
        Map<String, DatasetRef> byName = new LinkedHashMap<>();
        for (RunManifest.DatasetEntry d : manifest.datasets()) {
            if (d.name().isBlank()) {
                throw new HeadLabException(manifestFile + ": a dataset has an empty name");
            }
            Path path = paths.existingFile("dataset '" + d.name() + "' file", d.file());
            if (byName.put(d.name(), new DatasetRef(d.name(), d.file(), path, d.description())) != null) {
                throw new HeadLabException(manifestFile + ": dataset name '" + d.name() + "' is used twice");
            }
        }
        return Collections.unmodifiableMap(byName);
    }

    private static TreeMap<Integer, CheckpointRef> checkpoints(RunManifest manifest, ModelConfig config,
            RunPaths paths, Path manifestFile) {
        if (manifest.checkpoints().isEmpty()) {
            throw new HeadLabException(manifestFile + ": checkpoints is empty (expected at least one {step, file})");
        }
        TreeMap<Integer, CheckpointRef> byStep = new TreeMap<>();
        for (RunManifest.CheckpointEntry c : manifest.checkpoints()) {
            if (c.step() < 0) {
                throw new HeadLabException(manifestFile + ": checkpoint step " + c.step() + " is negative");
            }
            CheckpointRef previous = byStep.get(c.step());
            if (previous != null) {
                throw new HeadLabException(manifestFile + ": checkpoint step " + c.step() + " appears twice ('"
                        + previous.file() + "' and '" + c.file() + "')");
            }
            Path path = paths.existingFile("checkpoint file", c.file());
            FileStamp stamp = FileStamp.of(path); // before the header: a change from here on is caught
            SafetensorsHeader header = SafetensorsReader.readHeader(path);
            ParameterCheck.check(config, header);
            byStep.put(c.step(), new CheckpointRef(c.step(), c.file(), path, header, stamp));
        }
        return byStep;
    }

    // ---- what the run is ----------------------------------------------------------------------------------------

    /** The run folder, with symbolic links resolved. */
    public Path dir() {
        return dir;
    }

    public RunManifest manifest() {
        return manifest;
    }

    public ModelConfig config() {
        return manifest.model();
    }

    public String name() {
        return manifest.name();
    }

    /** Sorted by step. */
    public List<CheckpointRef> checkpoints() {
        return List.copyOf(checkpoints.values());
    }

    public List<Integer> steps() {
        return List.copyOf(checkpoints.keySet());
    }

    public CheckpointRef checkpoint(int step) {
        CheckpointRef ref = checkpoints.get(step);
        if (ref == null) {
            throw new HeadLabException("run '" + name() + "' has no checkpoint at step " + step + " ("
                    + nearbySteps(step) + ")");
        }
        return ref;
    }

    private String nearbySteps(int step) {
        Integer below = checkpoints.lowerKey(step);
        Integer above = checkpoints.higherKey(step);
        String near = below == null ? "nearest: " + above
                : above == null ? "nearest: " + below : "nearest: " + below + " and " + above;
        return near + "; " + checkpoints.size() + " checkpoints from step " + checkpoints.firstKey() + " to "
                + checkpoints.lastKey();
    }

    public List<DatasetRef> datasets() {
        return List.copyOf(datasets.values());
    }

    // ---- weights ------------------------------------------------------------------------------------------------

    /**
     * The model parameters at {@code step}, by TransformerLens name in {@link ModelConfig#parameterShapes()}
     * order. The map and its tensors are shared with the cache and with other callers: never modify them (copy
     * the data first, as the engine does when it builds NDArrays).
     */
    /**
     * The weights at {@code step}, refused when any is NaN or infinite: every number computed from them would be
     * NaN, printed and stored as if it were a result.
     */
    public Map<String, HostTensor> weights(int step) {
        CheckpointRef ref = checkpoint(step);
        return cache.get(step, s -> {
            // the header (offsets, shapes) and the hash results are stored under are the file's as opened: weights
            // from a file replaced since would be read at the wrong offsets, or stored under the wrong hash
            ref.requireUnchanged();
            Map<String, HostTensor> read = SafetensorsReader.read(ref.header(), config().parameterShapes().keySet());
            ref.requireUnchanged();
            return Collections.unmodifiableMap(requireFinite(ref, read));
        });
    }

    /**
     * How checkpoint {@code step}'s file differs from when the run was opened, or empty: weights read before the
     * change stay what they were (and match the hash their results are stored under), so a view showing them says so.
     */
    public java.util.Optional<String> changedSinceOpened(int step) {
        CheckpointRef ref = checkpoint(step);
        return ref.stamp().change(ref.path());
    }

    private static Map<String, HostTensor> requireFinite(CheckpointRef ref, Map<String, HostTensor> tensors) {
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            int bad = 0;
            int first = -1;
            float[] data = e.getValue().data();
            for (int i = 0; i < data.length; i++) {
                if (!Float.isFinite(data[i])) {
                    bad++;
                    first = first < 0 ? i : first;
                }
            }
            if (bad > 0) {
                throw new HeadLabException(ref.path() + ": tensor " + e.getKey() + " has " + bad + " of "
                        + data.length + " values that are NaN or infinite (the first at flat index " + first + ", "
                        + data[first] + "); a broken checkpoint is not computed on");
            }
        }
        return tensors;
    }

    public WeightCache.Stats cacheStats() {
        return cache.stats();
    }

    /**
     * SHA-256 of the checkpoint file, as lowercase hex: the identity results are stored under, so a result
     * follows the weights even if the run is renamed or the file re-exported with the same bytes. Computed once
     * per Run, of the file as it was opened: a file replaced since is refused ({@link CheckpointRef#stamp}).
     */
    public String contentHash(int step) {
        CheckpointRef ref = checkpoint(step);
        return contentHashes.computeIfAbsent(step, s -> {
            ref.requireUnchanged();
            String hash = sha256(ref.path());
            ref.requireUnchanged();
            return hash;
        });
    }

    private static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            byte[] buffer = new byte[1 << 16];
            while (in.read(buffer) >= 0) {
                // the digest sees every byte as it streams past
            }
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        } catch (IOException e) {
            throw new HeadLabException("cannot read " + file + ": " + AtomicFiles.describe(e), e);
        }
    }

    // ---- datasets -----------------------------------------------------------------------------------------------

    public DatasetRef dataset(String name) {
        DatasetRef ref = datasets.get(name);
        if (ref == null) {
            throw new HeadLabException("run '" + name() + "' has no dataset '" + name + "' (available: "
                    + (datasets.isEmpty() ? "none" : String.join(", ", datasets.keySet())) + ")");
        }
        return ref;
    }

    /**
     * Every record of a dataset file, blank lines skipped; token ids are checked against d_vocab. Lines are decoded one
     * by one (a buffered reader decodes ahead, so its error would name a line before the bad byte); CR LF endings and
     * a UTF-8 byte-order mark read as the same text.
     */
    public List<DatasetRecord> readDataset(String name) {
        DatasetRef ref = dataset(name);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(ref.path());
        } catch (IOException e) {
            throw new HeadLabException("cannot read " + ref.path() + ": " + AtomicFiles.describe(e), e);
        }
        List<DatasetRecord> records = new ArrayList<>();
        java.nio.charset.CharsetDecoder utf8 = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        int start = 0;
        int lineNumber = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            lineNumber++;
            int stop = end > start && bytes[end - 1] == '\r' ? end - 1 : end;
            String line;
            try {
                line = utf8.decode(java.nio.ByteBuffer.wrap(bytes, start, stop - start)).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new HeadLabException(ref.path() + " line " + lineNumber + ": not valid UTF-8");
            }
            if (lineNumber == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1); // a UTF-8 byte-order mark (Windows editors write one)
            }
            if (!line.isBlank()) {
                records.add(parseRecord(ref.path(), lineNumber, line));
            }
            start = end + 1;
        }
        return List.copyOf(records);
    }

    private DatasetRecord parseRecord(Path file, int lineNumber, String line) {
        String at = file + " line " + lineNumber;
        JsonNode node;
        try {
            node = Json.mapper().readTree(line);
        } catch (JsonProcessingException e) {
            String column = e.getLocation() == null ? "" : ", column " + e.getLocation().getColumnNr();
            throw new HeadLabException(at + column + ": not valid JSON ("
                    + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
        }
        if (!node.isObject() || (!node.has("text") && !node.has("tokens"))) {
            throw new HeadLabException(at + ": expected an object {\"text\": ...} or {\"tokens\": [ids...]}");
        }
        String text = null;
        if (node.has("text")) {
            if (!node.get("text").isTextual()) {
                throw new HeadLabException(at + ": \"text\" must be a string");
            }
            text = node.get("text").textValue();
        }
        int[] tokens = node.has("tokens") ? tokens(at, node.get("tokens")) : null;
        return new DatasetRecord(text, tokens);
    }

    private int[] tokens(String at, JsonNode array) {
        if (!array.isArray()) {
            throw new HeadLabException(at + ": \"tokens\" must be a list of token ids");
        }
        int vocab = config().dVocab();
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode id = array.get(i);
            if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0 || id.intValue() >= vocab) {
                throw new HeadLabException(at + ": token " + i + " is " + id + ", expected an id in 0.."
                        + (vocab - 1) + " (d_vocab " + vocab + ")");
            }
            ids[i] = id.intValue();
        }
        return ids;
    }

    @Override
    public String toString() {
        return "Run[" + name() + ", " + checkpoints.size() + " checkpoints, " + dir + "]";
    }

}
