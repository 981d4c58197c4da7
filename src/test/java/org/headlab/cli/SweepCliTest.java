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
    void theMechanisticAndLlcEstimatorsSweepAndComeBackFromResults() throws Exception {
        Path run = FixtureRuns.brackets(tmp, "run");
        CliTest.Result s = CliTest.cli("sweep", run.toString(), "--estimators", "llc,ablation,composition,patterns",
                "--steps", "10,100", "--heads", "0:1,1:3", "--workers", "1", "--no-progress",
                "-p", "llc.chains=2", "-p", "llc.draws=4", "-p", "llc.batch=2", "-p", "llc.init_batches=1",
                "-p", "ablation.length=7", "-p", "patterns.length=7", "-p", "patterns.sequences=4");
        assertEquals(0, s.code(), s.err());
        // per step: llc 2 heads, ablation 2 heads, composition 1, patterns 1
        assertTrue(s.out().contains("12 tasks: 12 computed, 0 skipped (already stored), 0 failed"), s.out());
        CliTest.Result json = CliTest.cli("results", run.toString(), "--json");
        assertEquals(0, json.code(), json.err());
        JsonNode rows = CliTest.json(json.out());
        assertEquals(12, rows.size());
        java.util.Map<String, Integer> count = new java.util.TreeMap<>();
        for (JsonNode r : rows) {
            String id = r.get("estimator").asText();
            count.merge(id, 1, Integer::sum);
            JsonNode m = r.get("metrics");
            switch (id) {
                case "llc" -> assertTrue(m.get("llc/mean").isNumber() && m.get("llc/trace").size() == 8, m.toString());
                case "ablation" -> assertTrue(m.has("ablation/resample/delta_loss"), m.toString());
                case "composition" -> assertEquals(2 * 4 * 2 * 4, m.get("composition/q").size());
                case "patterns" -> assertEquals(2 * 4, m.get("patterns/bracket_matching").size());
                default -> throw new AssertionError(id);
            }
        }
        assertEquals(java.util.Map.of("ablation", 4, "composition", 2, "llc", 4, "patterns", 2), count);
        for (JsonNode r : rows) {
            if (r.get("estimator").asText().equals("llc")) {
                // 4 draws are too few for Geweke: stored as not converged, with R̂ and per-chain z beside it
                JsonNode m = r.get("metrics");
                assertEquals(0, m.get("llc/converged").asLong(), m.toString());
                assertTrue(m.get("llc/rhat").isNumber() && m.get("llc/geweke_z").size() == 2, m.toString());
            }
        }
        CliTest.Result again = CliTest.cli("sweep", run.toString(), "--estimators", "composition", "--steps", "10",
                "--no-progress");
        assertTrue(again.out().contains("1 tasks: 0 computed, 1 skipped"), again.out());
    }

    /** --every-nth 2 over the fixture's steps keeps the 1st, 3rd, ... and the last; a later full run adds the rest. */
    @Test
    void everyNthThinsTheCheckpointsAndKeepsTheLast() throws Exception {
        Path run = FixtureRuns.brackets(tmp, "thin");
        java.util.List<Integer> steps = FixtureRuns.STEPS;
        java.util.Set<Integer> expected = new java.util.TreeSet<>();
        for (int i = 0; i < steps.size(); i += 2) {
            expected.add(steps.get(i));
        }
        expected.add(steps.get(steps.size() - 1));
        CliTest.Result s = CliTest.cli("sweep", run.toString(), "--estimators", "loss", "--every-nth", "2",
                "--no-progress");
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().contains(expected.size() + " tasks: " + expected.size() + " computed"), s.out());
        JsonNode rows = CliTest.json(CliTest.cli("results", run.toString(), "--json").out());
        java.util.Set<Integer> stored = new java.util.TreeSet<>();
        rows.forEach(r -> stored.add(r.get("step").asInt()));
        assertEquals(expected, stored);
        CliTest.Result all = CliTest.cli("sweep", run.toString(), "--estimators", "loss", "--no-progress");
        assertTrue(all.out().contains(steps.size() + " tasks: " + (steps.size() - expected.size()) + " computed, "
                + expected.size() + " skipped"), all.out());
        CliTest.assertOneLineUserError(CliTest.cli("sweep", run.toString(), "--estimators", "loss", "--every-nth",
                "0"), "--every-nth");
    }

    @Test
    void mistakesAreOneLine() {
        Path run = FixtureRuns.brackets(tmp, "run");
        CliTest.assertOneLineUserError(CliTest.cli("sweep", run.toString(), "--estimators", "llcc"),
                "unknown estimator 'llcc'");
        CliTest.assertOneLineUserError(CliTest.cli("sweep", run.toString(), "--estimators", "loss", "-p",
                "loss.max_sequences=-1"), "max_sequences");
        CliTest.assertOneLineUserError(CliTest.cli("sweep", run.toString(), "--estimators", "loss", "--steps",
                "5"), "no checkpoint at step 5");
        CliTest.assertOneLineUserError(CliTest.cli("sweep", run.toString(), "--estimators", "ablation", "--heads",
                "7:0"), "7:0");
        // a refused sweep writes nothing: no result store appeared
        org.junit.jupiter.api.Assertions.assertFalse(java.nio.file.Files.exists(run.resolve(".headlab")),
                "no .headlab folder after refused sweeps");
        CliTest.assertOneLineUserError(CliTest.cli("results", run.toString()), "--csv");
    }
}
