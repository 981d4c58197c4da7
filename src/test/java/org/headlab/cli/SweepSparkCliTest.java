package org.headlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.headlab.core.store.ResultStore;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sweep --engine spark} from the command line: embedded Spark stores what the local pool would and a rerun
 * skips it all; a shipped run (a zip unpacked on the executor) gives the same rows; a user's mistake is one line and
 * exit status 2, nothing stored.
 */
class SweepSparkCliTest {
    @TempDir
    Path tmp;

    @Test
    void embeddedSparkSweepsShipsAndResumes() throws Exception {
        Path run = FixtureRuns.brackets(tmp, "run");
        CliTest.Result s = CliTest.cli("sweep", run.toString(), "--engine", "spark", "--estimators", "loss,weight_norm",
                "--steps", "0,100", "--heads", "0:1,1:3", "--workers", "2");
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().contains("6 tasks: 6 computed, 0 skipped (already stored), 0 failed"), s.out());
        assertTrue(s.out().contains("on Spark local[2]"), s.out());
        assertTrue(s.err().contains("6/6"), "progress bar on stderr: " + s.err());
        assertTrue(!s.err().contains("Exception") && !s.err().contains(" INFO "), "Spark's log stays quiet: " + s.err());

        CliTest.Result again = CliTest.cli("sweep", run.toString(), "--engine", "spark", "--estimators",
                "loss,weight_norm", "--steps", "0,100", "--heads", "0:1,1:3", "--no-progress");
        assertTrue(again.out().contains("6 tasks: 0 computed, 6 skipped (already stored)"), again.out());

        Path copy = FixtureRuns.brackets(tmp, "copy");
        CliTest.Result shipped = CliTest.cli("sweep", copy.toString(), "--engine", "spark", "--ship-run",
                "--estimators", "loss,weight_norm", "--steps", "0,100", "--heads", "0:1,1:3", "--no-progress");
        assertEquals(0, shipped.code(), shipped.err());
        assertTrue(shipped.out().contains("6 tasks: 6 computed"), shipped.out());
        try (ResultStore a = ResultStore.openForRun(run); ResultStore b = ResultStore.openForRun(copy)) {
            assertEquals(6, b.count());
            for (var row : a.query("loss", null)) {
                assertEquals(row.result().toJson(), b.get(row.key()).orElseThrow().result().toJson(),
                        "the shipped copy gives the same numbers");
            }
        }
    }

    @Test
    void mistakesAreOneLineAndExitTwo() throws Exception {
        Path run = FixtureRuns.brackets(tmp, "run");
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CliTest.Result down = CliTest.cli("sweep", run.toString(), "--engine", "spark", "--master",
                "spark://127.0.0.1:" + port, "--estimators", "loss");
        assertEquals(2, down.code());
        assertEquals("headlab: cannot reach the Spark master at spark://127.0.0.1:" + port + ": Connection refused"
                + " (is the master running, and is that its host and port?)", down.err().strip());

        CliTest.Result yarn = CliTest.cli("sweep", run.toString(), "--engine", "spark", "--master", "yarn",
                "--estimators", "loss");
        assertEquals(2, yarn.code());
        assertTrue(yarn.err().strip().startsWith("headlab: --master 'yarn': HeadLab sweeps run embedded")
                && !yarn.err().strip().contains("\n"), yarn.err());

        CliTest.Result engine = CliTest.cli("sweep", run.toString(), "--engine", "dask", "--estimators", "loss");
        assertEquals(2, engine.code());
        assertEquals("headlab: --engine must be local or spark, got 'dask'", engine.err().strip());

        CliTest.Result masterWithoutSpark = CliTest.cli("sweep", run.toString(), "--master", "spark://h:7077",
                "--estimators", "loss");
        assertEquals(2, masterWithoutSpark.code());
        assertTrue(masterWithoutSpark.err().strip().endsWith("need --engine spark"), masterWithoutSpark.err());

        CliTest.Result conf = CliTest.cli("sweep", run.toString(), "--engine", "spark", "--conf", "spark.x",
                "--estimators", "loss");
        assertEquals(2, conf.code());
        assertTrue(conf.err().contains("--conf 'spark.x' must be written KEY=VALUE"), conf.err());
        assertTrue(!ResultStore.hasResults(run), "nothing stored");
    }
}
