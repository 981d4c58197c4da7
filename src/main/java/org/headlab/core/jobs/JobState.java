package org.headlab.core.jobs;

/** Where a job is; the last three are final. */
public enum JobState {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public boolean isDone() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
