package org.headlab.core.sweep;

/**
 * Told as a sweep advances. Called on worker threads (one call at a time per sweep); return quickly. A GUI
 * marshals to its own thread; per-task progress within a task comes from the pool's JobListener.
 */
public interface SweepListener {
    void progress(SweepProgress progress);

    default void taskDone(TaskOutcome outcome) {
    }
}
