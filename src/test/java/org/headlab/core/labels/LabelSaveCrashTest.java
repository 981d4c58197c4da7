package org.headlab.core.labels;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 during label saves (issue 19, faults under load): a child JVM saves labels.json in a tight loop (each save a
 * new note, through {@link LabelStore#update}) and is killed with SIGKILL at 20 seeded random moments. After every
 * kill labels.json must load without error and be one of the versions a save wrote (its note counts up, never a
 * mix). A save killed mid-write leaves its hidden temporary file (.labels.json.*.tmp) behind, which nothing reads.
 */
class LabelSaveCrashTest {
    static final int KILLS = 20;

    @TempDir
    Path tmp;

    /** The child: saves labels.json over and over until killed; its note is "save N". */
    public static void main(String[] args) {
        Path run = Path.of(args[0]);
        LabelProvenance who = new LabelProvenance("crash test", "2026-12-06T00:00:00Z", null, null);
        for (int i = 0; ; i++) {
            int n = i;
            LabelStore.update(run, s -> s.with(new HeadLabel(0, n % 4, n % 2 == 0 ? "other" : "induction", null, null,
                    "save " + n, who)));
        }
    }

    @Test
    void labelsJsonIsAlwaysOneWholeVersion() throws Exception {
        Path run = FixtureRuns.brackets(tmp, "run");
        LabelStore.save(run, LabelStore.read(run)); // a labels.json to compare against
        SplittableRandom random = new SplittableRandom(20261206L);
        int lastSeen = -1;
        int changed = 0;
        for (int k = 0; k < KILLS; k++) {
            byte[] before = java.nio.file.Files.readAllBytes(LabelStore.file(run));
            Process p = child(run);
            // wait until the child has saved once (its JVM starts in 0.5–3 s), then kill it a few ms into its loop
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (java.util.Arrays.equals(before, readQuietly(LabelStore.file(run))) && p.isAlive()) {
                assertTrue(System.nanoTime() < deadline, "the child saved nothing in 60 s");
                Thread.sleep(2);
            }
            Thread.sleep(random.nextInt(30));
            assertTrue(p.isAlive(), "the child stopped saving by itself");
            p.destroyForcibly();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the child did not die");
            LabelStore.Loaded loaded = LabelStore.load(run);
            assertFalse(loaded.error().isPresent(), "kill " + k + ": " + loaded.error().orElse(""));
            int newest = -1;
            for (HeadLabel l : loaded.labels().labels()) {
                assertTrue(l.note().startsWith("save "), l.note());
                newest = Math.max(newest, Integer.parseInt(l.note().substring(5)));
            }
            changed += newest != lastSeen ? 1 : 0;
            lastSeen = newest;
        }
        assertTrue(changed >= KILLS / 2, "the saved version moved between kills: " + changed);
    }

    /** The file's bytes, or none while a rename replaces it. */
    private static byte[] readQuietly(Path file) {
        try {
            return java.nio.file.Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            return new byte[0];
        }
    }

    private static Process child(Path run) throws java.io.IOException {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                LabelSaveCrashTest.class.getName(), run.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        return pb.start();
    }
}
