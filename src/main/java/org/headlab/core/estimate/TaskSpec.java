package org.headlab.core.estimate;

import java.util.Objects;

/**
 * One independent task of a sweep: an estimator at one checkpoint on one target with one parameter set and one
 * dataset slice. Everything that makes a result different is in here, and in the result key.
 *
 * @param checkpointHash SHA-256 of the checkpoint file ({@code Run.contentHash}): the key follows the weights
 * @param dataset the dataset slice name, or "" for estimators that read no data
 * @param datasetHash SHA-256 of the slice's file, or "" when {@code dataset} is ""
 */
public record TaskSpec(String estimator, int step, String checkpointHash, Target target, Params params,
        String dataset, String datasetHash) {

    public TaskSpec {
        Objects.requireNonNull(estimator);
        Objects.requireNonNull(checkpointHash);
        Objects.requireNonNull(target);
        Objects.requireNonNull(params);
        Objects.requireNonNull(dataset);
        Objects.requireNonNull(datasetHash);
    }

    /** A short name for logs and progress: "loss @ step 100 model". */
    public String describe() {
        return estimator + " @ step " + step + " " + target.label() + (dataset.isEmpty() ? "" : " on " + dataset);
    }
}
