package org.headlab.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.headlab.core.jobs.JobExecutor;

/** A job executor that holds each submitted job until the test runs it ({@link #finish}), in the order it chooses. */
public final class HeldJobs implements JobExecutor {
    public final List<Callable<?>> work = new ArrayList<>();
    private final List<CompletableFuture<Object>> futures = new ArrayList<>();

    @Override
    @SuppressWarnings("unchecked")
    public <T> CompletableFuture<T> submit(String name, Callable<T> w) {
        work.add(w);
        CompletableFuture<Object> f = new CompletableFuture<>();
        futures.add(f);
        return (CompletableFuture<T>) f;
    }

    /** Runs the {@code i}-th submitted job now and completes its future with its answer or its failure. */
    public void finish(int i) {
        try {
            futures.get(i).complete(work.get(i).call());
        } catch (Exception e) {
            futures.get(i).completeExceptionally(e);
        }
    }

    @Override
    public void close() {
    }
}
