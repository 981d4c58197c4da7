package org.headlab.core.store;

import java.time.Instant;
import org.headlab.core.estimate.EstimatorResult;

/**
 * One row of the store.
 *
 * @param step the step the checkpoint had in the run that computed it (informational; the key is the hash)
 * @param elapsedMillis how long the task took
 */
public record StoredResult(ResultKey key, int step, EstimatorResult result, long elapsedMillis, Instant createdAt) {
}
