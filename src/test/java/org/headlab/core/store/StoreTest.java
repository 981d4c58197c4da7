package org.headlab.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.EstimatorResult;
import org.headlab.core.estimate.Scope;
import org.headlab.core.jobs.JobExecutor;
import org.headlab.core.session.RunSession;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's promises: keys are unique and never overwritten, bad files give one clear error, WAL concurrency. */
class StoreTest {
    @TempDir
    Path tmp;

    static ResultKey key(String params, int head) {
        return new ResultKey("a".repeat(64), "loss", params, "train", "b".repeat(64), Scope.HEAD, 0, head);
    }

    static EstimatorResult result(double v) {
        return EstimatorResult.builder().put("loss/mean", v).put("loss/per_sequence", new double[] {v, Double.NaN})
                .build();
    }

    @Test
    void aResultRoundTripsAndIsNeverOverwritten() {
        Path f = tmp.resolve("r.db");
        try (ResultStore s = ResultStore.open(f)) {
            assertTrue(s.put(key("{}", 1), 100, result(1.25), 7));
            assertFalse(s.put(key("{}", 1), 100, result(9.0), 7), "same key: ignored");
            assertTrue(s.put(key("{\"max_sequences\":4}", 1), 100, result(2.5), 7), "new params: new key");
            StoredResult r = s.get(key("{}", 1)).orElseThrow();
            assertEquals(1.25, r.result().number("loss/mean"));
            assertTrue(Double.isNaN(r.result().array("loss/per_sequence")[1]));
            assertEquals(100, r.step());
            assertEquals(2, s.count());
            assertEquals(1, s.query("loss", null).stream().filter(x -> x.key().params().equals("{}")).count());
            assertEquals("ok", s.integrityCheck());
        }
    }

    /** A row another program wrote with a scope in the wrong case (issue 19: a stack trace from figures). */
    @Test
    void aDamagedRowIsOneClearErrorNamingTheStore() throws Exception {
        Path f = tmp.resolve("r.db");
        try (ResultStore s = ResultStore.open(f)) {
            s.put(key("{}", 1), 100, result(1.25), 7);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE results SET scope = 'head'");
        }
        try (ResultStore s = ResultStore.open(f)) {
            HeadLabException e = assertThrows(HeadLabException.class, () -> s.query("loss", null));
            assertTrue(e.getMessage().startsWith(f + ": a stored loss result at step 100 is damaged"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    /** A run from a stranger cannot make HeadLab write its store outside the run folder. */
    @Test
    void aStoreFolderThatLinksOutIsRefused() throws Exception {
        Path run = FixtureRuns.brackets(tmp, "linked");
        Path outside = java.nio.file.Files.createDirectories(tmp.resolve("elsewhere"));
        java.nio.file.Files.createSymbolicLink(run.resolve(ResultStore.FOLDER), outside);
        HeadLabException e = assertThrows(HeadLabException.class, () -> ResultStore.openForRun(run));
        assertTrue(e.getMessage().contains("is a link: the result store is only written inside the run folder"),
                e.getMessage());
        try (java.util.stream.Stream<Path> in = java.nio.file.Files.list(outside)) {
            assertEquals(0, in.count(), "nothing written outside");
        }
    }

    @Test
    void theStoreIsInWalModeWithAVersionTable() throws Exception {
        Path f = tmp.resolve("r.db");
        ResultStore.open(f).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement st = c.createStatement()) {
            try (ResultSet r = st.executeQuery("PRAGMA journal_mode")) {
                assertEquals("wal", r.getString(1));
            }
            try (ResultSet r = st.executeQuery("SELECT version FROM headlab_schema")) {
                assertEquals(ResultStore.SCHEMA_VERSION, r.getInt(1));
            }
        }
    }

    @Test
    void garbageBytesGiveOneClearErrorAndTheRunStillOpens() throws Exception {
        Path run = FixtureRuns.brackets(tmp, "run");
        Path db = ResultStore.location(run);
        Files.createDirectories(db.getParent());
        byte[] junk = new byte[8192];
        new java.util.Random(3).nextBytes(junk);
        Files.write(db, junk);
        HeadLabException e = assertThrows(HeadLabException.class, () -> ResultStore.openForRun(run));
        assertTrue(e.getMessage().contains("damaged or not a database"), e.getMessage());
        assertTrue(e.getMessage().contains(db.getFileName().toString()), e.getMessage());
        try (RunSession session = RunSession.open(run)) { // the rest of the app is unaffected
            assertEquals(4, session.attention(0, "(())").patterns()[0].length);
        }
        assertTrue(java.util.Arrays.equals(junk, Files.readAllBytes(db)), "a bad file is left as it was");
    }

    @Test
    void aNewerSchemaIsRefusedByName() throws Exception {
        Path f = tmp.resolve("r.db");
        ResultStore.open(f).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement st = c.createStatement()) {
            st.execute("UPDATE headlab_schema SET version = " + (ResultStore.SCHEMA_VERSION + 1));
        }
        HeadLabException e = assertThrows(HeadLabException.class, () -> ResultStore.open(f));
        assertTrue(e.getMessage().contains("newer HeadLab (schema version " + (ResultStore.SCHEMA_VERSION + 1)),
                e.getMessage());
    }

    @Test
    void anotherProgramsDatabaseIsRefusedAndLeftAlone() throws Exception {
        Path f = tmp.resolve("r.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE contacts (name TEXT)");
        }
        HeadLabException e = assertThrows(HeadLabException.class, () -> ResultStore.open(f));
        assertTrue(e.getMessage().contains("another program"), e.getMessage());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement st = c.createStatement();
                ResultSet r = st.executeQuery("SELECT COUNT(*) FROM sqlite_master WHERE name = 'results'")) {
            assertEquals(0, r.getInt(1));
        }
    }

    @Test
    void twoStoresOnOneFileWriteConcurrently() throws Exception {
        Path f = tmp.resolve("r.db");
        int n = 60;
        try (JobExecutor other = JobExecutor.background(1); ResultStore gui = ResultStore.open(f)) {
            CompletableFuture<Integer> cli = other.submit("cli writer", () -> {
                int stored = 0;
                try (ResultStore s = ResultStore.open(f)) {
                    for (int i = 0; i < n; i++) {
                        stored += s.put(key("{\"w\":\"cli\"}", i), 0, result(i), 1) ? 1 : 0;
                        stored += s.put(key("{}", i), 0, result(i), 1) ? 1 : 0; // contended keys
                    }
                }
                return stored;
            });
            int mine = 0;
            for (int i = 0; i < n; i++) {
                mine += gui.put(key("{\"w\":\"gui\"}", i), 0, result(i), 1) ? 1 : 0;
                mine += gui.put(key("{}", i), 0, result(i), 1) ? 1 : 0;
            }
            int theirs = cli.get(60, TimeUnit.SECONDS);
            assertEquals(3 * n, mine + theirs, "each contended key stored exactly once");
            assertEquals(3 * n, gui.count());
            assertEquals("ok", gui.integrityCheck());
        }
    }

    @Test
    void aParameterChangeKeepsTheOldResult() {
        Path f = tmp.resolve("r.db");
        List<String> params = new ArrayList<>(List.of("{\"lr\":1.0E-4}", "{\"lr\":2.0E-4}"));
        try (ResultStore s = ResultStore.open(f)) {
            s.put(key(params.get(0), 0), 0, result(1), 1);
            s.put(key(params.get(1), 0), 0, result(2), 1);
            assertEquals(1.0, s.get(key(params.get(0), 0)).orElseThrow().result().number("loss/mean"));
            assertEquals(2.0, s.get(key(params.get(1), 0)).orElseThrow().result().number("loss/mean"));
        }
    }
}
