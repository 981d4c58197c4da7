package org.headlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.headlab.core.estimate.EstimatorResult;
import org.headlab.core.store.ResultStore;
import org.headlab.core.store.StoredResult;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code results RUN --rebase-init-loss} end to end on the fixture run: results computed with the first batch as init
 * loss are replaced, in the store and in the exported file, by what a sweep with {@code init_batches = 0} computes on
 * a second copy of the run (checked against that sweep's own rows); a second rebase changes nothing.
 */
class RebaseInitLossCliTest {
    @TempDir
    Path tmp;

    private static String[] sweep(Path run, String initBatches) {
        List<String> a = new ArrayList<>(List.of("sweep", run.toString(), "--estimators", "llc,llc_full", "--heads",
                "1:2", "--steps", "100", "--workers", "1", "--no-progress"));
        for (String est : List.of("llc", "llc_full")) {
            for (String p : List.of("chains=2", "draws=6", "batch=3", "init_batches=" + initBatches)) {
                a.add("-p");
                a.add(est + "." + p);
            }
        }
        return a.toArray(String[]::new);
    }

    private static List<StoredResult> rows(Path run) {
        try (ResultStore store = ResultStore.openForRun(run)) {
            return store.query(null, null);
        }
    }

    @Test
    void rebasedResultsAreThoseOfTheWholeSliceInTheStoreAndTheFile() throws Exception {
        Path first = FixtureRuns.brackets(tmp, "first");
        Path whole = FixtureRuns.brackets(tmp, "whole");
        assertEquals(0, CliTest.cli(sweep(first, "1")).code());
        assertEquals(0, CliTest.cli(sweep(whole, "0")).code());
        assertEquals(0, CliTest.cli("results", first.toString(), "--export").code());

        CliTest.Result r = CliTest.cli("results", first.toString(), "--rebase-init-loss");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("rebased 2 results onto the init loss of the whole slice"), r.out());
        List<StoredResult> rebased = rows(first);
        List<StoredResult> expected = rows(whole);
        assertEquals(2, rebased.size());
        for (StoredResult e : expected) {
            StoredResult got = rebased.stream().filter(x -> x.key().equals(e.key())).findFirst()
                    .orElseThrow(() -> new AssertionError("no rebased row under " + e.key()));
            for (String k : e.result().metrics().keySet()) {
                EstimatorResult a = e.result();
                EstimatorResult b = got.result();
                if (!a.metrics().get(k).isArray() && !Double.isNaN(a.number(k))) {
                    assertEquals(a.number(k), b.number(k), 1e-9 * Math.max(1, Math.abs(a.number(k))), k);
                }
            }
        }
        for (String est : List.of("llc", "llc_full")) {
            List<String> lines = Files.readAllLines(first.resolve("results").resolve(est + ".jsonl"));
            assertEquals(1, lines.size(), est + ": the replaced row left the file");
            assertTrue(lines.get(0).contains("\"init_batches\":0"), lines.get(0));
        }
        CliTest.Result again = CliTest.cli("results", first.toString(), "--rebase-init-loss");
        assertTrue(again.out().startsWith("rebased 0 results"), again.out());
    }
}
