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
import org.headlab.core.estimate.EstimatorRegistry;
import org.headlab.core.estimate.SharedWork;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.jobs.CancellationToken;
import org.headlab.core.session.RunSession;
import org.headlab.core.sweep.Sweep;

/**
 * What runs inside a Spark executor: one task computed exactly as the local pool computes it ({@link Sweep#compute}),
 * on a run opened once per application and executor JVM, with one {@link SharedWork} there so that heads of one layer
 * that land on the same executor share its input pass as they do in a local sweep.
 *
 * <p>Two kinds of failure: what the estimator refuses ({@link HeadLabException}: bad input, the same everywhere) comes
 * back as the task's reason; what is wrong with this executor (it cannot open the run folder, reads other checkpoint
 * or dataset bytes than the driver planned with, cannot load the engine) is thrown, so Spark retries the task on
 * another executor and, after its last try, the driver names this one in the task's reason.
 */
final class ExecutorSide {
    /** Open runs by application id and folder: a second sweep in the same JVM (embedded) opens its own. */
    private static final Map<String, OpenRun> RUNS = new ConcurrentHashMap<>();
    private static final EstimatorRegistry REGISTRY = EstimatorRegistry.standard();
    private static volatile String host;

    private record OpenRun(RunSession session, DatasetSlices slices, SharedWork shared) {
        void close() {
            shared.close();
            session.close();
        }
    }

    private ExecutorSide() {
    }

    static SparkOutcome run(SparkTask task) {
        DjlOffline.enforce(); // an executor JVM loads the engine itself: offline before it does
        String executor = executorName();
        OpenRun run = open(task.runDir(), executor);
        requireSameBytes(run, task, executor);
        TaskSpec spec;
        try {
            spec = task.spec(REGISTRY);
        } catch (HeadLabException e) {
            return new SparkOutcome(task.index(), null, e.getMessage(), 0);
        }
        TaskContext spark = TaskContext.get();
        CancellationToken cancel = CancellationToken.following(() -> spark != null && spark.isInterrupted());
        long t0 = System.nanoTime();
        try {
            Sweep.Computed c = Sweep.compute(run.session(), run.slices(), run.shared(), REGISTRY.get(spec.estimator()),
                    spec, cancel);
            return new SparkOutcome(task.index(), c.result().toJson(), null, c.millis());
        } catch (HeadLabException e) {
            return new SparkOutcome(task.index(), null, e.getMessage(), (System.nanoTime() - t0) / 1_000_000);
        }
    }

    /** The checkpoint and the slice this executor reads must be the ones the driver planned (and keys the result) with. */
    private static void requireSameBytes(OpenRun run, SparkTask task, String executor) {
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
        if (!task.dataset().isEmpty()) {
            String slice;
            try {
                slice = run.slices().slice(task.dataset()).hash();
            } catch (HeadLabException e) {
                throw new HeadLabException("executor " + executor + ": " + e.getMessage());
            }
            if (!slice.equals(task.datasetHash())) {
                throw new HeadLabException("executor " + executor + " reads other bytes for dataset '"
                        + task.dataset() + "' under " + task.runDir() + " than the driver planned with (SHA-256 "
                        + abbreviate(slice) + " vs " + abbreviate(task.datasetHash())
                        + "): give every executor the same run folder");
            }
        }
    }

    private static OpenRun open(String runDir, String executor) {
        SparkEnv env = SparkEnv.get();
        String key = (env == null ? "" : env.conf().getAppId()) + "|" + runDir;
        OpenRun open = RUNS.get(key);
        return open != null ? open : RUNS.computeIfAbsent(key, k -> {
            Path folder = SparkTask.folderOnExecutor(runDir);
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

    /**
     * Closes what the application {@code appId} opened in this JVM: an embedded sweep's driver is its executor, and
     * its run session and shared activations must not outlive the sweep.
     */
    static void closeAll(String appId) {
        RUNS.entrySet().removeIf(e -> {
            if (e.getKey().startsWith(appId + "|")) {
                e.getValue().close();
                return true;
            }
            return false;
        });
    }

    static String executorName() {
        SparkEnv env = SparkEnv.get();
        String id = env == null ? "?" : env.executorId();
        String h = host;
        if (h == null) {
            try {
                h = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                h = "unknown host";
            }
            host = h;
        }
        return id + " on " + h;
    }

    private static String abbreviate(String hash) {
        return hash.length() > 12 ? hash.substring(0, 12) + "…" : hash;
    }
}
