package org.headlab.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.session.RunSession;
import org.headlab.core.store.ResultKey;
import org.headlab.core.store.ResultStore;
import org.headlab.core.sweep.SweepListener;
import org.headlab.core.sweep.SweepProgress;
import org.headlab.core.sweep.SweepTally;
import org.headlab.core.sweep.TaskOutcome;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real standalone Spark cluster on 127.0.0.1, started from the Spark jars on the test class path: a master and a
 * worker (separate JVMs, as {@code start-master.sh}/{@code start-worker.sh} would start them; the worker launches
 * its executors as JVMs of their own). A sweep goes to {@code spark://127.0.0.1:PORT}; once some results are stored
 * the worker and its executor are killed, a second worker joins, and Spark must re-run the lost tasks there. The
 * store ends complete, one row per task, and the second worker did run executors of the sweep.
 */
class SparkStandaloneTest {
    @TempDir
    Path tmp;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopCluster() {
        for (Process p : processes) {
            kill(p);
        }
    }

    @Test
    void aSweepOnAStandaloneClusterSurvivesTheLossOfItsWorker() throws Exception {
        Path sparkHome = Files.createDirectories(tmp.resolve("spark-home"));
        Files.createDirectories(sparkHome.resolve("jars")); // Spark's own jars come with the executor class path
        int port = freePort();
        String master = "spark://127.0.0.1:" + port;
        processes.add(start("master", sparkHome, List.of("-Dspark.worker.timeout=10"),
                "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", String.valueOf(port),
                "--webui-port", "0"));
        awaitPort(port, Duration.ofSeconds(60));
        Process first = startWorker("worker-1", sparkHome, master);
        processes.add(first);

        Path run = FixtureRuns.brackets(tmp, "run");
        try (RunSession session = RunSession.open(run);
                ResultStore store = ResultStore.open(tmp.resolve("spark.db"))) {
            Map<String, Map<String, String>> params = new java.util.LinkedHashMap<>();
            params.put("loss", Map.of());
            params.put("llc", Map.of("chains", "4", "draws", "150", "batch", "2"));
            List<TaskSpec> tasks = SparkSweepTest.plan(session, new DatasetSlices(session), params);
            assertEquals(3 * (1 + 8), tasks.size());
            int[] storedAtKill = {-1};
            SweepListener killAfterThree = new SweepListener() {
                private boolean killed;

                @Override
                public void progress(SweepProgress p) {
                }

                @Override
                public void taskDone(TaskOutcome o) {
                    if (!killed && o.status() == TaskOutcome.Status.COMPUTED && store.count() >= 3) {
                        killed = true;
                        storedAtKill[0] = store.count();
                        kill(first);
                        processes.add(startWorker("worker-2", sparkHome, master));
                    }
                }
            };
            SparkSweep.Settings settings = new SparkSweep.Settings(master, Map.of(
                    "spark.driver.host", "127.0.0.1",
                    "spark.driver.bindAddress", "127.0.0.1",
                    "spark.executor.memory", "1g"), false, Duration.ofSeconds(90));
            SweepTally tally = SparkSweep.run(run, tasks, store, settings, killAfterThree);
            assertTrue(storedAtKill[0] >= 3 && storedAtKill[0] < tasks.size() - 4, "killed in the middle, with "
                    + storedAtKill[0] + " of " + tasks.size() + " stored");
            assertEquals(List.of(), tally.failures(), "no task failed for good");
            assertEquals(tasks.size(), tally.progress().computed(), "every task computed once: " + tally.progress());
            assertEquals(tasks.size(), store.count(), "complete, one row per task");
            for (TaskSpec t : tasks) {
                assertTrue(store.contains(ResultKey.of(t)), t.describe());
            }
        }
        try (Stream<Path> apps = Files.list(tmp.resolve("worker-2"))) {
            assertTrue(apps.anyMatch(p -> p.getFileName().toString().startsWith("app-")),
                    "the second worker ran executors of the sweep");
        }
    }

    private Process startWorker(String name, Path sparkHome, String master) {
        try {
            Path work = Files.createDirectories(tmp.resolve(name));
            return start(name, sparkHome, List.of(), "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                    "--cores", "2", "--memory", "2g", "--webui-port", "0", "--work-dir", work.toString(), master);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A Spark daemon in its own JVM with this JVM's class path and the packages it opens for Spark. */
    private Process start(String name, Path sparkHome, List<String> jvmArgs, String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("-Dai.djl") || a.startsWith("-DOPT_OUT"))
                .forEach(cmd::add);
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.12");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("DJL_OFFLINE", "true");
        pb.environment().put("OPT_OUT_TRACKING", "true");
        try {
            return pb.start();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void awaitPort(int port, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new AssertionError("the Spark master did not open port " + port + " within " + wait.toSeconds() + " s");
    }

}
