package org.headlab;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.headlab.cli.HeadLabCli;
import org.headlab.core.model.TorchEngine;

/**
 * Entry point of {@code java -jar headlab.jar}: no arguments (or {@code gui [RUN]}) opens the workbench, anything
 * else is the CLI. Deliberately not a JavaFX Application subclass: a jar whose main class extends Application
 * refuses to start from the classpath ("JavaFX runtime components are missing").
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        java.util.OptionalInt child = NativeAllocator.relaunchIfWanted(args);
        if (child.isPresent()) {
            System.exit(child.getAsInt());
        }
        TorchEngine.enforceOffline();
        if (args.length == 0 || args[0].equals("gui")) {
            int code = GuiCommand.run(args.length == 0 ? args : java.util.Arrays.copyOfRange(args, 1, args.length));
            if (code != 0) {
                System.exit(code);
            }
            return;
        }
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(HeadLabCli.run(args, out, err));
    }
}
