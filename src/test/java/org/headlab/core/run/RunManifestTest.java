package org.headlab.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.headlab.core.HeadLabException;
import org.headlab.core.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run.json against hand-written JSON: the field names on disk and the one-line errors for bad files. */
class RunManifestTest {
    @TempDir
    Path dir;

    static final String VALID = """
            {
              "format": "headlab-run/1",
              "name": "tiny",
              "description": "hand written",
              "model": {"n_layers": 1, "n_heads": 2, "d_model": 4, "d_head": 2, "d_vocab": 5, "n_ctx": 3,
                        "attn_only": true, "normalization_type": "LN", "positional_embedding_type": "standard",
                        "eps": 1e-5, "d_vocab_out": 5, "some_future_key": [1, 2]},
              "tokenizer": {"type": "char", "vocab": ["<bos>", "a", "b", "(", ")"], "bos": "<bos>"},
              "datasets": [{"name": "text", "file": "data/text.jsonl", "description": "strings"}],
              "checkpoints": [{"step": 100, "file": "checkpoints/step-000100.safetensors"},
                              {"step": 0, "file": "checkpoints/step-000000.safetensors"}],
              "training": {"lr": 0.01, "schedule": {"warmup": 10}}
            }
            """;

    private Path runJson(String json) throws Exception {
        return Files.writeString(dir.resolve("run.json"), json);
    }

    private HeadLabException refused(String json, String... mustMention) throws Exception {
        Path file = runJson(json);
        HeadLabException e = assertThrows(HeadLabException.class, () -> RunManifest.read(file));
        assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        for (String s : mustMention) {
            assertTrue(e.getMessage().contains(s), "mentions '" + s + "': " + e.getMessage());
        }
        return e;
    }

    @Test
    void readsEveryFieldOfAHandWrittenManifestAndIgnoresUnknownKeys() throws Exception {
        RunManifest m = RunManifest.read(runJson(VALID));

        assertEquals("headlab-run/1", m.format());
        assertEquals("tiny", m.name());
        assertEquals(TinyRuns.CONFIG, m.model());
        assertEquals(TinyRuns.TOKENIZER, m.tokenizer());
        assertEquals(List.of(new RunManifest.DatasetEntry("text", "data/text.jsonl", "strings")), m.datasets());
        assertEquals(new RunManifest.CheckpointEntry(100, "checkpoints/step-000100.safetensors"),
                m.checkpoints().get(0));
        assertEquals(10, m.training().get("schedule").get("warmup").intValue());
    }

    @Test
    void writesSnakeCaseAndReadsBackEqual() throws Exception {
        RunManifest m = RunManifest.read(runJson(VALID));
        Path copy = dir.resolve("copy.json");

        m.writeAtomically(copy);

        String text = Files.readString(copy);
        assertTrue(text.contains("\"n_layers\" : 1") && text.contains("\"attn_only\" : true")
                && text.contains("\"data_offsets\"") == false && text.contains("\"checkpoints\""), text);
        assertTrue(text.contains("\n  "), "pretty-printed");
        assertEquals(m, RunManifest.read(copy));
        assertEquals(Json.mapper().readTree(Files.readString(copy)).get("model").get("d_head").intValue(), 2);
    }

    @Test
    void malformedJsonGivesLineAndColumn() throws Exception {
        refused("{\n  \"format\": \"headlab-run/1\",\n  \"name\": tiny\n}", "not valid JSON", "line 3", "column");
    }

    @Test
    void missingFieldIsNamed() throws Exception {
        refused(VALID.replace("\"name\": \"tiny\",", ""), "field 'name' is missing");
    }

    @Test
    void missingModelKeyIsNamedWithItsPath() throws Exception {
        refused(VALID.replace("\"d_head\": 2,", ""), "field 'model.d_head' is missing", "integer");
    }

    @Test
    void stringWhereAnIntegerBelongsIsNotCoerced() throws Exception {
        refused(VALID.replace("\"n_heads\": 2", "\"n_heads\": \"2\""), "'model.n_heads'", "must be an integer");
    }

    @Test
    void fractionalStepIsRefused() throws Exception {
        refused(VALID.replace("\"step\": 100", "\"step\": 100.5"), "'checkpoints[0].step'", "integer");
    }

    @Test
    void checkpointEntryWithoutFileIsNamed() throws Exception {
        refused(VALID.replace(", \"file\": \"checkpoints/step-000000.safetensors\"", ""),
                "'checkpoints[1].file' is missing");
    }

    @Test
    void wrongTypeDeeperInTheModelIsNamedWithLineAndColumn() throws Exception {
        refused(VALID.replace("\"attn_only\": true", "\"attn_only\": \"yes\""), "'model.attn_only'", "line 6");
    }

    @Test
    void trainingMustBeAnObject() throws Exception {
        refused(VALID.replace("\"training\": {\"lr\": 0.01, \"schedule\": {\"warmup\": 10}}", "\"training\": 3"),
                "'training' must be an object");
    }

    @Test
    void missingRunJson() {
        HeadLabException e = assertThrows(HeadLabException.class, () -> RunManifest.read(dir.resolve("run.json")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }
}
