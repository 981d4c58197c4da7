package org.headlab.core.labels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.headlab.core.HeadLabException;
import org.headlab.core.session.RunSession;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** labels.json on disk: round trip, atomic replace, one clear line for a bad file, CSV export. */
class LabelStoreTest {
    @TempDir
    Path run;

    static final LabelProvenance WHO = new LabelProvenance("ada", "2025-03-01T12:00:00Z",
            Map.of("bracket_matching", 0.83), "attention map at step 100");

    static LabelSet sample() {
        LabelClass depth = LabelClass.user("Depth counter", "#17BECF");
        return LabelSet.empty().withClass(depth)
                .with(new HeadLabel(1, 2, "bracket-matching", 100, null, "matches, with \"quotes\", commas", WHO))
                .with(new HeadLabel(0, 3, "depth-counter", null, 10, "", WHO))
                .with(new HeadLabel(0, 1, "previous-token", null, null, "", WHO));
    }

    @Test
    void aSavedSetReadsBackEqualAndLeavesNoTempFile() throws Exception {
        LabelSet labels = sample();
        LabelStore.save(run, labels);
        assertEquals(labels, LabelStore.read(run));
        try (Stream<Path> files = Files.list(run)) {
            assertEquals(List.of("labels.json"), files.map(p -> p.getFileName().toString()).toList());
        }
        String text = Files.readString(LabelStore.file(run));
        assertTrue(text.contains("\"format\" : \"headlab-labels/1\""), text);
        assertTrue(text.contains("\"class_id\" : \"bracket-matching\""), "snake_case on disk: " + text);
        assertTrue(text.contains("\"color\" : \"#17becf\""), text);
        // a second save replaces the file whole
        LabelStore.save(run, labels.without(labels.labels().get(0)));
        assertEquals(2, LabelStore.read(run).labels().size());
    }

    @Test
    void noFileMeansNoLabels() {
        assertTrue(LabelStore.read(run).isEmpty());
        assertTrue(LabelStore.load(run).error().isEmpty());
    }

    @Test
    void aMalformedFileGivesOneLineNamingTheFileAndTheField() throws Exception {
        Files.writeString(LabelStore.file(run), """
                {"format": "headlab-labels/1", "labels": [{"layer": "one", "head": 2, "class_id": "induction"}]}
                """);
        HeadLabException e = assertThrows(HeadLabException.class, () -> LabelStore.read(run));
        String m = e.getMessage();
        assertTrue(m.contains("labels.json") && m.contains("labels[0].layer") && m.contains("integer"), m);
        assertFalse(m.contains("\n"), m);
        assertEquals(m, LabelStore.load(run).error().orElseThrow());

        Files.writeString(LabelStore.file(run), "{\"format\": \"headlab-labels/1\", \"labels\": [{\"layer\": 0, "
                + "\"head\": 0, \"class_id\": \"nope\"}]}");
        assertTrue(LabelStore.load(run).error().orElseThrow().contains("labels[0].class_id: 'nope'"));
        Files.writeString(LabelStore.file(run), "{\"format\": \"headlab-labels/9\"}");
        assertTrue(LabelStore.load(run).error().orElseThrow().contains("newer HeadLab"));
        Files.writeString(LabelStore.file(run), "{\"labels\": [");
        assertTrue(LabelStore.load(run).error().orElseThrow().contains("not valid JSON"));
    }

    @Test
    void aRunWithABrokenLabelsFileStillOpens(@TempDir Path parent) throws Exception {
        Path dir = FixtureRuns.brackets(parent, "broken-labels");
        Files.writeString(LabelStore.file(dir), "not json");
        try (RunSession s = RunSession.open(dir)) {
            assertEquals(FixtureRuns.STEPS, s.steps());
        }
        LabelStore.Loaded loaded = LabelStore.load(dir);
        assertTrue(loaded.labels().isEmpty());
        assertTrue(loaded.error().orElseThrow().startsWith(LabelStore.file(dir) + ": not valid JSON"));
        Path aside = LabelStore.moveAside(dir).orElseThrow();
        assertEquals("not json", Files.readString(aside));
        assertFalse(Files.exists(LabelStore.file(dir)));
    }

    @Test
    void csvHasOneQuotedRowPerLabel() {
        String csv = LabelStore.toCsv(sample());
        List<String> lines = csv.lines().toList();
        assertEquals(4, lines.size(), csv);
        assertTrue(lines.get(0).startsWith("layer,head,class_id,class_name,color,from_step,to_step,note"));
        assertEquals("0,1,previous-token,Previous token,#1f77b4,,,,ada,2025-03-01T12:00:00Z,"
                + "bracket_matching=0.8300,attention map at step 100", lines.get(1));
        assertTrue(lines.get(3).contains("\"matches, with \"\"quotes\"\", commas\""), lines.get(3));
    }

    /**
     * labels.json or its lock file as a link leading out of the run (a stranger's run folder): refused on read,
     * save and update, and the file it points at is neither read nor created.
     */
    @Test
    void linksNamedLikeTheLabelFilesAreRefused(@TempDir Path parent) throws Exception {
        Path outside = Files.createDirectories(parent.resolve("outside"));
        Path secret = Files.writeString(outside.resolve("secret.txt"), "not json, not yours");
        Path run = Files.createDirectories(parent.resolve("run"));
        Files.createSymbolicLink(run.resolve(LabelStore.FILE), secret);
        HeadLabException read = assertThrows(HeadLabException.class, () -> LabelStore.read(run));
        assertTrue(read.getMessage().contains("is a link"), read.getMessage());
        assertFalse(read.getMessage().contains("not yours"), "nothing of the linked file is shown");
        assertTrue(LabelStore.load(run).error().orElseThrow().contains("is a link"));
        assertThrows(HeadLabException.class, () -> LabelStore.save(run, LabelSet.empty()));
        assertEquals("not json, not yours", Files.readString(secret));

        Path run2 = Files.createDirectories(parent.resolve("run2"));
        Path target = outside.resolve("created-by-a-lock");
        Files.createSymbolicLink(run2.resolve(LabelStore.FILE + ".lock"), target);
        assertThrows(HeadLabException.class, () -> LabelStore.update(run2, l -> l));
        assertFalse(Files.exists(target), "no file made outside the run through the lock");
    }
}
