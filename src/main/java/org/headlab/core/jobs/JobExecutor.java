package org.headlab.core.jobs;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * Runs work off the caller's thread. The GUI hands every model computation to one of these so that nothing heavy
 * runs on the JavaFX thread; tests use {@link #sameThread()} so that they are deterministic.
 */
public interface JobExecutor extends AutoCloseable {

    /** Starts {@code work}; the future completes with its result or its exception. */
    <T> CompletableFuture<T> submit(String name, Callable<T> work);

    @Override
    void close();

    /** Runs each job at once on the calling thread (for tests). */
    static JobExecutor sameThread() {
        return new SameThreadJobExecutor();
    }

    /**
     * A {@link WorkerPool} of {@code workers} daemon threads; work submitted here is INTERACTIVE, so it runs before
     * queued batch sweeps on the same pool.
     */
    static WorkerPool background(int workers) {
        return WorkerPool.withWorkers(workers);
    }
}
