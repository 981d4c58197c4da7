package org.headlab.core.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.headlab.core.AtomicFiles;
import org.headlab.core.HeadLabException;
import org.headlab.core.Json;
import org.headlab.core.data.TokenizerSpec;

/**
 * The contents of a run's {@code run.json}. Example:
 *
 * <pre>{@code
 * {
 *   "format": "headlab-run/1",
 *   "name": "dyck-2l4h",
 *   "description": "2-layer attention-only model on Dyck-2",
 *   "model": {"n_layers": 2, "n_heads": 4, "d_model": 64, "d_head": 16, "d_vocab": 12, "n_ctx": 64,
 *             "attn_only": true, "normalization_type": "LN", "positional_embedding_type": "standard"},
 *   "tokenizer": {"type": "bracket", "vocab": ["<bos>", "(", ")", "[", "]"], "bos": "<bos>"},
 *   "datasets": [{"name": "train", "file": "data/train.jsonl", "description": "training slice"}],
 *   "checkpoints": [{"step": 0, "file": "checkpoints/step-000000.safetensors"}],
 *   "training": {"lr": 0.001, "batch_size": 32}
 * }
 * }</pre>
 *
 * Every path is relative to the run folder. {@link #read} checks the JSON's structure and types; {@link Run#open}
 * checks what needs the folder (paths, checkpoint headers).
 *
 * @param training free-form facts about how the run was trained; never interpreted, shown and exported as is
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunManifest(String format, String name, String description, ModelConfig model,
        TokenizerSpec tokenizer, List<DatasetEntry> datasets, List<CheckpointEntry> checkpoints,
        ObjectNode training) {

    public static final String FORMAT = "headlab-run/1";

    public RunManifest {
        datasets = datasets == null ? List.of() : List.copyOf(datasets);
        checkpoints = checkpoints == null ? List.of() : List.copyOf(checkpoints);
        training = training == null ? Json.mapper().createObjectNode() : training.deepCopy();
    }

    /** One named slice of data, a JSON-lines file of {@code {"text": ...}} and/or {@code {"tokens": [...]}}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DatasetEntry(String name, String file, String description) {
    }

    public record CheckpointEntry(int step, String file) {
    }

    @Override
    public ObjectNode training() {
        return training.deepCopy();
    }

    /** Reads run.json and checks that every required field is present and of the right type. */
    public static RunManifest read(Path file) {
        byte[] bytes = readBytes(file);
        JsonNode root;
        try {
            root = Json.mapper().readTree(bytes);
        } catch (IOException e) {
            throw new HeadLabException(file + ": not valid JSON (" + Json.describe(e) + ")");
        }
        new ManifestShape(file).check(root);
        try {
            return Json.mapper().readValue(bytes, RunManifest.class);
        } catch (IOException e) {
            throw new HeadLabException(file + ": " + Json.describe(e));
        }
    }

    /** Replaces run.json so that a reader or a crash never sees half of it. */
    public void writeAtomically(Path file) {
        Json.writeAtomically(file, this);
    }

    private static byte[] readBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new HeadLabException(file + " does not exist (a run folder needs a run.json)");
        } catch (IOException e) {
            throw new HeadLabException("cannot read " + file + ": " + AtomicFiles.describe(e), e);
        }
    }
}
