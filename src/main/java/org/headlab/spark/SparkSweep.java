package org.headlab.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.headlab.core.AtomicFiles;
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
    private static final String GROUP = "headlab-sweep";
    private static final String DJL_OFFLINE = "-Dai.djl.offline=true -DOPT_OUT_TRACKING=true";

    /**
     * @param master {@code local}, {@code local[N]}, {@code local[*]}, {@code local[N,F]} or
     *     {@code spark://host:port[,host:port…]} (a standalone cluster, with standby masters); null: {@code local[*]}
     * @param conf further Spark properties, as spark-submit's --conf (e.g. spark.executor.memory)
     * @param shipRun pack the run folder (without its store) and ship it to every executor instead of reading it from
     *     the path the driver uses, for small runs on machines without a shared file system
     * @param executorWait how long a cluster may leave the sweep without any executor (at the start, or after losing
     *     all of them) before the sweep gives up
     */
    public record Settings(String master, Map<String, String> conf, boolean shipRun, Duration executorWait) {
        public Settings {
            conf = Map.copyOf(conf);
            String m = master == null ? "local[*]" : master.trim();
            if (!m.matches("local(\\[(\\*|\\d+)(,\\d+)?])?") && !m.startsWith("spark://")) {
                throw new HeadLabException("--master '" + master + "': HeadLab sweeps run embedded (local, local[N],"
                        + " local[*]) or on a standalone cluster (spark://host:port); YARN and Kubernetes are not"
                        + " supported");
            }
            if (conf.containsKey("spark.master")) {
                throw new HeadLabException("--conf spark.master: give the master with --master");
            }
            master = m;
        }

        public static Settings embedded(int cores) {
            return new Settings("local[" + cores + "]", Map.of(), false, Duration.ofSeconds(60));
        }

        public boolean cluster() {
            return master.startsWith("spark://");
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
        List<TaskSpec> toCompute = tally.skipStored(store, tasks);
        if (toCompute.isEmpty()) {
            return tally;
        }
        String master = settings.master();
        if (settings.cluster()) {
            requireReachable(master);
        }
        quietSparkLogs();
        Path shipped = null;
        String appId = null;
        try (JavaSparkContext jsc = spark(master, () -> new JavaSparkContext(conf(runDir, settings)))) {
            appId = jsc.sc().applicationId();
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
            jsc.setJobGroup(GROUP, "HeadLab sweep of " + runDir.getFileName(), true);
            tally.markComputeStarted();
            new Submission(jsc, settings, folder, toCompute, store, tally).runToEnd();
        } finally {
            if (appId != null && !settings.cluster()) {
                ExecutorSide.closeAll(appId); // this JVM was the executor
            }
            if (shipped != null) {
                AtomicFiles.deleteTree(shipped.getParent());
            }
        }
        return tally;
    }

    /**
     * The jobs of one sweep: a window of them in flight (twice the cores Spark reports, so a sweep of thousands of
     * tasks does not queue thousands of jobs), topped up as they finish, each result committed as it arrives.
     */
    private static final class Submission {
        private final JavaSparkContext jsc;
        private final Settings settings;
        private final String folder;
        private final List<TaskSpec> tasks;
        private final ResultStore store;
        private final SweepTally tally;
        private final Map<JavaFutureAction<List<SparkOutcome>>, TaskSpec> pending = new LinkedHashMap<>();
        private final Deque<Integer> queue = new ArrayDeque<>();
        /** Why the unfinished jobs were cancelled by the sweep itself, or null. */
        private String abandoned;

        Submission(JavaSparkContext jsc, Settings settings, String folder, List<TaskSpec> tasks, ResultStore store,
                SweepTally tally) {
            this.jsc = jsc;
            this.settings = settings;
            this.folder = folder;
            this.tasks = tasks;
            this.store = store;
            this.tally = tally;
            for (int i = 0; i < tasks.size(); i++) {
                queue.add(i);
            }
        }

        void runToEnd() throws InterruptedException {
            int window = Math.max(4, 2 * jsc.defaultParallelism());
            long noExecutorSince = 0;
            try {
                while (!pending.isEmpty() || !queue.isEmpty()) {
                    while (pending.size() < window && !queue.isEmpty() && abandoned == null) {
                        submit(queue.poll());
                    }
                    boolean any = false;
                    for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
                        var e = it.next();
                        if (e.getKey().isDone()) {
                            tally.finished(outcome(e.getKey(), e.getValue()));
                            it.remove();
                            any = true;
                        }
                    }
                    if (abandoned != null && pending.isEmpty()) {
                        while (!queue.isEmpty()) {
                            tally.finished(new TaskOutcome(tasks.get(queue.poll()), TaskOutcome.Status.FAILED,
                                    abandoned, 0));
                        }
                    }
                    if (settings.cluster() && abandoned == null) {
                        // a cluster that lost every executor would leave the jobs waiting for ever
                        boolean none = jsc.sc().statusTracker().getExecutorInfos().length < 2;
                        noExecutorSince = none ? (noExecutorSince == 0 ? System.nanoTime() : noExecutorSince) : 0;
                        if (none && System.nanoTime() - noExecutorSince > settings.executorWait().toNanos()) {
                            abandoned = "the Spark master at " + settings.master() + " has had no executor for this"
                                    + " sweep for " + settings.executorWait().toSeconds() + " s";
                            jsc.cancelJobGroup(GROUP);
                        }
                    }
                    if (!any) {
                        Thread.sleep(POLL_MILLIS);
                    }
                }
            } catch (InterruptedException e) {
                jsc.cancelJobGroup(GROUP);
                throw e;
            }
        }

        private void submit(int i) {
            SparkTask task = SparkTask.of(i, folder, tasks.get(i));
            jsc.setJobDescription(task.description());
            pending.put(jsc.parallelize(List.of(task), 1).map(ExecutorSide::run).collectAsync(), tasks.get(i));
        }

        private TaskOutcome outcome(JavaFutureAction<List<SparkOutcome>> job, TaskSpec task)
                throws InterruptedException {
            SparkOutcome o;
            try {
                o = job.get().get(0);
            } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                if (shuttingDown()) {
                    return new TaskOutcome(task, TaskOutcome.Status.CANCELLED, null, 0); // Ctrl-C
                }
                if (abandoned != null) {
                    return new TaskOutcome(task, TaskOutcome.Status.FAILED, abandoned, 0);
                }
                Throwable cause = e.getCause() == null ? e : e.getCause();
                return new TaskOutcome(task, TaskOutcome.Status.FAILED, "failed on " + settings.master() + ": "
                        + sparkReason(cause), 0);
            }
            if (o.failure() != null) {
                return new TaskOutcome(task, TaskOutcome.Status.FAILED, o.failure(), o.millis());
            }
            boolean stored = store.put(ResultKey.of(task), task.step(), EstimatorResult.fromJson(o.resultJson()),
                    o.millis());
            return new TaskOutcome(task, stored ? TaskOutcome.Status.COMPUTED : TaskOutcome.Status.SKIPPED, null,
                    o.millis());
        }
    }

    /**
     * Whether this JVM is shutting down (Ctrl-C, SIGTERM): Spark's own hook then stops the context and cancels every
     * job, which is the user's cancel, not a failure. Asked without a hook of our own: the runtime refuses to touch
     * its hooks once shutdown has begun.
     */
    static boolean shuttingDown() {
        try {
            Runtime.getRuntime().removeShutdownHook(Thread.currentThread());
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
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
                .setMaster(settings.master())
                .set("spark.ui.enabled", "false")
                .set("spark.ui.showConsoleProgress", "false")
                .set("spark.task.maxFailures", "4")
                // a retry goes to another executor: one without the run folder must not take every try
                .set("spark.excludeOnFailure.enabled", "true")
                .set("spark.excludeOnFailure.task.maxTaskAttemptsPerExecutor", "1")
                .set("spark.executorEnv.DJL_OFFLINE", "true")
                .set("spark.executorEnv.OPT_OUT_TRACKING", "true");
        if (settings.cluster() && !settings.conf().containsKey("spark.executor.extraClassPath")) {
            ApplicationClasspath.configure(conf);
        }
        settings.conf().forEach(conf::set);
        // DJL must never phone home, on executors too, whatever other options the user gives them
        String options = settings.conf().getOrDefault("spark.executor.extraJavaOptions", "");
        conf.set("spark.executor.extraJavaOptions", (options + " " + DJL_OFFLINE).trim());
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

    /**
     * One clear line when no master of a {@code spark://} URL (several for standby masters) answers, instead of
     * Spark's retries and a hang.
     */
    public static void requireReachable(String master) {
        if (!master.startsWith("spark://")) {
            return;
        }
        String hosts = master.substring("spark://".length());
        String last = null;
        for (String hostPort : hosts.split(",")) {
            int colon = hostPort.lastIndexOf(':');
            int port;
            try {
                port = colon < 1 ? -1 : Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0) {
                throw new HeadLabException("--master '" + master + "' names no host and port (write"
                        + " spark://host:port)");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(hostPort.substring(0, colon), port), 5000);
                return;
            } catch (IOException e) {
                last = e.getMessage();
            }
        }
        throw new HeadLabException("cannot reach the Spark master at " + master + ": " + last
                + " (is the master running, and is that its host and port?)");
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
     * ships archives to a cluster's executors and unpacks them there (it ships no folder to a cluster). Deleted when
     * the sweep ends, and at the latest when the JVM exits.
     */
    private static Path zipWithoutStore(Path runDir) {
        Path parent = null;
        try {
            parent = Files.createTempDirectory("headlab-ship");
            parent.toFile().deleteOnExit();
            Path root = runDir.toAbsolutePath().normalize();
            Path zip = parent.resolve(root.getFileName() + ".zip");
            zip.toFile().deleteOnExit();
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
            if (parent != null) {
                AtomicFiles.deleteTree(parent);
            }
            throw new HeadLabException("cannot pack the run folder " + runDir + " to ship it: " + e.getMessage());
        }
    }
}
