package org.headlab.core.jobs;

/**
 * Cooperative cancel and pause for one task. Long computations call {@link #checkpoint()} between units of work
 * (an SGLD step, a batch, a head): it throws {@link CancelledException} once the task is cancelled and blocks while
 * the task's pool is paused, so a pause takes effect within one unit of work, not only between tasks.
 */
public final class CancellationToken {
    private static final CancellationToken NEVER = new CancellationToken(null);

    private final WorkerPool pool;
    private final java.util.function.BooleanSupplier external;
    private volatile boolean cancelled;

    CancellationToken(WorkerPool pool) {
        this(pool, null);
    }

    private CancellationToken(WorkerPool pool, java.util.function.BooleanSupplier external) {
        this.pool = pool;
        this.external = external;
    }

    /** A token that is never cancelled nor paused (direct calls, tests, the CLI's plain loop). */
    public static CancellationToken none() {
        return NEVER;
    }

    /** A fresh token not tied to a pool: cancel() works, pause never applies. */
    public static CancellationToken create() {
        return new CancellationToken(null);
    }

    /**
     * A token also cancelled when {@code cancelledOutside} says so, asked at every checkpoint: how a task run by
     * another engine (a Spark executor's killed task) stops at its next step.
     */
    public static CancellationToken following(java.util.function.BooleanSupplier cancelledOutside) {
        return new CancellationToken(null, cancelledOutside);
    }

    public void cancel() {
        if (this != NEVER) {
            cancelled = true;
        }
        if (pool != null) {
            pool.wakeUp();
        }
    }

    public boolean isCancelled() {
        if (!cancelled && external != null && external.getAsBoolean()) {
            cancelled = true;
        }
        return cancelled;
    }

    /** Throws if cancelled; waits while the pool is paused (and throws if cancelled meanwhile). */
    public void checkpoint() {
        if (pool != null) {
            pool.awaitNotPaused(this);
        }
        if (isCancelled()) {
            throw new CancelledException();
        }
    }

    /** Thrown by {@link #checkpoint()}; the pool records the task as cancelled, not failed. */
    public static final class CancelledException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public CancelledException() {
            super("cancelled", null, false, false);
        }
    }
}
