package org.headlab.core.run;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.headlab.core.AtomicFiles;
import org.headlab.core.HeadLabException;
import org.headlab.core.Json;
import org.headlab.core.data.TokenizerSpec;

/**
 * Creates a new run folder so that it either appears complete or not at all: everything is written into a hidden
 * folder next to the target ({@code .<name>.tmp-<random>}) and renamed into place by {@link #commit()}. A writer
 * closed without commit deletes its temp folder. Not thread-safe: one writer, one thread.
 *
 * <pre>{@code
 * try (RunWriter w = RunWriter.create(target, config, tokenizer, "dyck-2l4h", "2-layer model on Dyck-2")) {
 *     w.addCheckpoint(0, weights0).addCheckpoint(100, weights100);
 *     w.addDataset("train", "training slice", texts);
 *     Run run = w.commit();
 * }
 * }</pre>
 */
public final class RunWriter implements AutoCloseable {
    private static final Pattern DATASET_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path target;
    private final Path temp;
    private final ModelConfig config;
    private final TokenizerSpec tokenizer;
    private final String name;
    private final String description;
    private final TreeMap<Integer, String> checkpointFiles = new TreeMap<>();
    private final Map<String, RunManifest.DatasetEntry> datasets = new LinkedHashMap<>();
    private Map<String, Object> training = Map.of();
    private SafetensorsDtype checkpointDtype = SafetensorsDtype.F32;
    private boolean finished;

    private RunWriter(Path target, Path temp, ModelConfig config, TokenizerSpec tokenizer, String name,
            String description) {
        this.target = target;
        this.temp = temp;
        this.config = config;
        this.tokenizer = tokenizer;
        this.name = name;
        this.description = description;
    }

    public static RunWriter create(Path target, ModelConfig config, TokenizerSpec tokenizer, String name,
            String description) {
        if (name == null || name.isBlank()) {
            throw new HeadLabException("cannot create run " + target + ": the run needs a name");
        }
        config.validate("model config of run '" + name + "'");
        Path absolute = target.toAbsolutePath().normalize();
        Path parent = checkedParent(absolute);
        Path temp = parent.resolve("." + absolute.getFileName() + ".tmp-" + randomSuffix());
        try {
            Files.createDirectory(temp);
            Files.createDirectory(temp.resolve("checkpoints"));
            Files.createDirectory(temp.resolve("data"));
        } catch (IOException e) {
            org.headlab.core.AtomicFiles.deleteTree(temp);
            throw new HeadLabException("cannot create run " + absolute + ": " + AtomicFiles.describe(e), e);
        }
        return new RunWriter(absolute, temp, config, tokenizer, name, description);
    }

    /**
     * Refuses a target that exists or whose parent is missing, not a folder, or not writable; returns the parent.
     * The trainer checks its output with this too, before any work starts.
     */
    public static Path checkedParent(Path target) {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new HeadLabException("cannot create run " + target + ": it already exists (a run is never "
                    + "overwritten; choose another name or delete it first)");
        }
        Path parent = target.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new HeadLabException("cannot create run " + target + ": parent folder " + parent
                    + " does not exist or is not a folder");
        }
        if (!Files.isWritable(parent)) {
            throw new HeadLabException("cannot create run " + target + ": parent folder " + parent
                    + " is not writable");
        }
        return parent;
    }

    /** The checkpoint file name for a step; zero-padded so that a plain listing sorts by step. */
    public static String checkpointFile(int step) {
        return String.format("checkpoints/step-%06d.safetensors", step);
    }

    /**
     * How the checkpoints added from now on store their numbers: F32 (the default) or F16, half the bytes (a run
     * with many checkpoints of a wider model; readers widen F16 back to float32 exactly).
     */
    public RunWriter checkpointDtype(SafetensorsDtype dtype) {
        if (dtype != SafetensorsDtype.F32 && dtype != SafetensorsDtype.F16) {
            throw new HeadLabException("run '" + name + "': checkpoints are stored as F32 or F16, not " + dtype);
        }
        checkpointDtype = dtype;
        return this;
    }

    /** Adds the weights at {@code step}, which must be exactly the parameters of the config (names and shapes). */
    public RunWriter addCheckpoint(int step, Map<String, HostTensor> tensors) {
        requireOpen();
        if (step < 0) {
            throw new HeadLabException("run '" + name + "': checkpoint step " + step + " is negative");
        }
        if (checkpointFiles.containsKey(step)) {
            throw new HeadLabException("run '" + name + "': checkpoint step " + step + " was already added");
        }
        Map<String, int[]> shapes = new LinkedHashMap<>();
        tensors.forEach((n, t) -> shapes.put(n, t.shape()));
        ParameterCheck.check(config, shapes, "run '" + name + "' checkpoint at step " + step);
        Map<String, HostTensor> ordered = new LinkedHashMap<>();
        for (String parameter : config.parameterShapes().keySet()) {
            ordered.put(parameter, tensors.get(parameter));
        }
        String file = checkpointFile(step);
        SafetensorsWriter.write(temp.resolve(file), ordered, Map.of("format", "pt", "step", String.valueOf(step)),
                checkpointDtype);
        checkpointFiles.put(step, file);
        return this;
    }

    /** A slice of texts, one {@code {"text": ...}} line each, as {@code data/<name>.jsonl}. */
    public RunWriter addDataset(String datasetName, String datasetDescription, List<String> texts) {
        List<DatasetRecord> records = new ArrayList<>();
        texts.forEach(t -> records.add(DatasetRecord.ofText(t)));
        return addRecords(datasetName, datasetDescription, records);
    }

    /** A slice of records with text and/or token ids, as {@code data/<name>.jsonl}. */
    public RunWriter addRecords(String datasetName, String datasetDescription, List<DatasetRecord> records) {
        requireOpen();
        if (datasetName == null || !DATASET_NAME.matcher(datasetName).matches()) {
            throw new HeadLabException("run '" + name + "': dataset name '" + datasetName + "' must be letters, "
                    + "digits, '_', '-' or '.', starting with a letter or digit (it becomes a file name)");
        }
        if (datasets.containsKey(datasetName)) {
            throw new HeadLabException("run '" + name + "': dataset '" + datasetName + "' was already added");
        }
        String file = "data/" + datasetName + ".jsonl";
        try (BufferedWriter out = Files.newBufferedWriter(temp.resolve(file))) {
            for (DatasetRecord r : records) {
                out.write(Json.mapper().writeValueAsString(jsonLine(r)));
                out.write('\n');
            }
        } catch (IOException e) {
            throw new HeadLabException("cannot write dataset '" + datasetName + "' of run '" + name + "': "
                    + AtomicFiles.describe(e), e);
        }
        datasets.put(datasetName, new RunManifest.DatasetEntry(datasetName, file, datasetDescription));
        return this;
    }

    private static Map<String, Object> jsonLine(DatasetRecord r) {
        Map<String, Object> line = new LinkedHashMap<>();
        if (r.hasText()) {
            line.put("text", r.text());
        }
        if (r.hasTokens()) {
            line.put("tokens", r.tokens());
        }
        return line;
    }

    /** Free-form facts about training (learning rate, batch size, seed, ...), stored as given in run.json. */
    public RunWriter training(Map<String, Object> facts) {
        requireOpen();
        this.training = new LinkedHashMap<>(facts);
        return this;
    }

    /** Writes {@code content} (UTF-8) into the run at {@code relativePath}: a tokenizer.json made in memory, say. */
    public RunWriter addFile(String relativePath, String content) {
        requireOpen();
        Path destination = new RunPaths(temp, temp.resolve(Run.MANIFEST_FILE)).inside("file", relativePath);
        try {
            Files.createDirectories(destination.getParent());
            Files.writeString(destination, content, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new HeadLabException("cannot write " + relativePath + " into run '" + name + "': "
                    + AtomicFiles.describe(e), e);
        }
        return this;
    }

    /** Copies a file (a tokenizer.json, say) into the run at {@code relativePath}. */
    public RunWriter addFile(String relativePath, Path source) {
        requireOpen();
        Path destination = new RunPaths(temp, temp.resolve(Run.MANIFEST_FILE)).inside("file", relativePath);
        try {
            Files.createDirectories(destination.getParent());
            Files.copy(source, destination);
        } catch (IOException e) {
            throw new HeadLabException("cannot copy " + source + " into run '" + name + "': "
                    + AtomicFiles.describe(e), e);
        }
        return this;
    }

    /**
     * Writes run.json and renames the finished folder to the target in one step. On failure the temp folder is
     * deleted and nothing appears at the target.
     */
    public Run commit() {
        requireOpen();
        if (checkpointFiles.isEmpty()) {
            throw new HeadLabException("run '" + name + "': add at least one checkpoint before commit");
        }
        finished = true;
        try {
            manifest().writeAtomically(temp.resolve(Run.MANIFEST_FILE));
            // a plain move is a rename(2) within one folder, and unlike ATOMIC_MOVE it refuses an existing target
            Files.move(temp, target);
        } catch (FileAlreadyExistsException e) {
            org.headlab.core.AtomicFiles.deleteTree(temp);
            throw new HeadLabException("cannot create run " + target + ": it appeared while the run was written");
        } catch (IOException | RuntimeException e) {
            org.headlab.core.AtomicFiles.deleteTree(temp);
            if (e instanceof HeadLabException h) {
                throw h;
            }
            throw new HeadLabException("cannot create run " + target + ": " + (e instanceof IOException io
                    ? AtomicFiles.describe(io) : e.getMessage()), e);
        }
        return Run.open(target);
    }

    private RunManifest manifest() {
        List<RunManifest.CheckpointEntry> checkpoints = new ArrayList<>();
        checkpointFiles.forEach((step, file) -> checkpoints.add(new RunManifest.CheckpointEntry(step, file)));
        return new RunManifest(RunManifest.FORMAT, name, description, config, tokenizer,
                List.copyOf(datasets.values()), checkpoints, Json.mapper().valueToTree(training));
    }

    /** Deletes the temp folder unless the run was committed. */
    @Override
    public void close() {
        if (!finished) {
            finished = true;
            org.headlab.core.AtomicFiles.deleteTree(temp);
        }
    }

    /** Where the run is being written until commit; for tests and diagnostics. */
    Path tempDir() {
        return temp;
    }

    private void requireOpen() {
        if (finished) {
            throw new IllegalStateException("run writer for " + target + " is already committed or closed");
        }
    }

    private static String randomSuffix() {
        byte[] bytes = new byte[6];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

}
