package org.headlab.spark;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.Estimator;
import org.headlab.core.estimate.EstimatorRegistry;
import org.headlab.core.estimate.Params;
import org.headlab.core.estimate.Scope;
import org.headlab.core.estimate.Target;
import org.headlab.core.estimate.TaskSpec;

/**
 * One sweep task as it travels to an executor: the planned {@link TaskSpec} in plain serialisable fields (the
 * parameters as text, re-parsed there by the estimator's own parameter set, which must give the same canonical key)
 * and the run folder's path as the executor sees it.
 *
 * @param index the task's place in the driver's list, so that its outcome finds its way back
 * @param description the planned task's own {@link TaskSpec#describe()}
 */
record SparkTask(int index, String runDir, String estimator, int step, String checkpointHash, String scope,
        int layer, int head, Map<String, String> params, String paramsKey, String dataset, String datasetHash,
        String description)
        implements Serializable {

    static SparkTask of(int index, String runDir, TaskSpec t) {
        Map<String, String> text = new TreeMap<>();
        t.params().asMap().forEach((k, v) -> text.put(k, String.valueOf(v)));
        return new SparkTask(index, runDir, t.estimator(), t.step(), t.checkpointHash(), t.target().scope().name(),
                t.target().layer(), t.target().head(), text, t.params().canonicalJson(), t.dataset(),
                t.datasetHash(), t.describe());
    }

    /** The task again, on the executor; a parameter that does not read back to the same key is refused. */
    TaskSpec spec(EstimatorRegistry registry) {
        Estimator e = registry.get(estimator);
        Params p = e.parameters().parse(params);
        if (!p.canonicalJson().equals(paramsKey)) {
            throw new HeadLabException("task " + description + ": its parameters read back as " + p.canonicalJson()
                    + " on the executor, not " + paramsKey + " as planned (a different HeadLab version?)");
        }
        return new TaskSpec(estimator, step, checkpointHash, new Target(Scope.valueOf(scope), layer, head), p,
                dataset, datasetHash);
    }

    /** The prefix of a run folder shipped with the job (SparkContext.addFile) instead of read from a shared path. */
    static final String SHIPPED = "shipped:";

    /** Where the run folder is on this executor: a shared path as given, or a shipped folder's local copy. */
    static java.nio.file.Path folderOnExecutor(String runDir) {
        return runDir.startsWith(SHIPPED)
                ? java.nio.file.Path.of(org.apache.spark.SparkFiles.get(runDir.substring(SHIPPED.length())))
                : java.nio.file.Path.of(runDir);
    }
}
