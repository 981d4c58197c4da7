package org.headlab.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.headlab.core.DjlOffline;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.Estimator;
import org.headlab.core.estimate.EstimatorContext;
import org.headlab.core.estimate.EstimatorRegistry;
import org.headlab.core.estimate.EstimatorResult;
import org.headlab.core.estimate.SharedWork;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.jobs.CancellationToken;
import org.headlab.core.session.RunSession;

/**
 * What runs inside a Spark executor: one task computed exactly as the local pool computes it (the same estimator
 * code, the same {@link EstimatorContext}), on a run opened once per executor JVM and kept open, with one
 * {@link SharedWork} per executor so that heads of one layer that land on the same executor share its input pass
 * as they do in a local sweep.
 *
 * <p>Two kinds of failure: what the estimator refuses ({@link HeadLabException} from {@code evaluate}: bad input,
 * the same everywhere) comes back as the task's reason; what is wrong with this executor (it cannot open the run
 * folder, sees other checkpoint bytes than the driver planned with, cannot load the engine) is thrown, so Spark
 * retries the task elsewhere and, after its last try, the driver names the executor in the task's reason.
 */
final class ExecutorSide {
    private static final Map<String, OpenRun> RUNS = new ConcurrentHashMap<>();
    private static final EstimatorRegistry REGISTRY = EstimatorRegistry.standard();

    private record OpenRun(RunSession session, DatasetSlices slices, SharedWork shared) {
    }

    private ExecutorSide() {
    }

    static SparkOutcome run(SparkTask task) {
        DjlOffline.enforce(); // an executor JVM loads the engine itself: offline before it does
        String executor = executorName();
        OpenRun run = open(task.runDir(), executor);
        String hash;
        try {
            hash = run.session().run().contentHash(task.step());
        } catch (HeadLabException e) {
            throw new HeadLabException("executor " + executor + ": " + e.getMessage());
        }
        if (!hash.equals(task.checkpointHash())) {
            throw new HeadLabException("executor " + executor + " reads other bytes for step " + task.step()
                    + " under " + task.runDir() + " than the driver planned with (SHA-256 " + abbreviate(hash)
                    + " vs " + abbreviate(task.checkpointHash()) + "): give every executor the same run folder");
        }
        TaskSpec spec = task.spec(REGISTRY);
        Estimator estimator = REGISTRY.get(spec.estimator());
        TaskContext spark = TaskContext.get();
        CancellationToken cancel = CancellationToken.following(() -> spark != null && spark.isInterrupted());
        long t0 = System.nanoTime();
        EstimatorResult result;
        try (EstimatorContext ec = new EstimatorContext(run.session(), run.slices(), run.shared())) {
            result = estimator.evaluate(ec, spec, cancel);
        } catch (HeadLabException e) {
            return new SparkOutcome(task.index(), null, e.getMessage(), (System.nanoTime() - t0) / 1_000_000,
                    executor);
        }
        return new SparkOutcome(task.index(), result.toJson(), null, (System.nanoTime() - t0) / 1_000_000, executor);
    }

    private static OpenRun open(String runDir, String executor) {
        OpenRun open = RUNS.get(runDir);
        return open != null ? open : RUNS.computeIfAbsent(runDir, dir -> {
            Path folder = SparkTask.folderOnExecutor(dir);
            if (!Files.isDirectory(folder)) {
                throw new HeadLabException("executor " + executor + " cannot open the run folder " + folder
                        + ": no such folder on that machine (give every executor the same path, e.g. a shared file"
                        + " system, or ship a small run with --ship-run)");
            }
            try {
                RunSession session = RunSession.open(folder);
                return new OpenRun(session, new DatasetSlices(session), new SharedWork());
            } catch (HeadLabException e) {
                throw new HeadLabException("executor " + executor + " cannot open the run folder " + folder + ": "
                        + e.getMessage());
            }
        });
    }

    static String executorName() {
        SparkEnv env = SparkEnv.get();
        String id = env == null ? "?" : env.executorId();
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "unknown host";
        }
        return id + " on " + host;
    }

    private static String abbreviate(String hash) {
        return hash.length() > 12 ? hash.substring(0, 12) + "…" : hash;
    }
}
