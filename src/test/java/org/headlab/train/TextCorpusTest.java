package org.headlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.headlab.core.HeadLabException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextCorpusTest {
    @TempDir
    Path dir;

    @Test
    void normalisesToPrintableAsciiAndNewline() {
        StringBuilder sb = new StringBuilder();
        long dropped = TextCorpus.normalise("a\r\nb\rc\td\u00e9e\u0001", sb);
        assertEquals("a\nb\nc    de", sb.toString());
        assertEquals(2, dropped);
        assertEquals(97, TextCorpus.VOCAB.size());
        assertEquals(TrainingTasks.BOS, TextCorpus.VOCAB.get(0));
    }

    @Test
    void readsFoldersByEndingSortedAndSplitsWithoutOverlap() throws Exception {
        Files.writeString(dir.resolve("b.py"), "x".repeat(50));
        Files.writeString(dir.resolve("a.py"), "y".repeat(50));
        Files.writeString(dir.resolve("c.txt"), "ignored");
        TextCorpus.Source s = TextCorpus.read("code", List.of(dir), "py");
        assertEquals(List.of(dir.resolve("a.py"), dir.resolve("b.py")), s.files());
        assertEquals("y".repeat(50) + "\n\n" + "x".repeat(50), s.text());
        assertEquals(10, TextCorpus.chunks(s.text(), 10).size());
        TextCorpus.Split split = TextCorpus.split(s, 10, 1, 7, 3);
        assertEquals(7, split.train().size());
        assertEquals(3, split.heldout().size());
        assertEquals(split, TextCorpus.split(s, 10, 1, 7, 3), "same seed, same split");
        Set<String> all = new HashSet<>();
        TextCorpus.chunks(s.text(), 10).forEach(all::add);
        assertTrue(all.containsAll(split.train()) && all.containsAll(split.heldout()));
        assertThrows(HeadLabException.class, () -> TextCorpus.split(s, 10, 1, 9, 3));
    }

    @Test
    void anEmptyCorpusIsAClearError() {
        HeadLabException e = assertThrows(HeadLabException.class, () -> TextCorpus.read("text", List.of(dir), "txt"));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        assertThrows(HeadLabException.class, () -> TextCorpus.read("text", List.of(), "txt"));
    }
}
