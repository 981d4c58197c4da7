package org.headlab.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.EstimatorResult;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.store.ResultKey;
import org.headlab.core.store.ResultStore;
import org.headlab.core.sweep.SweepListener;
import org.headlab.core.sweep.SweepTally;
import org.headlab.core.sweep.TaskOutcome;

/**
 * A sweep's planned tasks run as Spark jobs (issue 21, ADR 0013): embedded ({@code local[N]}, in this JVM) when no
 * master is given, or on a standalone cluster ({@code spark://host:port}). Each task is one single-partition job, so
 * its result comes back the moment it is computed and the driver commits it to the run's store in its own
 * transaction, exactly as the local pool does: the same rows, already-stored tasks skipped before anything is
 * submitted, a lost executor's tasks re-run by Spark elsewhere (a result that arrives twice is stored once: the key
 * is the store's primary key), and an interrupted sweep keeps every result that arrived.
 */
public final class SparkSweep {
    /** How often the driver looks for finished jobs. */
    private static final long POLL_MILLIS = 50;

    /**
     * @param master {@code local[N]}, {@code local[*]} or {@code spark://host:port}; null: {@code local[*]}
     * @param conf further Spark properties, as spark-submit's --conf (e.g. spark.executor.memory)
     * @param shipRun copy the run folder (without its store) to every executor instead of reading it from the path
     *     the driver uses, for small runs on machines without a shared file system
     * @param executorWait how long a cluster may take to give the sweep its first executor
     */
    public record Settings(String master, Map<String, String> conf, boolean shipRun, Duration executorWait) {
        public Settings {
            conf = Map.copyOf(conf);
        }

        public static Settings embedded(int cores) {
            return new Settings("local[" + cores + "]", Map.of(), false, Duration.ofSeconds(60));
        }

        String masterOrDefault() {
            return master == null ? "local[*]" : master;
        }

        boolean cluster() {
            return masterOrDefault().startsWith("spark://");
        }
    }

    private SparkSweep() {
    }

    /**
     * Runs {@code tasks} of the run in {@code runDir} and stores their results in {@code store}; returns when every
     * task has ended. Failed tasks are in the returned tally with their reasons, naming the executor where the
     * executor was at fault.
     */
    public static SweepTally run(Path runDir, List<TaskSpec> tasks, ResultStore store, Settings settings,
            SweepListener listener) throws InterruptedException {
        SweepTally tally = new SweepTally(tasks.size(), listener);
        List<TaskSpec> toCompute = new ArrayList<>();
        for (TaskSpec t : tasks) {
            if (store.contains(ResultKey.of(t))) {
                tally.finished(new TaskOutcome(t, TaskOutcome.Status.SKIPPED, null, 0));
            } else {
                toCompute.add(t);
            }
        }
        if (toCompute.isEmpty()) {
            return tally;
        }
        String master = settings.masterOrDefault();
        if (settings.cluster()) {
            requireReachable(master);
        }
        quietSparkLogs();
        Path shipped = null;
        try (JavaSparkContext jsc = spark(master, () -> new JavaSparkContext(conf(runDir, settings)))) {
            String folder = runDir.toAbsolutePath().normalize().toString();
            if (settings.shipRun()) {
                Path zip = zipWithoutStore(runDir);
                shipped = zip;
                spark(master, () -> {
                    jsc.sc().addArchive(zip.toString());
                    return null;
                });
                folder = SparkTask.SHIPPED + zip.getFileName();
            }
            if (settings.cluster()) {
                awaitExecutor(jsc, master, settings.executorWait());
            }
            jsc.setJobGroup("headlab-sweep", "HeadLab sweep of " + runDir.getFileName(), true);
            Map<JavaFutureAction<List<SparkOutcome>>, TaskSpec> pending = new LinkedHashMap<>();
            tally.markComputeStarted();
            for (int i = 0; i < toCompute.size(); i++) {
                SparkTask task = SparkTask.of(i, folder, toCompute.get(i));
                jsc.setJobDescription(task.describe());
                pending.put(jsc.parallelize(List.of(task), 1).map(ExecutorSide::run).collectAsync(),
                        toCompute.get(i));
            }
            try {
                while (!pending.isEmpty()) {
                    boolean any = false;
                    for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
                        var e = it.next();
                        if (e.getKey().isDone()) {
                            tally.finished(outcome(e.getKey(), e.getValue(), store, master, jsc.sc().isStopped()));
                            it.remove();
                            any = true;
                        }
                    }
                    if (!any) {
                        Thread.sleep(POLL_MILLIS);
                    }
                }
            } catch (InterruptedException e) {
                jsc.cancelJobGroup("headlab-sweep");
                throw e;
            }
        } finally {
            if (shipped != null) {
                deleteTree(shipped.getParent());
            }
        }
        return tally;
    }

    /** @param stopped the context was stopped (Ctrl-C: Spark's shutdown hook), so unfinished jobs were cancelled */
    private static TaskOutcome outcome(JavaFutureAction<List<SparkOutcome>> job, TaskSpec task, ResultStore store,
            String master, boolean stopped) throws InterruptedException {
        SparkOutcome o;
        try {
            o = job.get().get(0);
        } catch (ExecutionException e) {
            if (stopped) {
                return new TaskOutcome(task, TaskOutcome.Status.CANCELLED, null, 0);
            }
            return new TaskOutcome(task, TaskOutcome.Status.FAILED, "failed on every try on " + master + ": "
                    + sparkReason(e.getCause() == null ? e : e.getCause()), 0);
        } catch (java.util.concurrent.CancellationException e) {
            return new TaskOutcome(task, TaskOutcome.Status.CANCELLED, null, 0);
        }
        if (o.failure() != null) {
            return new TaskOutcome(task, TaskOutcome.Status.FAILED, o.failure(), o.millis());
        }
        boolean stored = store.put(ResultKey.of(task), task.step(), EstimatorResult.fromJson(o.resultJson()),
                o.millis());
        return new TaskOutcome(task, stored ? TaskOutcome.Status.COMPUTED : TaskOutcome.Status.SKIPPED, null,
                o.millis());
    }

    /**
     * Spark's job-abort message cut to what a user reads: its first line (which names the executor, and the last
     * try's exception and message), without the stack trace that follows it.
     */
    static String sparkReason(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static SparkConf conf(Path runDir, Settings settings) {
        SparkConf conf = new SparkConf()
                .setAppName("HeadLab sweep of " + runDir.toAbsolutePath().normalize().getFileName())
                .setMaster(settings.masterOrDefault())
                .set("spark.ui.enabled", "false")
                .set("spark.ui.showConsoleProgress", "false")
                .set("spark.task.maxFailures", "4")
                // DJL must never phone home, on executors too
                .set("spark.executor.extraJavaOptions", "-Dai.djl.offline=true -DOPT_OUT_TRACKING=true")
                .set("spark.executorEnv.DJL_OFFLINE", "true")
                .set("spark.executorEnv.OPT_OUT_TRACKING", "true");
        if (settings.cluster() && !settings.conf().containsKey("spark.executor.extraClassPath")) {
            ApplicationClasspath.configure(conf);
        }
        settings.conf().forEach(conf::set);
        return conf;
    }

    /** What Spark refuses while a sweep is set up (bad --conf, an unusable master), as one line naming the master. */
    private static <T> T spark(String master, java.util.concurrent.Callable<T> step) {
        try {
            return step.call();
        } catch (HeadLabException e) {
            throw e;
        } catch (Exception e) {
            throw new HeadLabException("Spark (" + master + ") refused the sweep: " + sparkReason(e));
        }
    }

    /** One clear line when the master is not there, instead of Spark's retries and a hang. */
    public static void requireReachable(String master) {
        URI uri;
        try {
            uri = URI.create(master);
        } catch (IllegalArgumentException e) {
            throw new HeadLabException("--master '" + master + "' is not a master URL (write local[N], local[*] or"
                    + " spark://host:port)");
        }
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw new HeadLabException("--master '" + master + "' names no host and port (write spark://host:port)");
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
        } catch (IOException e) {
            throw new HeadLabException("cannot reach the Spark master at " + master + ": " + e.getMessage()
                    + " (is the master running, and is that its host and port?)");
        }
    }

    private static void awaitExecutor(JavaSparkContext jsc, String master, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        // the driver counts itself among the executors
        while (jsc.sc().statusTracker().getExecutorInfos().length < 2) {
            if (System.nanoTime() > deadline) {
                throw new HeadLabException("the Spark master at " + master + " gave this sweep no executor within "
                        + wait.toSeconds() + " s: is a worker registered with it, with free cores and at least"
                        + " spark.executor.memory of memory? (Executors that exit at start say why in the worker's"
                        + " work folder, APP/N/stderr.)");
            }
            Thread.sleep(200);
        }
    }

    /**
     * Spark logs at INFO through HeadLab's SLF4J logger; a sweep's console is its progress bar and one line per
     * failed task, so Spark's own per-task error reports (with stack traces) and start-up notes stay out of it.
     */
    private static void quietSparkLogs() {
        Map<String, String> levels = new LinkedHashMap<>();
        levels.put("org.apache.spark", "warn");
        levels.put("org.sparkproject", "warn");
        levels.put("org.apache.hadoop", "error");
        levels.put("io.netty", "warn");
        levels.put("org.apache.spark.util.Utils", "error");
        levels.put("org.apache.spark.executor.Executor", "off");
        levels.put("org.apache.spark.scheduler.TaskSetManager", "error");
        levels.forEach((logger, level) -> {
            String key = "org.slf4j.simpleLogger.log." + logger;
            if (System.getProperty(key) == null) {
                System.setProperty(key, level);
            }
        });
    }

    /**
     * The run folder without its store (.headlab) as a zip in a fresh temporary folder, to ship with the job: Spark
     * ships archives to a cluster's executors and unpacks them there (it ships no folder to a cluster).
     */
    private static Path zipWithoutStore(Path runDir) {
        try {
            Path parent = Files.createTempDirectory("headlab-ship");
            Path root = runDir.toAbsolutePath().normalize();
            Path zip = parent.resolve(root.getFileName() + ".zip");
            try (var files = Files.walk(root);
                    var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
                for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                    Path rel = root.relativize(p);
                    if (!Files.isRegularFile(p) || rel.getName(0).toString().equals(".headlab")) {
                        continue;
                    }
                    out.putNextEntry(new java.util.zip.ZipEntry(rel.toString().replace(java.io.File.separatorChar,
                            '/')));
                    Files.copy(p, out);
                    out.closeEntry();
                }
            }
            return zip;
        } catch (IOException e) {
            throw new HeadLabException("cannot pack the run folder " + runDir + " to ship it: " + e.getMessage());
        }
    }

    private static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary copy left behind is harmless
        }
    }
}
