package org.headlab.core.jobs;

/** Queue order: interactive work (what the user is looking at) runs before any queued batch task. */
public enum Priority {
    INTERACTIVE,
    BATCH
}
