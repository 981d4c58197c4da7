package org.headlab.core.jobs;

/** What a running job sees of the pool: its cancel/pause token and a way to report progress. */
public interface TaskContext {
    CancellationToken cancellation();

    /** @param fraction 0..1 of this task done; message a short phrase ("chain 2 of 4"), or null */
    void progress(double fraction, String message);
}
