package org.headlab.core.store;

import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.Scope;
import org.headlab.core.estimate.Target;
import org.headlab.core.estimate.TaskSpec;

/**
 * What a stored result is stored under: everything that changes the numbers, and nothing that does not (the step
 * is not in it: a result follows the checkpoint's bytes; the worker count is not in it either).
 */
public record ResultKey(String checkpointHash, String estimator, String params, String dataset, String datasetHash,
        Scope scope, int layer, int head) {

    public static ResultKey of(TaskSpec task) {
        return new ResultKey(task.checkpointHash(), task.estimator(), task.params().canonicalJson(), task.dataset(),
                task.datasetHash(), task.target().scope(), task.target().layer(), task.target().head());
    }

    /** The head of a HEAD-scope result; throws IllegalStateException for a layer or model result. */
    public Head asHead() {
        return new Target(scope, layer, head).asHead();
    }
}
