package org.headlab.core.jobs;

/**
 * Told about every change of every job of a pool: queued, started, progress, finished. Called on the worker thread
 * that made the change (or the submitting thread for QUEUED); it must return quickly and must not throw. A GUI
 * marshals the snapshot to its own thread (e.g. {@code Platform.runLater}); nothing here knows about JavaFX.
 */
@FunctionalInterface
public interface JobListener {
    void changed(JobSnapshot job);
}
