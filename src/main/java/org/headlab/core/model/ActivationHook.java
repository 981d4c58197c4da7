package org.headlab.core.model;

import ai.djl.ndarray.NDArray;

/**
 * A TransformerLens-style forward hook: sees an activation and may replace it.
 *
 * <p>The activation array belongs to the forward pass and is closed when the call returns; copy what must outlive it
 * (or ask for it to be recorded in an {@link ActivationCache}). A replacement must have the same shape and a float32
 * type. Inside a gradient call the hook runs under autograd, so it must follow the DJL rule of the project: no Java
 * numbers in NDArray arithmetic, only NDArrays that stay open until the call returns.
 */
@FunctionalInterface
public interface ActivationHook {

    /**
     * @param point where in the forward pass
     * @param layer the block index, or {@link HookPoint#NO_LAYER} for {@link HookPoint#LOGITS}
     * @param activation the current value
     * @return the value to continue with: {@code activation} itself or null to leave it, or a replacement
     */
    NDArray apply(HookPoint point, int layer, NDArray activation);

    /**
     * True when the pass must visit the per-head inputs {@link HookPoint#Q_INPUT}, {@link HookPoint#K_INPUT} and
     * {@link HookPoint#V_INPUT} (path patching into one head's query, key or value). Passes where no such input is
     * replaced compute exactly as without the split.
     */
    default boolean splitsQkvInput() {
        return false;
    }

    /** A hook that changes nothing. */
    ActivationHook NONE = (point, layer, activation) -> activation;
}
