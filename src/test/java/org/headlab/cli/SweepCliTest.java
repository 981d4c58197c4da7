package org.headlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sweep and results end to end: counts in the summary, CSV with a header, JSON rows, one-line user errors. */
class SweepCliTest {
    @TempDir
    Path tmp;

    @Test
    void sweepThenResultsAsCsvAndJson() throws Exception {
        Path run = FixtureRuns.brackets(tmp, "run");
        CliTest.Result s = CliTest.cli("sweep", run.toString(), "--estimators", "loss,weight_norm", "--steps",
                "0,100", "--heads", "0:1,1:3", "--workers", "2");
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().contains("6 tasks: 6 computed, 0 skipped (already stored), 0 failed"), s.out());
        assertTrue(s.err().contains("6/6"), "progress bar on stderr: " + s.err());

        CliTest.Result again = CliTest.cli("sweep", run.toString(), "--estimators", "loss", "--steps", "all",
                "-p", "loss.max_sequences=2", "--no-progress");
        assertTrue(again.out().contains("3 tasks: 3 computed"), again.out()); // new parameter: new keys

        CliTest.Result csv = CliTest.cli("results", run.toString(), "--estimator", "weight_norm", "--step", "100",
                "--csv");
        assertEquals(0, csv.code(), csv.err());
        List<String> lines = csv.out().lines().toList();
        assertEquals(ResultsCommand.CSV_HEADER, lines.get(0));
        assertEquals(1 + 2 * 4, lines.size(), "2 heads x 4 norms"); // q, k, v, o
        assertTrue(lines.get(1).startsWith("100,weight_norm,head,"), lines.get(1));

        CliTest.Result json = CliTest.cli("results", run.toString(), "--estimator", "loss", "--json");
        JsonNode rows = CliTest.json(json.out());
        assertEquals(2 + 3, rows.size());
        for (JsonNode r : rows) {
            assertTrue(r.get("metrics").get("loss/mean").asDouble() > 0, r.toString());
            assertEquals("train", r.get("dataset").asText());
        }
    }

    @Test
    void mistakesAreOneLine() {
        Path run = FixtureRuns.brackets(tmp, "run");
        CliTest.assertOneLineUserError(CliTest.cli("sweep", run.toString(), "--estimators", "llc"),
                "unknown estimator 'llc'");
        CliTest.assertOneLineUserError(CliTest.cli("sweep", run.toString(), "--estimators", "loss", "-p",
                "loss.max_sequences=-1"), "max_sequences");
        CliTest.assertOneLineUserError(CliTest.cli("sweep", run.toString(), "--estimators", "loss", "--steps",
                "5"), "no checkpoint at step 5");
        CliTest.assertOneLineUserError(CliTest.cli("results", run.toString()), "--csv");
    }
}
