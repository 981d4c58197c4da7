package org.headlab.core.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.Estimator;
import org.headlab.core.estimate.EstimatorRegistry;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.Params;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.estimate.loss.LossEstimator;
import org.headlab.core.jobs.WorkerPool;
import org.headlab.core.session.RunSession;
import org.headlab.core.store.ResultStore;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sweeps on a caller-runs pool over a real run: splitting, storing, skipping, new keys, cancel, progress. */
class SweepTest {
    @TempDir
    Path tmp;

    Path run;
    final EstimatorRegistry registry = EstimatorRegistry.standard();

    @BeforeEach
    void writeRun() {
        run = FixtureRuns.brackets(tmp, "run");
    }

    record Outcome(SweepProgress progress, List<SweepProgress> updates) {
    }

    Outcome sweep(List<String> ids, Map<String, Params> params, List<Integer> steps, List<Head> heads,
            boolean cancelFirst) throws InterruptedException {
        List<SweepProgress> updates = new ArrayList<>();
        try (RunSession session = RunSession.open(run); ResultStore store = ResultStore.openForRun(run);
                WorkerPool pool = WorkerPool.callerRuns()) {
            DatasetSlices slices = new DatasetSlices(session);
            List<Estimator> est = ids.stream().map(registry::get).toList();
            List<TaskSpec> tasks = SweepPlan.tasks(session.run(), slices, est, params, steps, heads, null);
            Sweep s = Sweep.start(pool, session, slices, registry, store, tasks, updates::add);
            if (cancelFirst) {
                s.cancel();
            }
            return new Outcome(s.await(), updates);
        }
    }

    int stored() {
        try (ResultStore s = ResultStore.openForRun(run)) {
            return s.count();
        }
    }

    @Test
    void aSweepComputesEveryTaskOnceAndARerunSkipsThemAll() throws Exception {
        Outcome first = sweep(List.of("loss", "weight_norm"), Map.of(), null, null, false);
        int expected = 3 * (1 + 8); // 3 checkpoints x (model + 2 layers x 4 heads)
        assertEquals(expected, first.progress().computed());
        assertEquals(0, first.progress().failed());
        assertEquals(expected, stored());
        assertEquals(expected, first.updates().size(), "one progress event per finished task");
        assertTrue(first.updates().get(expected - 1).finished());
        assertNotNull(first.updates().get(1).eta(), "an ETA once a task is computed");

        Outcome again = sweep(List.of("loss", "weight_norm"), Map.of(), null, null, false);
        assertEquals(expected, again.progress().skipped());
        assertEquals(0, again.progress().computed());
        assertEquals(expected, stored());
    }

    @Test
    void stepsAndHeadsNarrowTheSweepAndAChangedParameterIsANewKey() throws Exception {
        Outcome some = sweep(List.of("loss", "weight_norm"), Map.of(), List.of(10),
                List.of(new Head(1, 2), new Head(0, 0)), false);
        assertEquals(1 + 2, some.progress().computed());
        Params two = new LossEstimator().parameters().parse(Map.of("max_sequences", "2"));
        Outcome changed = sweep(List.of("loss"), Map.of("loss", two), List.of(10), null, false);
        assertEquals(1, changed.progress().computed(), "new parameters: computed, not skipped");
        assertEquals(4, stored());
        try (RunSession session = RunSession.open(run); ResultStore store = ResultStore.openForRun(run)) {
            var rows = store.query("loss", session.run().contentHash(10));
            assertEquals(2, rows.size(), "the old result is kept beside the new one");
            assertEquals(2, rows.stream().map(r -> r.key().params()).distinct().count(), "two parameter sets");
            assertEquals(1, rows.get(0).result().array("loss/per_window").length); // the fixture is one window
            assertEquals(1, rows.get(1).result().array("loss/per_window").length);
        }
    }

    @Test
    void aCancelledSweepStoresNothingUnfinishedAndAResumeComputesTheRest() throws Exception {
        Outcome cancelled = sweep(List.of("weight_norm"), Map.of(), null, null, true);
        assertEquals(24, cancelled.progress().cancelled());
        assertEquals(0, stored());
        Outcome resumed = sweep(List.of("weight_norm"), Map.of(), null, null, false);
        assertEquals(24, resumed.progress().computed());
    }

    @Test
    void aTaskThatFailsIsCountedAndTheOthersStillRun() throws Exception {
        // a slice where every sequence is one token long: the loss has nothing to predict (a user-data error)
        java.nio.file.Files.writeString(run.resolve("data/train.jsonl"), "{\"tokens\":[0]}\n");
        Outcome o = sweep(List.of("loss", "weight_norm"), Map.of(), List.of(0), List.of(new Head(0, 1)), false);
        assertEquals(1, o.progress().failed());
        assertEquals(1, o.progress().computed());
        try (ResultStore s = ResultStore.openForRun(run)) {
            assertEquals(1, s.count());
            assertTrue(s.query("weight_norm", null).get(0).key().equals(s.query(null, null).get(0).key()));
        }
    }
}
