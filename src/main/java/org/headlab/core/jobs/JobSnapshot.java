package org.headlab.core.jobs;

import java.time.Duration;

/**
 * An immutable view of one job at one moment, handed to {@link JobListener}s (safe to pass to another thread).
 *
 * @param progress 0..1 as reported by the task, or -1 when it reports none
 * @param elapsed time spent running (zero while queued)
 * @param error the failure's message when FAILED, else null
 */
public record JobSnapshot(long id, String name, Priority priority, JobState state, double progress, String message,
        Duration elapsed, String error) {
}
