package org.headlab.core.jobs;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One submitted unit of work in a {@link WorkerPool}: its state, progress and result. Thread-safe.
 */
public final class Job<T> {
    private final WorkerPool pool;
    private final long id;
    private final String name;
    private final Priority priority;
    final long sequence;
    final Work<T> work;
    private final CancellationToken token;
    private final CompletableFuture<T> future = new CompletableFuture<>();

    private volatile JobState state = JobState.QUEUED;
    private volatile double progress = -1;
    private volatile String message;
    private volatile long startNanos;
    private volatile long endNanos;
    private volatile String error;

    Job(WorkerPool pool, long id, String name, Priority priority, long sequence, Work<T> work) {
        this.pool = pool;
        this.id = id;
        this.name = name;
        this.priority = priority;
        this.sequence = sequence;
        this.work = work;
        this.token = new CancellationToken(pool);
        // cancelling the future from outside (e.g. a GUI holding only the future) cancels the job
        future.whenComplete((v, e) -> {
            if (future.isCancelled()) {
                cancel();
            }
        });
    }

    public long id() {
        return id;
    }

    public String name() {
        return name;
    }

    public Priority priority() {
        return priority;
    }

    public JobState state() {
        return state;
    }

    public CancellationToken cancellation() {
        return token;
    }

    /** Completes with the result, exceptionally with the failure, or cancelled. */
    public CompletableFuture<T> future() {
        return future;
    }

    /** Cancels: a queued job never starts; a running one stops at its next {@link CancellationToken#checkpoint()}. */
    public void cancel() {
        token.cancel();
        pool.cancelQueued(this);
    }

    /**
     * Waits for the result (on a caller-runs pool, runs the queue on this thread first). Throws the job's own
     * exception if it failed, or {@link CancellationException}.
     */
    public T join() throws Exception {
        pool.runPendingIfCallerRuns();
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    public JobSnapshot snapshot() {
        long start = startNanos;
        long end = endNanos;
        Duration elapsed = start == 0 ? Duration.ZERO
                : Duration.ofNanos((end == 0 ? System.nanoTime() : end) - start);
        return new JobSnapshot(id, name, priority, state, progress, message, elapsed, error);
    }

    // ---- driven by the pool ---------------------------------------------------------------------------------------

    boolean start() {
        synchronized (this) {
            if (state != JobState.QUEUED) {
                return false;
            }
            if (token.isCancelled()) {
                markCancelled();
                return false;
            }
            startNanos = System.nanoTime();
            state = JobState.RUNNING;
        }
        pool.fire(this);
        return true;
    }

    void reportProgress(double fraction, String text) {
        progress = Math.max(0, Math.min(1, fraction));
        message = text;
        pool.fire(this);
    }

    void succeed(T value) {
        synchronized (this) {
            endNanos = System.nanoTime();
            state = JobState.SUCCEEDED;
            progress = 1;
        }
        pool.fire(this);
        future.complete(value);
    }

    void fail(Throwable t) {
        if (t instanceof CancellationToken.CancelledException || (token.isCancelled()
                && t instanceof InterruptedException)) {
            markCancelled();
            return;
        }
        synchronized (this) {
            endNanos = System.nanoTime();
            state = JobState.FAILED;
            error = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        }
        pool.fire(this);
        future.completeExceptionally(t);
    }

    /** Marks a job cancelled (queued, or stopped at a checkpoint); true if this call made it so. */
    boolean markCancelled() {
        synchronized (this) {
            if (state.isDone()) {
                return false;
            }
            endNanos = System.nanoTime();
            state = JobState.CANCELLED;
        }
        pool.fire(this);
        future.cancel(false);
        return true;
    }

    @Override
    public String toString() {
        return "Job[" + id + " " + name + " " + priority + " " + state + "]";
    }
}
