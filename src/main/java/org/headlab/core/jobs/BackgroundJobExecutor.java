package org.headlab.core.jobs;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

final class BackgroundJobExecutor implements JobExecutor {
    private final ExecutorService pool;

    BackgroundJobExecutor(int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        AtomicInteger n = new AtomicInteger();
        ThreadFactory daemons = r -> {
            Thread t = new Thread(r, "headlab-worker-" + n.incrementAndGet());
            // daemon: an unfinished computation must not keep a closed window's JVM alive
            t.setDaemon(true);
            return t;
        };
        pool = Executors.newFixedThreadPool(workers, daemons);
    }

    @Override
    public <T> CompletableFuture<T> submit(String name, Callable<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        pool.execute(() -> {
            if (f.isCancelled()) {
                return;
            }
            try {
                f.complete(work.call());
            } catch (Exception | Error e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
