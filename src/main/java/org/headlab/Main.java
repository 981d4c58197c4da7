package org.headlab;

import org.headlab.core.model.TorchEngine;

/**
 * Entry point of {@code java -jar headlab.jar}: no arguments opens the workbench, anything else is the CLI.
 * Deliberately not a JavaFX Application subclass: a jar whose main class extends Application refuses to start
 * from the classpath ("JavaFX runtime components are missing").
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        TorchEngine.enforceOffline();
        System.out.println("HeadLab: not wired yet");
    }
}
