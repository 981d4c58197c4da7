package org.headlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.headlab.Main;
import org.junit.jupiter.api.Test;

/**
 * The engine keeps quiet: a command that loads DJL's engine and tokenizers prints nothing on stderr when it works
 * and only its one error line when it fails (DJL's INFO lines, five per start, are off by default).
 */
class QuietEngineTest {

    static Process run(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Dheadlab.relaunch=false", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).start();
    }

    @Test
    void aCommandThatRunsTheModelPrintsNothingOnStderr() throws Exception {
        Process p = run("attention", "sample-runs/lm", "--text", "In the beginning", "--head", "1:2");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), err);
        assertTrue(out.contains("1:2"), out);
        assertEquals("", err, "nothing on stderr");
    }

    @Test
    void aUserErrorAfterTheEngineLoadedIsOneLine() throws Exception {
        Process p = run("attention", "sample-runs/lm", "--text", "In the beginning", "--step", "7777");
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.waitFor(), err);
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.startsWith("headlab: "), err);
    }
}
