package org.headlab.core.sweep;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The counts of a sweep as its tasks end, whichever engine runs them (the local pool's {@link Sweep}, a Spark job):
 * computed, skipped, failed, cancelled, the failures with their reasons, and the ETA from the rate of computed
 * tasks. Thread-safe; tells its listener one outcome at a time.
 */
public final class SweepTally {
    private final int total;
    private final SweepListener listener;
    private final List<TaskOutcome> failures = new CopyOnWriteArrayList<>();
    private final long startNanos = System.nanoTime();
    private int computed;
    private int skipped;
    private int failed;
    private int cancelled;
    private long firstComputeStartNanos;

    public SweepTally(int total, SweepListener listener) {
        this.total = total;
        this.listener = listener == null ? p -> { } : listener;
    }

    /**
     * Counts every task whose key the store already holds as skipped and returns the others, in order: how a sweep
     * resumes, whichever engine then computes them.
     */
    public java.util.List<org.headlab.core.estimate.TaskSpec> skipStored(org.headlab.core.store.ResultStore store,
            java.util.List<org.headlab.core.estimate.TaskSpec> tasks) {
        java.util.List<org.headlab.core.estimate.TaskSpec> toCompute = new java.util.ArrayList<>();
        for (org.headlab.core.estimate.TaskSpec t : tasks) {
            if (store.contains(org.headlab.core.store.ResultKey.of(t))) {
                finished(new TaskOutcome(t, TaskOutcome.Status.SKIPPED, null, 0));
            } else {
                toCompute.add(t);
            }
        }
        return toCompute;
    }

    /** The first task's computation has begun: the ETA counts from here, not from the skipped tasks before it. */
    public synchronized void markComputeStarted() {
        if (firstComputeStartNanos == 0) {
            firstComputeStartNanos = System.nanoTime();
        }
    }

    public void finished(TaskOutcome o) {
        synchronized (this) {
            switch (o.status()) {
                case COMPUTED -> computed++;
                case SKIPPED -> skipped++;
                case FAILED -> {
                    failed++;
                    failures.add(o);
                }
                case CANCELLED -> cancelled++;
            }
            listener.taskDone(o);
            listener.progress(progressLocked());
        }
    }

    public synchronized SweepProgress progress() {
        return progressLocked();
    }

    private SweepProgress progressLocked() {
        long now = System.nanoTime();
        Duration eta = null;
        int left = total - computed - skipped - failed - cancelled;
        if (computed + failed > 0 && firstComputeStartNanos != 0) {
            double perTask = (double) (now - firstComputeStartNanos) / (computed + failed);
            eta = Duration.ofNanos((long) (perTask * left));
        } else if (left == 0) {
            eta = Duration.ZERO;
        }
        return new SweepProgress(total, computed, skipped, failed, cancelled, Duration.ofNanos(now - startNanos),
                eta);
    }

    /** A failed task's reason in one line: a HeadLab error's own message, else the exception's kind and message. */
    public static String reason(Throwable e) {
        Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof org.headlab.core.HeadLabException) {
            return t.getMessage();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    /** The failed tasks with their one-line reasons. */
    public List<TaskOutcome> failures() {
        return List.copyOf(failures);
    }
}
