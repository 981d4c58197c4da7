package org.headlab;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.headlab.cli.HeadLabCli;
import org.headlab.core.model.TorchEngine;
import org.headlab.core.run.SampleRuns;
import org.headlab.ui.HeadLabApp;

/**
 * Entry point of {@code java -jar headlab.jar}: no arguments (or {@code gui [RUN]}) opens the workbench, anything
 * else is the CLI. Deliberately not a JavaFX Application subclass: a jar whose main class extends Application
 * refuses to start from the classpath ("JavaFX runtime components are missing").
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        TorchEngine.enforceOffline();
        if (args.length == 0 || args[0].equals("gui")) {
            Path run = args.length > 1 ? Path.of(args[1]) : SampleRuns.defaultRun().orElse(null);
            if (run != null && !Files.isDirectory(run)) {
                System.err.println("headlab: no run folder at " + run);
                System.exit(HeadLabCli.EXIT_USER_ERROR);
            }
            HeadLabApp.launchOn(run);
            return;
        }
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(HeadLabCli.run(args, out, err));
    }
}
