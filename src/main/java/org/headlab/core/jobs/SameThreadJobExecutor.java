package org.headlab.core.jobs;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

final class SameThreadJobExecutor implements JobExecutor {

    @Override
    public <T> CompletableFuture<T> submit(String name, Callable<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            f.complete(work.call());
        } catch (Exception | Error e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    @Override
    public void close() {
    }
}
