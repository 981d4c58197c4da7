package org.headlab.spark;

import java.io.Serializable;

/**
 * What an executor sends back for one task: the result as the store's JSON, or the estimator's own one-line reason
 * for refusing the task (bad input fails the same on every executor, so it is returned rather than retried).
 */
record SparkOutcome(int index, String resultJson, String failure, long millis)
        implements Serializable {
}
