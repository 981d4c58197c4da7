package org.headlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.headlab.core.store.ResultKey;
import org.headlab.core.store.ResultStore;
import org.headlab.core.store.StoredResult;
import org.headlab.testing.SweepFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 for real: the sweep CLI runs in a child JVM, is killed with SIGKILL at seeded random moments while it
 * commits results, and is restarted each time. After every kill the store must open, pass integrity_check, have
 * lost nothing and hold only numbers equal to an uninterrupted run's; the final store must equal that run's.
 */
class SweepCrashTest {
    /** 4 kills on 30 checkpoints in `.ci/run`; the long run (docs/reliability.md) asks for 20 on more. */
    static final int CHECKPOINTS = Integer.getInteger("headlab.crash.checkpoints", 30);
    /**
     * What the sweep computes. The long run asks for {@code loss} alone: its tasks take equally long, where the
     * weight norms at the end of the default sweep commit in one burst that the later of 20 kills would miss.
     */
    static final String ESTIMATORS = System.getProperty("headlab.crash.estimators", "loss,weight_norm");
    static final int TOTAL = CHECKPOINTS * (ESTIMATORS.contains("weight_norm") ? 1 + 8 : 1); // + 8 heads' norms
    static final int KILLS = Integer.getInteger("headlab.crash.kills", 4);
    /** Sequences of the loss's slice: more make each loss task longer, so that more kills land mid-sweep. */
    static final int SEQUENCES = Integer.getInteger("headlab.crash.sequences", 64);

    @TempDir
    Path tmp;

    @Test
    void killedSweepsResumeToExactlyTheUninterruptedResult() throws Exception {
        Path run = SweepFixtures.run(tmp, "run", CHECKPOINTS, SEQUENCES);
        Path reference = tmp.resolve("reference");
        copyFolder(run, reference);
        CliTest.Result ref = CliTest.cli("sweep", reference.toString(), "--estimators", ESTIMATORS,
                "--workers", "1", "--no-progress");
        assertEquals(0, ref.code(), ref.err());
        Map<ResultKey, String> expected = contents(reference);
        assertEquals(TOTAL, expected.size());

        SplittableRandom random = new SplittableRandom(20261125L);
        int before = 0;
        int killedMidway = 0;
        try (ResultStore watcher = ResultStore.openForRun(run)) {
            for (int k = 0; k < KILLS; k++) {
                // kill once this many results are committed, plus a random few milliseconds
                // (spread over what is left, so that every kill lands before the sweep is done)
                int target = Math.min(TOTAL - 1, before + 1 + random.nextInt(Math.max(1, (TOTAL - before)
                        / (KILLS - k + 2))));
                Process p = startSweep(run);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
                while (watcher.count() < target && p.isAlive()) {
                    if (System.nanoTime() > deadline) {
                        p.destroyForcibly().waitFor();
                        fail("the child sweep did not reach " + target + " results in 40 s");
                    }
                    Thread.sleep(5);
                }
                Thread.sleep(random.nextInt(40));
                boolean alive = p.isAlive();
                int seen = watcher.count(); // committed, as another connection sees it
                p.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks
                p.waitFor(10, TimeUnit.SECONDS);
                killedMidway += alive && seen < TOTAL ? 1 : 0;

                Map<ResultKey, String> now = contents(run); // a fresh connection: as a restarted app sees it
                assertTrue(now.size() >= seen, "kill " + k + ": committed results were lost (" + seen + " seen, "
                        + now.size() + " after)");
                if (System.getProperty("headlab.crash.verbose") != null) {
                    System.err.printf("kill %d: target %d, seen %d, after %d of %d%n", k, target, seen, now.size(),
                            TOTAL);
                }
                for (Map.Entry<ResultKey, String> e : now.entrySet()) {
                    assertEquals(expected.get(e.getKey()), e.getValue(), "kill " + k + ": a stored result differs");
                }
                before = now.size();
            }
        }
        assertTrue(killedMidway >= KILLS - 1, "the kills must land while the sweep is running: " + killedMidway);

        Process last = startSweep(run);
        // a minute, or two seconds per result still to compute when that is longer (the long run's slow tasks)
        assertTrue(last.waitFor(Math.max(60, 2L * (TOTAL - before)), TimeUnit.SECONDS), "the final sweep did not"
                + " finish");
        assertEquals(0, last.exitValue());
        assertEquals(expected, contents(run), "the resumed store equals the uninterrupted one");
    }

    static Map<ResultKey, String> contents(Path run) {
        try (ResultStore s = ResultStore.openForRun(run)) {
            assertEquals("ok", s.integrityCheck());
            Map<ResultKey, String> m = new TreeMap<>(java.util.Comparator.comparing(ResultKey::toString));
            for (StoredResult r : s.query(null, null)) {
                if (m.put(r.key(), r.result().toJson()) != null) {
                    fail("key stored twice: " + r.key());
                }
            }
            return m;
        }
    }

    static Process startSweep(Path run) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Xmx512m", "-XX:TieredStopAtLevel=1",
                "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "org.headlab.Main", "sweep", run.toString(), "--estimators", ESTIMATORS, "--workers", "2",
                "--no-progress"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("DJL_OFFLINE", "true");
        pb.environment().put("OPT_OUT_TRACKING", "true");
        return pb.start();
    }

    static void copyFolder(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
