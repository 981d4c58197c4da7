package org.headlab.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.headlab.core.store.ResultStore;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code results --json/--csv}, {@code figures} (without --compute), {@code cluster} and {@code compare-runs} only
 * read (issue 19): an empty store file stays empty, a run without a store gets none (its shipped results are still
 * read), a store's bytes are the same afterwards.
 */
class ResultsReadOnlyTest {
    @TempDir
    Path tmp;

    @Test
    void listingResultsChangesNothingInTheRunFolder() throws Exception {
        Path run = FixtureRuns.brackets(tmp, "run");
        assertEquals(0, CliTest.cli("sweep", run.toString(), "--estimators", "weight_norm", "--no-progress").code());
        assertEquals(0, CliTest.cli("results", run.toString(), "--export").code());
        Path store = ResultStore.location(run);
        byte[] before = Files.readAllBytes(store);
        CliTest.Result json = CliTest.cli("results", run.toString(), "--json");
        assertEquals(0, json.code(), json.err());
        assertArrayEquals(before, Files.readAllBytes(store), "the store's bytes after a listing");

        // the same run cloned: results/*.jsonl but no store; listing shows them and creates no store
        Path clone = tmp.resolve("clone");
        SweepCrashTest.copyFolder(run, clone);
        deleteTree(clone.resolve(ResultStore.FOLDER));
        CliTest.Result csv = CliTest.cli("results", clone.toString(), "--csv");
        assertEquals(0, csv.code(), csv.err());
        assertTrue(csv.out().lines().count() > 1 && csv.out().contains("weight_norm"), csv.out());
        assertFalse(Files.exists(clone.resolve(ResultStore.FOLDER)), "no store made by a listing");

        // an empty store file (as a crash or a careless touch leaves it) stays empty
        Files.createDirectories(clone.resolve(ResultStore.FOLDER));
        Files.write(ResultStore.location(clone), new byte[0]);
        assertEquals(0, CliTest.cli("results", clone.toString(), "--json").code());
        assertEquals(0, Files.size(ResultStore.location(clone)));
    }

    @Test
    void drawingClusteringAndComparingChangeNothingInTheRunFolder() throws Exception {
        Path run = FixtureRuns.brackets(tmp, "run");
        assertEquals(0, CliTest.cli("sweep", run.toString(), "--estimators", "patterns", "--no-progress").code());
        assertEquals(0, CliTest.cli("results", run.toString(), "--export").code());
        Path clone = tmp.resolve("clone");
        SweepCrashTest.copyFolder(run, clone);
        deleteTree(clone.resolve(ResultStore.FOLDER));
        Path store = ResultStore.location(run);
        byte[] before = Files.readAllBytes(store);
        for (Path r : new Path[] {run, clone}) {
            CliTest.Result figures = CliTest.cli("figures", r.toString(), "--out", tmp.resolve("fig-"
                    + r.getFileName()).toString(), "--formats", "png");
            assertEquals(0, figures.code(), figures.err());
            CliTest.Result cluster = CliTest.cli("cluster", r.toString(), "--metric", "patterns/previous_token",
                    "--k", "2", "--json");
            assertEquals(0, cluster.code(), cluster.err());
        }
        CliTest.Result compare = CliTest.cli("compare-runs", run.toString(), clone.toString(), "--metric",
                "patterns/previous_token", "--json");
        assertEquals(0, compare.code(), compare.err());
        assertArrayEquals(before, Files.readAllBytes(store), "the store's bytes after figures, cluster, compare-runs");
        assertFalse(Files.exists(clone.resolve(ResultStore.FOLDER)), "no store made by reading the shipped results");
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var all = Files.walk(dir)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
