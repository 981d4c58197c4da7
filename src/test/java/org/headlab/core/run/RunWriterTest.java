package org.headlab.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.headlab.core.HeadLabException;
import org.headlab.core.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RunWriter: the layout it produces, and that a failed or abandoned write leaves nothing behind. */
class RunWriterTest {
    @TempDir
    Path tmp;

    private List<String> listing() throws Exception {
        try (Stream<Path> files = Files.list(tmp)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private RunWriter writer(String name) {
        return RunWriter.create(tmp.resolve(name), TinyRuns.CONFIG, TinyRuns.TOKENIZER, name, "test");
    }

    @Test
    void commitProducesTheDocumentedLayout() throws Exception {
        Run run = TinyRuns.write(tmp.resolve("run"), 1234567, 5, 0);

        assertEquals(List.of("run"), listing(), "no temp folder beside the run");
        Path dir = tmp.resolve("run");
        assertTrue(Files.isRegularFile(dir.resolve("checkpoints/step-000000.safetensors")));
        assertTrue(Files.isRegularFile(dir.resolve("checkpoints/step-000005.safetensors")));
        assertTrue(Files.isRegularFile(dir.resolve("checkpoints/step-1234567.safetensors")), "6+ digits");
        assertTrue(Files.isRegularFile(dir.resolve("data/text.jsonl")));
        JsonNode json = Json.mapper().readTree(dir.resolve("run.json").toFile());
        assertEquals("headlab-run/1", json.get("format").textValue());
        assertEquals(0, json.get("checkpoints").get(0).get("step").intValue(), "sorted by step");
        assertEquals(1, json.get("model").get("n_layers").intValue());
        assertEquals(7, json.get("training").get("seed").intValue());
        assertEquals(List.of(0, 5, 1234567), run.steps());
    }

    @Test
    void refusesAnExistingTarget() throws Exception {
        Files.createDirectory(tmp.resolve("taken"));
        HeadLabException e = assertThrows(HeadLabException.class, () -> writer("taken"));
        assertTrue(e.getMessage().contains("taken") && e.getMessage().contains("already exists"), e.getMessage());
        assertEquals(List.of("taken"), listing());
    }

    @Test
    void refusesAMissingParent() {
        HeadLabException e = assertThrows(HeadLabException.class, () -> RunWriter.create(
                tmp.resolve("no/such/run"), TinyRuns.CONFIG, TinyRuns.TOKENIZER, "r", null));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void refusesAReadOnlyParent() throws Exception {
        assumeFalse("root".equals(System.getProperty("user.name")), "root can write anywhere");
        Path parent = Files.createDirectory(tmp.resolve("ro"));
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            HeadLabException e = assertThrows(HeadLabException.class, () -> RunWriter.create(
                    parent.resolve("run"), TinyRuns.CONFIG, TinyRuns.TOKENIZER, "r", null));
            assertTrue(e.getMessage().contains("not writable"), e.getMessage());
        } finally {
            Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void closeWithoutCommitLeavesNothing() throws Exception {
        try (RunWriter w = writer("abandoned")) {
            w.addCheckpoint(0, TinyRuns.weights(0));
            assertTrue(Files.isDirectory(w.tempDir()));
            assertTrue(w.tempDir().getFileName().toString().startsWith(".abandoned.tmp-"));
        }
        assertEquals(List.of(), listing());
    }

    @Test
    void failedCheckpointNamesTheTensorAndLeavesNothingAfterClose() throws Exception {
        Map<String, HostTensor> bad = new LinkedHashMap<>(TinyRuns.weights(0));
        bad.put("blocks.0.attn.W_O", HostTensor.zeros(2, 4, 2));
        try (RunWriter w = writer("broken")) {
            HeadLabException e = assertThrows(HeadLabException.class, () -> w.addCheckpoint(0, bad));
            assertTrue(e.getMessage().contains("'blocks.0.attn.W_O'") && e.getMessage().contains("[2, 2, 4]"),
                    e.getMessage());
        }
        assertEquals(List.of(), listing());
    }

    @Test
    void failedCommitDeletesTheTempFolder() throws Exception {
        try (RunWriter w = writer("empty")) {
            HeadLabException e = assertThrows(HeadLabException.class, w::commit);
            assertTrue(e.getMessage().contains("at least one checkpoint"), e.getMessage());
        }
        assertEquals(List.of(), listing());
    }

    @Test
    void targetAppearingDuringTheWriteIsNotOverwritten() throws Exception {
        try (RunWriter w = writer("race")) {
            w.addCheckpoint(0, TinyRuns.weights(0));
            Files.createDirectory(tmp.resolve("race")); // someone else got there first (an empty folder)
            HeadLabException e = assertThrows(HeadLabException.class, w::commit);
            assertTrue(e.getMessage().contains("appeared"), e.getMessage());
        }
        assertEquals(List.of("race"), listing());
        try (Stream<Path> inside = Files.list(tmp.resolve("race"))) {
            assertEquals(0, inside.count(), "the other folder is untouched");
        }
    }

    @Test
    void refusesDuplicateStepsAndBadDatasetNames() {
        try (RunWriter w = writer("r")) {
            w.addCheckpoint(3, TinyRuns.weights(3));
            assertThrows(HeadLabException.class, () -> w.addCheckpoint(3, TinyRuns.weights(3)));
            assertThrows(HeadLabException.class, () -> w.addDataset("../evil", null, List.of("x")));
            assertThrows(HeadLabException.class, () -> w.addDataset(".hidden", null, List.of("x")));
            w.addDataset("train", null, List.of("x"));
            assertThrows(HeadLabException.class, () -> w.addDataset("train", null, List.of("y")));
        }
    }

    @Test
    void writesTokenDatasetsAndCopiedFiles() throws Exception {
        Path tokenizerJson = Files.writeString(tmp.resolve("tokenizer-src.json"), "{}");
        Run run;
        try (RunWriter w = writer("r")) {
            w.addCheckpoint(0, TinyRuns.weights(0));
            w.addRecords("heldout", "ids", List.of(DatasetRecord.ofTokens(0, 1, 2),
                    new DatasetRecord("ab", new int[] {1, 2})));
            w.addFile("tokenizer.json", tokenizerJson);
            run = w.commit();
        }
        assertEquals(List.of(DatasetRecord.ofTokens(0, 1, 2), new DatasetRecord("ab", new int[] {1, 2})),
                run.readDataset("heldout"));
        assertTrue(Files.isRegularFile(run.dir().resolve("tokenizer.json")));
        assertFalse(listing().stream().anyMatch(n -> n.startsWith(".")), "no hidden temp folder: " + listing());
    }
}
