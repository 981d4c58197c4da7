package org.headlab.core.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.Estimator;
import org.headlab.core.estimate.EstimatorContext;
import org.headlab.core.estimate.EstimatorRegistry;
import org.headlab.core.estimate.EstimatorResult;
import org.headlab.core.estimate.SharedWork;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.jobs.Job;
import org.headlab.core.jobs.JobState;
import org.headlab.core.jobs.Priority;
import org.headlab.core.jobs.WorkerPool;
import org.headlab.core.session.RunSession;
import org.headlab.core.store.ResultKey;
import org.headlab.core.store.ResultStore;

/**
 * A running sweep: its tasks go to the pool as BATCH jobs; each task's result is committed to the store in its
 * own transaction the moment it is computed, so a crash loses at most the tasks that were running. Tasks whose
 * key is already stored are skipped without computing (that is how a restarted sweep resumes).
 */
public final class Sweep {
    private final List<TaskSpec> tasks;
    private final WorkerPool pool;
    private final List<Job<TaskOutcome>> jobs = new ArrayList<>();
    private final SweepTally tally;
    private final CountDownLatch remaining;
    private final SharedWork shared = new SharedWork();

    private Sweep(WorkerPool pool, List<TaskSpec> tasks, SweepListener listener) {
        this.pool = pool;
        this.tasks = List.copyOf(tasks);
        this.tally = new SweepTally(tasks.size(), listener);
        this.remaining = new CountDownLatch(tasks.size());
    }

    /** Queues every task that is not stored yet; returns at once (on a caller-runs pool, {@link #await} runs them). */
    public static Sweep start(WorkerPool pool, RunSession session, DatasetSlices slices, EstimatorRegistry registry,
            ResultStore store, List<TaskSpec> tasks, SweepListener listener) {
        Sweep sweep = new Sweep(pool, tasks, listener);
        List<TaskSpec> toCompute = sweep.tally.skipStored(store, tasks);
        for (int i = toCompute.size(); i < tasks.size(); i++) {
            sweep.countDown(); // the skipped ones
        }
        for (TaskSpec t : toCompute) {
            Estimator estimator = registry.get(t.estimator());
            Job<TaskOutcome> job = pool.submit(t.describe(), Priority.BATCH, ctx -> {
                ctx.cancellation().checkpoint();
                sweep.tally.markComputeStarted();
                Computed c = compute(session, slices, sweep.shared, estimator, t, ctx.cancellation());
                boolean stored = store.put(ResultKey.of(t), t.step(), c.result(), c.millis());
                // not stored: another sweep (the GUI's, another CLI) committed the same key meanwhile
                return new TaskOutcome(t, stored ? TaskOutcome.Status.COMPUTED : TaskOutcome.Status.SKIPPED, null,
                        c.millis());
            });
            sweep.jobs.add(job);
            job.future().whenComplete((outcome, error) -> {
                if (outcome != null) {
                    sweep.finished(outcome);
                } else if (job.state() == JobState.CANCELLED) {
                    sweep.finished(new TaskOutcome(t, TaskOutcome.Status.CANCELLED, null, 0));
                } else {
                    sweep.finished(new TaskOutcome(t, TaskOutcome.Status.FAILED, SweepTally.reason(error), 0));
                }
            });
        }
        return sweep;
    }

    /** A task's result and how long its computation took. */
    public record Computed(EstimatorResult result, long millis) {
    }

    /**
     * One task computed: its estimator evaluated in a context on the open run, timed; the one way every engine (this
     * pool, a Spark executor) computes a task.
     */
    public static Computed compute(RunSession session, DatasetSlices slices, SharedWork shared, Estimator estimator,
            TaskSpec task, org.headlab.core.jobs.CancellationToken cancel) {
        long t0 = System.nanoTime();
        EstimatorResult result;
        try (EstimatorContext ec = new EstimatorContext(session, slices, shared)) {
            result = estimator.evaluate(ec, task, cancel);
        }
        return new Computed(result, (System.nanoTime() - t0) / 1_000_000);
    }

    private void finished(TaskOutcome o) {
        tally.finished(o);
        countDown();
    }

    private void countDown() {
        remaining.countDown();
        if (remaining.getCount() == 0) {
            shared.close(); // what the tasks shared (a layer's activations) is freed with the sweep's last task
        }
    }

    public SweepProgress progress() {
        return tally.progress();
    }

    public List<TaskSpec> tasks() {
        return tasks;
    }

    /** The failed tasks with their one-line reasons. */
    public List<TaskOutcome> failures() {
        return tally.failures();
    }

    /** Cancels every task not yet finished (running ones stop at their next checkpoint; stored results stay). */
    public void cancel() {
        jobs.forEach(Job::cancel);
    }

    /** Waits until every task has ended (on a caller-runs pool, runs them on this thread). */
    public SweepProgress await() throws InterruptedException {
        pool.runPendingIfCallerRuns();
        remaining.await();
        return progress();
    }
}
