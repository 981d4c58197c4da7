package org.headlab.core.sweep;

import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.Estimator;
import org.headlab.core.estimate.EstimatorContext;
import org.headlab.core.estimate.EstimatorResult;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.jobs.CancellationToken;
import org.headlab.core.session.RunSession;
import org.headlab.core.store.ResultKey;
import org.headlab.core.store.ResultStore;
import org.headlab.core.store.StoredResult;

/**
 * One task's result for a view: the stored one when the store has it (shipped with the run, or computed by a sweep or
 * the CLI), else computed on the calling thread by the estimator and stored, so that a view shows the numbers the
 * CLI and the figures show and computes each one once. A sweep's tasks go through {@link Sweep} instead.
 */
public final class StoredOrComputed {
    private StoredOrComputed() {
    }

    /** Whether the result came from the store or was computed now, and the result. */
    public record Outcome(EstimatorResult result, boolean computed) {
    }

    /**
     * The run's store for a view to read and fill, or null when the run folder cannot hold one (read-only, a link
     * that leads out): the view then computes without storing, as it did before views used the store.
     */
    public static ResultStore storeFor(org.headlab.core.run.Run run) {
        try {
            return ResultStore.openForRun(run);
        } catch (org.headlab.core.HeadLabException e) {
            return null;
        }
    }

    /** The stored result of {@code task}, else the estimator's, stored when {@code store} is not null. */
    public static Outcome get(RunSession session, DatasetSlices slices, ResultStore store, Estimator estimator,
            TaskSpec task, CancellationToken cancel) {
        ResultKey key = ResultKey.of(task);
        java.util.Optional<StoredResult> stored = store == null ? java.util.Optional.empty() : store.get(key);
        if (stored.isPresent()) {
            return new Outcome(stored.get().result(), false);
        }
        long t0 = System.nanoTime();
        EstimatorResult result;
        try (EstimatorContext ec = new EstimatorContext(session, slices)) {
            result = estimator.evaluate(ec, task, cancel);
        }
        if (store != null) {
            // not stored when another writer committed the same key meanwhile: the same task, the same numbers
            store.put(key, task.step(), result, (System.nanoTime() - t0) / 1_000_000);
        }
        return new Outcome(result, true);
    }
}
