package org.headlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.headlab.core.labels.LabelStore;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Labelling without a window: {@code labels --set}, then the labels read back as JSON and CSV. */
class LabelsCliTest {
    @TempDir
    Path tmp;

    @Test
    void setThenListAsJsonAndCsv() throws Exception {
        Path run = FixtureRuns.brackets(tmp, "brackets");
        CliTest.Result set = CliTest.cli("labels", run.toString(), "--set", "1:2=bracket-matching@10-", "--set",
                "0:0=positional", "--note", "attends to BOS");
        assertEquals(0, set.code(), set.err());
        assertTrue(set.out().contains("2 labels"), set.out());

        CliTest.Result json = CliTest.cli("labels", run.toString(), "--json");
        assertEquals(0, json.code(), json.err());
        JsonNode doc = CliTest.json(json.out());
        assertEquals(LabelStore.FORMAT, doc.get("format").asText());
        JsonNode labels = doc.get("labels");
        assertEquals(2, labels.size());
        JsonNode l = labels.get(1);
        assertEquals(1, l.get("layer").asInt());
        assertEquals(2, l.get("head").asInt());
        assertEquals("bracket-matching", l.get("class_id").asText());
        assertEquals(10, l.get("from_step").asInt());
        assertTrue(l.get("to_step") == null, "open end");
        assertEquals("attends to BOS", l.get("note").asText());
        assertEquals(System.getProperty("user.name"), l.get("provenance").get("who").asText());

        CliTest.Result csv = CliTest.cli("labels", run.toString(), "--csv", "--remove", "0:0");
        assertEquals(2, csv.out().lines().count(), csv.out());
        assertTrue(csv.out().lines().toList().get(1).startsWith("1,2,bracket-matching,Bracket matching,#2ca02c,10,,"));
    }

    @Test
    void mistakesAreOneLine() {
        Path run = FixtureRuns.brackets(tmp, "brackets");
        CliTest.assertOneLineUserError(CliTest.cli("labels", run.toString(), "--set", "1:2=nope"), "nope");
        CliTest.assertOneLineUserError(CliTest.cli("labels", run.toString(), "--set", "5:0=induction"), "layer");
        CliTest.assertOneLineUserError(CliTest.cli("labels", run.toString(), "--set", "1:2=induction@9-3"), "after");
        CliTest.assertOneLineUserError(CliTest.cli("labels", run.toString(), "--add-class", "Depth=red"), "#RRGGBB");
        CliTest.assertOneLineUserError(CliTest.cli("labels", run.toString(), "--add-class", "???"), "letter");
    }

    @Test
    void aClassOfYourOwnIsAddedOnceAndUsableAtOnce() throws Exception {
        Path run = FixtureRuns.brackets(tmp, "brackets");
        CliTest.Result r = CliTest.cli("labels", run.toString(), "--add-class", "Depth tracking=#17becf", "--set",
                "0:1=depth-tracking@10-", "--note", "depth");
        assertEquals(0, r.code(), r.err());
        CliTest.cli("labels", run.toString(), "--add-class", "Depth tracking");
        JsonNode doc = CliTest.json(CliTest.cli("labels", run.toString(), "--json").out());
        assertEquals("depth-tracking", doc.at("/labels/0/class_id").asText(), doc.toString());
        assertEquals(1, doc.toString().split("\"Depth tracking\"", -1).length - 1, "declared once: " + doc);
    }
}
