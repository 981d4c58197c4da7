package org.headlab.core.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import org.headlab.core.DjlOffline;

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

    /** Sets DJL's offline switches ({@link DjlOffline}). */
    public static void enforceOffline() {
        DjlOffline.enforce();
    }

    public static Engine engine() {
        return Engine.getEngine(ENGINE_NAME);
    }

    /** A new root manager on the CPU; the caller closes it (one per job). */
    public static NDManager newManager() {
        return engine().newBaseManager();
    }
}
