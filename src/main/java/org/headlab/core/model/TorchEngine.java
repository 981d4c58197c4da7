package org.headlab.core.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

/**
 * The one way into DJL. Offline mode is switched on before the engine class loads, because without it DJL's
 * start-up makes telemetry calls to 169.254.169.254 (stack.md); the PyTorch engine is named explicitly because
 * the HuggingFace tokenizers jar registers a second engine.
 */
public final class TorchEngine {
    public static final String ENGINE_NAME = "PyTorch";

    static {
        enforceOffline();
    }

    private TorchEngine() {
    }

    /** Sets DJL's offline switches. Safe to call many times; {@code Main} calls it first thing. */
    public static void enforceOffline() {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        if (System.getProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils") == null) {
            // the CUDA toolkit on these images makes DJL warn about a missing driver on every start
            System.setProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error");
        }
    }

    public static Engine engine() {
        return Engine.getEngine(ENGINE_NAME);
    }

    /** A new root manager on the CPU; the caller closes it (one per job). */
    public static NDManager newManager() {
        return engine().newBaseManager();
    }
}
