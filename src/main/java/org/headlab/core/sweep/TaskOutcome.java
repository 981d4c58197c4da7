package org.headlab.core.sweep;

import org.headlab.core.estimate.TaskSpec;

/** How one task of a sweep ended; {@code message} says why for FAILED, else null. */
public record TaskOutcome(TaskSpec task, Status status, String message, long elapsedMillis) {
    public enum Status { COMPUTED, SKIPPED, FAILED, CANCELLED }
}
