package org.headlab.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.Estimator;
import org.headlab.core.estimate.EstimatorRegistry;
import org.headlab.core.estimate.Params;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.jobs.WorkerPool;
import org.headlab.core.session.RunSession;
import org.headlab.core.store.ResultKey;
import org.headlab.core.store.ResultStore;
import org.headlab.core.store.StoredResult;
import org.headlab.core.sweep.Sweep;
import org.headlab.core.sweep.SweepPlan;
import org.headlab.core.sweep.SweepProgress;
import org.headlab.core.sweep.SweepTally;
import org.headlab.core.sweep.TaskOutcome;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep on embedded Spark ({@code local[2]}, in this JVM) against the same sweep on the local worker pool: the same
 * rows with the same values, row for row (the estimators are deterministic for a fixed seed, whichever engine runs
 * them); a second Spark run skips everything; and what goes wrong on an executor or with the master is one clear
 * line, with every finished result kept.
 */
class SparkSweepTest {
    @TempDir
    Path tmp;

    static List<TaskSpec> plan(RunSession session, DatasetSlices slices, Map<String, Map<String, String>> params) {
        return plan(session, slices, params, null);
    }

    static List<TaskSpec> plan(RunSession session, DatasetSlices slices, Map<String, Map<String, String>> params,
            String dataset) {
        EstimatorRegistry registry = EstimatorRegistry.standard();
        List<Estimator> chosen = new ArrayList<>();
        java.util.HashMap<String, Params> parsed = new java.util.HashMap<>();
        params.forEach((id, p) -> {
            Estimator e = registry.get(id);
            chosen.add(e);
            parsed.put(id, e.parameters().parse(p));
        });
        return SweepPlan.tasks(session.run(), slices, chosen, parsed, null, null, dataset);
    }

    /** loss, attention patterns and a short rLLC of every head at every checkpoint of the fixture run. */
    static Map<String, Map<String, String>> mixedSweep() {
        Map<String, Map<String, String>> p = new java.util.LinkedHashMap<>();
        p.put("loss", Map.of());
        p.put("patterns", Map.of());
        p.put("llc", Map.of("chains", "2", "draws", "12", "batch", "2"));
        return p;
    }

    @Test
    void embeddedSparkStoresTheRowsTheLocalPoolStores() throws Exception {
        Path run = FixtureRuns.brackets(tmp, "run");
        try (RunSession session = RunSession.open(run);
                ResultStore local = ResultStore.open(tmp.resolve("local.db"));
                ResultStore spark = ResultStore.open(tmp.resolve("spark.db"))) {
            DatasetSlices slices = new DatasetSlices(session);
            List<TaskSpec> tasks = plan(session, slices, mixedSweep());
            assertEquals(3 * (1 + 1 + 8), tasks.size(), "3 checkpoints × (loss, patterns, the rLLC of 8 heads)");
            try (WorkerPool pool = WorkerPool.withWorkers(2)) {
                SweepProgress p = Sweep.start(pool, session, slices, EstimatorRegistry.standard(), local, tasks, null)
                        .await();
                assertEquals(tasks.size(), p.computed());
            }
            SweepTally tally = SparkSweep.run(run, tasks, spark, SparkSweep.Settings.embedded(2), null);
            assertEquals(tasks.size(), tally.progress().computed(), tally.failures().toString());
            assertEquals(tasks.size(), spark.count(), "one row per task, none twice");
            for (TaskSpec t : tasks) {
                StoredResult a = local.get(ResultKey.of(t)).orElseThrow();
                StoredResult b = spark.get(ResultKey.of(t)).orElseThrow(() -> new AssertionError(t.describe()));
                assertEquals(a.step(), b.step());
                assertEquals(a.result().toJson(), b.result().toJson(), t.describe());
            }
            SweepTally again = SparkSweep.run(run, tasks, spark, SparkSweep.Settings.embedded(2), null);
            assertEquals(tasks.size(), again.progress().skipped(), "a second run finds everything stored");
            assertEquals(tasks.size(), spark.count());
        }
    }

    @Test
    void anExecutorThatCannotOpenTheRunFailsItsTasksWithOneLineNamingIt() throws Exception {
        Path run = FixtureRuns.brackets(tmp, "run");
        try (RunSession session = RunSession.open(run);
                ResultStore store = ResultStore.open(tmp.resolve("spark.db"))) {
            List<TaskSpec> tasks = plan(session, new DatasetSlices(session), Map.of("loss", Map.of()));
            SweepTally tally = SparkSweep.run(tmp.resolve("not-there"), tasks, store,
                    SparkSweep.Settings.embedded(1), null);
            assertEquals(tasks.size(), tally.progress().failed());
            for (TaskOutcome f : tally.failures()) {
                assertTrue(f.message().contains("cannot open the run folder " + tmp.resolve("not-there"))
                        && f.message().contains("executor driver on "), f.message());
                assertTrue(!f.message().contains("\n"), "one line: " + f.message());
            }
            assertEquals(0, store.count(), "nothing stored");
        }
    }

    @Test
    void aTaskTheEstimatorRefusesFailsWithItsReasonAndTheOthersAreStored() throws Exception {
        // the fixture run with a second slice whose only record is empty (BOS alone): nothing to predict, so the loss
        // estimator refuses it
        Path run;
        try (org.headlab.core.run.RunWriter w = org.headlab.core.run.RunWriter.create(tmp.resolve("run"),
                FixtureRuns.BRACKETS_CONFIG, FixtureRuns.BRACKETS_TOKENIZER, "run", "fixture with a short slice")) {
            w.addCheckpoint(0, org.headlab.core.run.RandomWeights.gaussian(FixtureRuns.BRACKETS_CONFIG, 17, 0.4,
                    true));
            w.addDataset("train", "balanced bracket strings", List.of("([])()", "[(a)]b", "(()[])"));
            w.addDataset("short", "empty: BOS alone, nothing to predict", List.of(""));
            run = w.commit().dir();
        }
        try (RunSession session = RunSession.open(run);
                ResultStore store = ResultStore.open(tmp.resolve("spark.db"))) {
            DatasetSlices slices = new DatasetSlices(session);
            List<TaskSpec> tasks = new ArrayList<>(plan(session, slices, Map.of("loss", Map.of()), "train"));
            tasks.addAll(plan(session, slices, Map.of("loss", Map.of()), "short").subList(0, 1));
            SweepTally tally = SparkSweep.run(run, tasks, store, SparkSweep.Settings.embedded(2), null);
            assertEquals(tasks.size() - 1, tally.progress().computed(), tally.failures().toString());
            assertEquals(1, tally.failures().size());
            // the estimator's own reason, the same on every executor: returned, not retried nor wrapped
            assertTrue(tally.failures().get(0).message().startsWith("dataset 'short' has no document"),
                    tally.failures().get(0).message());
            assertEquals(tasks.size() - 1, store.count());
        }
    }

    @Test
    void anExecutorThatReadsAnotherDatasetFailsRatherThanStoreUnderThePlannedKey() throws Exception {
        Path run = FixtureRuns.brackets(tmp, "run");
        Path other = FixtureRuns.brackets(tmp, "other");
        // the same checkpoints, another train slice: what an executor with a stale copy of the run would read
        java.nio.file.Files.writeString(other.resolve("data").resolve("train.jsonl"), "{\"text\": \"(())\"}\n");
        try (RunSession session = RunSession.open(run);
                ResultStore store = ResultStore.open(tmp.resolve("spark.db"))) {
            List<TaskSpec> tasks = plan(session, new DatasetSlices(session), Map.of("loss", Map.of()));
            SweepTally tally = SparkSweep.run(other, tasks, store, SparkSweep.Settings.embedded(1), null);
            assertEquals(tasks.size(), tally.progress().failed());
            String m = tally.failures().get(0).message();
            assertTrue(m.contains("executor driver on ") && m.contains("reads other bytes for dataset 'train'"), m);
            assertEquals(0, store.count(), "nothing stored under the planned key");
        }
    }

    @Test
    void mastersHeadLabCannotServeAreRefusedUpFront() {
        for (String master : new String[] {"yarn", "k8s://https://host:443", "local-cluster[2,1,1024]"}) {
            HeadLabException e = assertThrows(HeadLabException.class,
                    () -> new SparkSweep.Settings(master, Map.of(), false, java.time.Duration.ofSeconds(1)));
            assertTrue(e.getMessage().contains("not supported"), e.getMessage());
        }
        HeadLabException e = assertThrows(HeadLabException.class, () -> new SparkSweep.Settings("local[2]",
                Map.of("spark.master", "local[8]"), false, java.time.Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("give the master with --master"), e.getMessage());
        assertEquals("local[*]", new SparkSweep.Settings(null, Map.of(), false, java.time.Duration.ofSeconds(1))
                .master());
    }

    @Test
    void anUnreachableMasterIsOneClearLineBeforeAnythingStarts() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String master = "spark://127.0.0.1:" + port;
        HeadLabException e = assertThrows(HeadLabException.class, () -> SparkSweep.requireReachable(master));
        assertTrue(e.getMessage().startsWith("cannot reach the Spark master at " + master), e.getMessage());
        e = assertThrows(HeadLabException.class, () -> SparkSweep.requireReachable("spark://nohostport"));
        assertTrue(e.getMessage().contains("names no host and port"), e.getMessage());
        // standby masters: reachable when one of them answers
        try (java.net.ServerSocket up = new java.net.ServerSocket(0)) {
            SparkSweep.requireReachable(master + ",127.0.0.1:" + up.getLocalPort());
        }
    }
}
