package org.headlab.core.store;

import java.time.Instant;
import org.headlab.core.estimate.EstimatorResult;

/**
 * One row of the store.
 *
 * @param step the step the checkpoint had in the run that computed it (informational; the key is the hash)
 * @param elapsedMillis how long the task took
 * @param version the HeadLab version that computed it, or null (stored before schema 2)
 */
public record StoredResult(ResultKey key, int step, EstimatorResult result, long elapsedMillis, Instant createdAt,
        String version) {

    public StoredResult(ResultKey key, int step, EstimatorResult result, long elapsedMillis, Instant createdAt) {
        this(key, step, result, elapsedMillis, createdAt, null);
    }
}
