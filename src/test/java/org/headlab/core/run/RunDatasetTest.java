package org.headlab.core.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.headlab.core.HeadLabException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dataset files (JSON lines) read through a Run, against lines written by hand. */
class RunDatasetTest {
    @TempDir
    Path tmp;

    private Run runWithTextFile(String jsonl) throws Exception {
        TinyRuns.write(tmp.resolve("run"), 0);
        Files.writeString(tmp.resolve("run/data/text.jsonl"), jsonl);
        return Run.open(tmp.resolve("run"));
    }

    @Test
    void readsTextTokensAndBothSkippingBlankLines() throws Exception {
        Run run = runWithTextFile("{\"text\": \"ab\"}\n\n   \n{\"tokens\": [0, 1, 4]}\n"
                + "{\"text\": \"(a)\", \"tokens\": [3, 1, 4], \"source\": \"ignored\"}\n");

        List<DatasetRecord> records = run.readDataset("text");

        assertEquals(3, records.size());
        assertEquals("ab", records.get(0).text());
        assertNull(records.get(0).tokens());
        assertNull(records.get(1).text());
        assertArrayEquals(new int[] {0, 1, 4}, records.get(1).tokens());
        assertEquals(new DatasetRecord("(a)", new int[] {3, 1, 4}), records.get(2));
    }

    /** Windows line endings and a UTF-8 byte-order mark (as Notepad saves) read as the same records. */
    @Test
    void crlfAndAByteOrderMarkReadAsTheSameText() throws Exception {
        String lf = "{\"text\": \"ab\"}\n{\"text\": \"(a)\"}\n";
        List<DatasetRecord> expected = runWithTextFile(lf).readDataset("text");
        assertEquals(2, expected.size());
        for (String variant : List.of(lf.replace("\n", "\r\n"), "\uFEFF" + lf, "\uFEFF" + lf.replace("\n", "\r\n"))) {
            java.nio.file.Files.deleteIfExists(tmp.resolve("run/run.json"));
            deleteTree(tmp.resolve("run"));
            assertEquals(expected, runWithTextFile(variant).readDataset("text"), variant.replace("\r", "\\r"));
        }
    }

    /** A bad byte far into the file (past any read-ahead buffer) is reported on its own line. */
    @Test
    void aBadByteIsReportedOnItsOwnLine() throws Exception {
        StringBuilder ok = new StringBuilder();
        for (int i = 0; i < 299; i++) {
            ok.append("{\"text\": \"ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab\"}\n");
        }
        TinyRuns.write(tmp.resolve("run"), 0);
        byte[] head = ok.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] bad = "{\"text\": \"a\u00ff\"}\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] all = java.util.Arrays.copyOf(head, head.length + bad.length);
        System.arraycopy(bad, 0, all, head.length, bad.length);
        java.nio.file.Files.write(tmp.resolve("run/data/text.jsonl"), all);
        Run run = Run.open(tmp.resolve("run"));
        HeadLabException e = assertThrows(HeadLabException.class, () -> run.readDataset("text"));
        assertTrue(e.getMessage().endsWith("text.jsonl line 300: not valid UTF-8"), e.getMessage());
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        if (!java.nio.file.Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> all = java.nio.file.Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(p);
            }
        }
    }

    @Test
    void roundTripsWhatRunWriterWrote() {
        Run run = TinyRuns.write(tmp.resolve("run"), 0);
        assertEquals(List.of(DatasetRecord.ofText("ab"), DatasetRecord.ofText("(a)"), DatasetRecord.ofText("b")),
                run.readDataset("text"));
    }

    private void refused(String jsonl, String... mustMention) throws Exception {
        Run run = runWithTextFile(jsonl);
        HeadLabException e = assertThrows(HeadLabException.class, () -> run.readDataset("text"));
        assertTrue(e.getMessage().contains("text.jsonl"), "names the file: " + e.getMessage());
        for (String s : mustMention) {
            assertTrue(e.getMessage().contains(s), "mentions '" + s + "': " + e.getMessage());
        }
    }

    @Test
    void badJsonNamesTheLine() throws Exception {
        refused("{\"text\": \"ok\"}\n\n{\"text\": \"unclosed}\n", "line 3", "not valid JSON");
    }

    @Test
    void lineWithNeitherTextNorTokens() throws Exception {
        refused("{\"text\": \"ok\"}\n{\"words\": 3}\n", "line 2", "\"text\"");
    }

    @Test
    void textMustBeAString() throws Exception {
        refused("{\"text\": 12}\n", "line 1", "must be a string");
    }

    @Test
    void tokenOutsideTheVocabulary() throws Exception {
        refused("{\"tokens\": [1, 2, 5]}\n", "line 1", "token 2 is 5", "d_vocab 5");
    }

    @Test
    void unknownDatasetListsTheAvailableOnes() {
        Run run = TinyRuns.write(tmp.resolve("run"), 0);
        HeadLabException e = assertThrows(HeadLabException.class, () -> run.readDataset("code"));
        assertTrue(e.getMessage().contains("'code'") && e.getMessage().contains("available: text"), e.getMessage());
    }
}
