package org.headlab.core.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The pool's contract: priority order, cancel (queued and cooperative), pause/resume, progress events. */
class JobPoolTest {

    @Test
    void interactiveJobsRunBeforeQueuedBatchJobs() throws Exception {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        try (WorkerPool pool = WorkerPool.callerRuns()) {
            pool.submit("b1", Priority.BATCH, c -> order.add("b1"));
            pool.submit("b2", Priority.BATCH, c -> order.add("b2"));
            pool.submit("i1", Priority.INTERACTIVE, c -> order.add("i1"));
            Job<Boolean> b3 = pool.submit("b3", Priority.BATCH, c -> order.add("b3"));
            pool.submit("i2", Priority.INTERACTIVE, c -> order.add("i2"));
            assertTrue(b3.join());
        }
        assertEquals(List.of("i1", "i2", "b1", "b2", "b3"), order);
    }

    @Test
    void jobExecutorSubmissionsOvertakeABatchBacklogOnAThreadedPool() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        try (WorkerPool pool = WorkerPool.withWorkers(1)) {
            pool.submit("blocker", Priority.BATCH, c -> release.await(5, TimeUnit.SECONDS));
            List<Job<Boolean>> batch = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String n = "b" + i;
                batch.add(pool.submit(n, Priority.BATCH, c -> order.add(n)));
            }
            var interactive = ((JobExecutor) pool).submit("attention map", () -> order.add("map"));
            release.countDown();
            interactive.get(5, TimeUnit.SECONDS);
            for (Job<Boolean> b : batch) {
                b.future().get(5, TimeUnit.SECONDS);
            }
        }
        assertEquals("map", order.get(0));
    }

    @Test
    void aCancelledQueuedJobNeverRuns() {
        try (WorkerPool pool = WorkerPool.callerRuns()) {
            List<String> ran = new ArrayList<>();
            Job<Boolean> job = pool.submit("x", Priority.BATCH, c -> ran.add("x"));
            job.cancel();
            pool.runPending();
            assertEquals(JobState.CANCELLED, job.state());
            assertTrue(ran.isEmpty());
            assertThrows(CancellationException.class, job::join);
        }
    }

    @Test
    void aRunningJobStopsAtItsNextCheckpointWhenCancelled() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        try (WorkerPool pool = WorkerPool.withWorkers(1)) {
            Job<Integer> job = pool.submit("loop", Priority.BATCH, c -> {
                started.countDown();
                int i = 0;
                while (true) {
                    c.cancellation().checkpoint();
                    i++;
                    Thread.onSpinWait();
                }
            });
            assertTrue(started.await(5, TimeUnit.SECONDS));
            job.cancel();
            assertThrows(CancellationException.class, () -> job.future().get(5, TimeUnit.SECONDS));
            assertEquals(JobState.CANCELLED, job.state());
        }
    }

    @Test
    void pauseHoldsQueuedAndRunningJobsUntilResume() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        try (WorkerPool pool = WorkerPool.withWorkers(1)) {
            Job<String> running = pool.submit("r", Priority.BATCH, c -> {
                inside.countDown();
                for (int i = 0; i < 50; i++) {
                    c.cancellation().checkpoint(); // blocks here while paused
                    Thread.sleep(2);
                }
                return "done";
            });
            assertTrue(inside.await(5, TimeUnit.SECONDS));
            pool.pause();
            Job<String> queued = pool.submit("q", Priority.BATCH, c -> "q");
            Thread.sleep(300);
            assertFalse(running.future().isDone(), "a paused pool holds its running job at a checkpoint");
            assertEquals(JobState.QUEUED, queued.state());
            pool.resume();
            assertEquals("done", running.future().get(5, TimeUnit.SECONDS));
            assertEquals("q", queued.future().get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void listenersSeeEveryStateAndProgressAndFailuresCarryTheirMessage() {
        List<JobSnapshot> events = Collections.synchronizedList(new ArrayList<>());
        try (WorkerPool pool = WorkerPool.callerRuns()) {
            pool.addListener(events::add);
            Job<Integer> ok = pool.submit("ok", Priority.BATCH, c -> {
                c.progress(0.5, "half");
                return 1;
            });
            Job<Integer> bad = pool.submit("bad", Priority.BATCH, c -> {
                throw new IllegalStateException("broken input");
            });
            pool.runPending();
            assertEquals(JobState.SUCCEEDED, ok.state());
            assertEquals(JobState.FAILED, bad.state());
            assertEquals("broken input", bad.snapshot().error());
        }
        List<String> okEvents = events.stream().filter(e -> e.name().equals("ok"))
                .map(e -> e.state() + (e.message() == null ? "" : ":" + e.message())).toList();
        assertEquals(List.of("QUEUED", "RUNNING", "RUNNING:half", "SUCCEEDED:half"), okEvents);
    }
}
