package org.headlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code susceptibility} end to end on the fixture run with tiny settings: what it prints, that the sweep's stored
 * estimate is the command's own (same settings, same probe, same numbers), and one clear line for bad input.
 */
class SusceptibilityCliTest {
    private static final String[] TINY = {"--chains", "2", "--draws", "4", "--batch", "2", "--init-batches", "1"};

    @TempDir
    static Path tmp;
    static Path run;

    @BeforeAll
    static void writeRun() {
        run = FixtureRuns.brackets(tmp, "brackets");
    }

    private static String[] args(String... head) {
        String[] all = new String[head.length + TINY.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(TINY, 0, all, head.length, TINY.length);
        return all;
    }

    @Test
    void jsonHasEveryProbeTokenAndTheSweepStoresTheSameNumbers() throws Exception {
        CliTest.Result r = CliTest.cli(args("susceptibility", run.toString(), "--step", "100", "--head", "1:2",
                "--probe-windows", "3", "--json"));
        assertEquals(0, r.code(), r.err());
        JsonNode j = CliTest.json(r.out());
        int windows = j.get("probe_rows").size();
        int tokens = j.get("chi").size();
        assertTrue(windows >= 1 && windows <= 3, "3 windows asked, at most the slice's: " + windows);
        assertTrue(tokens > 0 && tokens % windows == 0, windows + " windows × their predicted positions: " + tokens);
        assertEquals(j.get("chi").size(), j.get("probe_tokens").size());
        assertEquals("full", j.get("reference").asText());
        assertTrue(j.get("reference_llc").isNumber(), r.out());
        double nbeta = j.get("settings").get("nbeta").asDouble();
        for (int k = 0; k < j.get("chi").size(); k++) {
            assertEquals(nbeta * j.get("chi_devinterp").get(k).asDouble(), j.get("chi").get(k).asDouble(), 1e-9);
        }
        CliTest.Result sweep = CliTest.cli("sweep", run.toString(), "--estimators", "susceptibility", "--heads", "1:2",
                "--steps", "100", "--workers", "1", "--no-progress", "-p", "susceptibility.chains=2",
                "-p", "susceptibility.draws=4", "-p", "susceptibility.batch=2", "-p", "susceptibility.init_batches=1",
                "-p", "susceptibility.probe_windows=3");
        assertEquals(0, sweep.code(), sweep.out() + sweep.err());
        CliTest.Result stored = CliTest.cli("results", run.toString(), "--estimator", "susceptibility", "--json");
        assertEquals(0, stored.code(), stored.err());
        JsonNode rows = CliTest.json(stored.out());
        assertEquals(1, rows.size(), stored.out());
        JsonNode metrics = rows.get(0).get("metrics");
        JsonNode chi = metrics.get("susceptibility/chi");
        assertEquals(j.get("chi").size(), chi.size());
        for (int k = 0; k < chi.size(); k++) {
            double c = j.get("chi").get(k).asDouble();
            assertEquals(c, chi.get(k).asDouble(), 5e-4 * Math.abs(c), "token " + k + ", stored to 4 digits");
        }
        assertEquals(j.get("llc").get("llc/mean").asDouble(), metrics.get("llc/mean").asDouble(), 1e-6,
                "the rLLC of the same draws is stored with them");

        // the run's figure set draws them: the matrix and the strongest head's tokens (one head: no map)
        Path out = tmp.resolve("figs");
        CliTest.Result figs = CliTest.cli("figures", run.toString(), "--out", out.toString(), "--formats", "png");
        assertEquals(0, figs.code(), figs.out() + figs.err());
        for (String f : new String[] {"susceptibility-matrix-step-100", "susceptibility-tokens-1-2-step-100"}) {
            assertTrue(java.nio.file.Files.size(out.resolve(f + ".png")) > 1000, f);
            assertTrue(java.nio.file.Files.readString(out.resolve(f + ".csv")).lines().count() > chi.size() / 2,
                    f + ": its numbers beside it");
            assertTrue(java.nio.file.Files.exists(out.resolve(f + ".provenance.json")), f);
        }
        assertTrue(!java.nio.file.Files.exists(out.resolve("susceptibility-map-step-100.png")), "one head: no map");
    }

    @Test
    void textProbeAndOwnChainsAsReference() throws Exception {
        CliTest.Result r = CliTest.cli(args("susceptibility", run.toString(), "--step", "100", "--head", "0:1",
                "--text", "([])", "--reference", "self", "--bif", "--top", "3"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("reference: the head's own chains"), r.out());
        assertTrue(r.out().contains("BIF (token-wise correlation"), r.out());
    }

    @Test
    void badInputGetsOneLineAndExitTwo() {
        CliTest.Result ref = CliTest.cli(args("susceptibility", run.toString(), "--step", "100", "--head", "1:2",
                "--reference", "devinterp"));
        assertEquals(2, ref.code());
        assertEquals("headlab: reference must be full or self, got 'devinterp'", ref.err().strip());
        CliTest.Result probe = CliTest.cli(args("susceptibility", run.toString(), "--step", "100", "--head", "1:2",
                "--probe-windows", "0"));
        assertEquals(2, probe.code());
        assertEquals("headlab: a probe of 0 windows from 'train': give at least 1", probe.err().strip());
        CliTest.Result step = CliTest.cli(args("susceptibility", run.toString(), "--step", "7", "--head", "1:2"));
        assertEquals(2, step.code());
        assertTrue(step.err().contains("no checkpoint at step 7"), step.err());
        CliTest.Result eps = CliTest.cli(args("susceptibility", run.toString(), "--step", "100", "--head", "1:2",
                "--epsilon", "-1"));
        assertEquals(2, eps.code(), eps.err());
    }
}
