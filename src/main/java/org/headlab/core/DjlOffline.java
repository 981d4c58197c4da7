package org.headlab.core;

/**
 * DJL's offline switches, set before any DJL class loads (the engine, the tokenizers): without them DJL fetches
 * native libraries and reports usage over the network. In the core package itself so that every room of core (the
 * model, the tokenizers) can call it without depending on another.
 */
public final class DjlOffline {
    private DjlOffline() {
    }

    /** Sets the switches. Safe to call many times; {@code Main} calls it first thing. */
    public static void enforce() {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        if (System.getProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils") == null) {
            // the CUDA toolkit on these images makes DJL warn about a missing driver on every start
            System.setProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error");
        }
        if (System.getProperty("org.slf4j.simpleLogger.log.ai.djl") == null) {
            // DJL announces its platform, engine and thread counts at INFO on every start: five lines on stderr
            // before a command's own one-line error. Its warnings and errors still show; -Dorg.slf4j.simpleLogger
            // .log.ai.djl=info brings the rest back.
            System.setProperty("org.slf4j.simpleLogger.log.ai.djl", "warn");
        }
    }
}
