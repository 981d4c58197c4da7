package org.headlab.core.jobs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HeadLab's one worker pool: a priority queue of {@link Job}s drained by a fixed number of daemon threads (or, for
 * tests, by the caller's own thread). {@link Priority#INTERACTIVE} jobs run before any queued
 * {@link Priority#BATCH} job; within a priority, jobs run in submission order. Pause stops workers from starting
 * queued jobs and holds running ones at their next {@link CancellationToken#checkpoint()}; resume releases both.
 *
 * <p>It is also a {@link JobExecutor}: {@link #submit(String, Callable)} queues an INTERACTIVE job, so the GUI's
 * attention maps overtake a running sweep instead of waiting behind it.
 */
public final class WorkerPool implements JobExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);
    private static final Comparator<Job<?>> ORDER = Comparator.<Job<?>, Priority>comparing(Job::priority)
            .thenComparingLong(j -> j.sequence);

    private final PriorityBlockingQueue<Job<?>> queue = new PriorityBlockingQueue<>(64, ORDER);
    private final List<Thread> workers = new ArrayList<>();
    private final List<JobListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private final Object pauseLock = new Object();
    private final List<Job<?>> running = new CopyOnWriteArrayList<>();
    private volatile boolean paused;
    private volatile boolean closed;

    private WorkerPool(int workerCount) {
        for (int i = 0; i < workerCount; i++) {
            Thread t = new Thread(this::workLoop, "headlab-worker-" + (i + 1));
            // daemon: an unfinished computation must not keep a closed window's JVM alive
            t.setDaemon(true);
            workers.add(t);
        }
        workers.forEach(Thread::start);
    }

    /** A pool of {@code workers} daemon threads. */
    public static WorkerPool withWorkers(int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        return new WorkerPool(workers);
    }

    /** The default size: one worker per core. */
    public static WorkerPool withDefaultWorkers() {
        return withWorkers(defaultWorkers());
    }

    public static int defaultWorkers() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /**
     * A pool without threads: jobs queue up and run, in priority order, on whichever thread calls
     * {@link #runPending()} or {@link Job#join()}. Deterministic, for tests.
     */
    public static WorkerPool callerRuns() {
        return new WorkerPool(0);
    }

    public int workerCount() {
        return workers.size();
    }

    public void addListener(JobListener listener) {
        listeners.add(listener);
    }

    public void removeListener(JobListener listener) {
        listeners.remove(listener);
    }

    public <T> Job<T> submit(String name, Priority priority, Work<T> work) {
        if (closed) {
            throw new IllegalStateException("the worker pool is closed");
        }
        long id = ids.incrementAndGet();
        Job<T> job = new Job<>(this, id, name, priority, id, work);
        fire(job);
        queue.add(job);
        return job;
    }

    /** JobExecutor: an INTERACTIVE job; on a caller-runs pool it (and whatever is queued before it) runs now. */
    @Override
    public <T> CompletableFuture<T> submit(String name, Callable<T> work) {
        Job<T> job = submit(name, Priority.INTERACTIVE, ctx -> work.call());
        runPendingIfCallerRuns();
        return job.future();
    }

    /** Runs queued jobs on the calling thread until the queue is empty or the pool is paused; returns how many. */
    public int runPending() {
        int n = 0;
        while (!paused && !closed) {
            Job<?> job = queue.poll();
            if (job == null) {
                break;
            }
            execute(job);
            n++;
        }
        return n;
    }

    /** On a caller-runs pool, {@link #runPending()}; on a threaded pool, nothing. */
    public void runPendingIfCallerRuns() {
        if (workers.isEmpty()) {
            runPending();
        }
    }

    public int queuedCount() {
        return queue.size();
    }

    public void pause() {
        paused = true;
    }

    public void resume() {
        synchronized (pauseLock) {
            paused = false;
            pauseLock.notifyAll();
        }
    }

    public boolean isPaused() {
        return paused;
    }

    /** Cancels every queued and running job, stops the workers and waits up to 5 s for running jobs to stop. */
    @Override
    public void close() {
        closed = true;
        for (Job<?> j; (j = queue.poll()) != null;) {
            j.cancellation().cancel();
            j.markCancelled();
        }
        running.forEach(j -> j.cancellation().cancel());
        wakeUp();
        for (Thread t : workers) {
            t.interrupt();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (Thread t : workers) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ---- internals --------------------------------------------------------------------------------------------------

    private void workLoop() {
        while (!closed) {
            try {
                synchronized (pauseLock) {
                    while (paused && !closed) {
                        pauseLock.wait();
                    }
                }
                Job<?> job = queue.poll(200, TimeUnit.MILLISECONDS);
                if (job == null) {
                    continue;
                }
                if (paused) {
                    queue.add(job); // keeps its place: order is by priority and sequence, not by insertion
                    continue;
                }
                execute(job);
            } catch (InterruptedException e) {
                if (closed) {
                    return;
                }
                Thread.interrupted(); // a task's leftover interrupt must not kill the worker
            }
        }
    }

    private <T> void execute(Job<T> job) {
        if (!job.start()) {
            return;
        }
        running.add(job);
        TaskContext ctx = new TaskContext() {
            @Override
            public CancellationToken cancellation() {
                return job.cancellation();
            }

            @Override
            public void progress(double fraction, String message) {
                job.reportProgress(fraction, message);
            }
        };
        try {
            job.succeed(job.work.run(ctx));
        } catch (Exception | Error e) {
            job.fail(e);
            if (e instanceof Error err && !(err instanceof AssertionError)) {
                LOG.error("job '{}' failed", job.name(), e);
            }
        } finally {
            running.remove(job);
            Thread.interrupted(); // don't leak an interrupt into the next job
        }
    }

    void cancelQueued(Job<?> job) {
        if (queue.remove(job)) {
            job.markCancelled();
        }
        wakeUp();
    }

    void fire(Job<?> job) {
        if (listeners.isEmpty()) {
            return;
        }
        JobSnapshot s = job.snapshot();
        for (JobListener l : listeners) {
            try {
                l.changed(s);
            } catch (RuntimeException e) {
                LOG.warn("a job listener failed", e);
            }
        }
    }

    void wakeUp() {
        synchronized (pauseLock) {
            pauseLock.notifyAll();
        }
    }

    void awaitNotPaused(CancellationToken token) {
        if (!paused) {
            return;
        }
        synchronized (pauseLock) {
            while (paused && !closed && !token.isCancelled()) {
                try {
                    pauseLock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CancellationToken.CancelledException();
                }
            }
        }
    }
}
