package org.headlab.core.model;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * A loss and its masked gradients as engine arrays, for samplers that update weights on the engine side (SGLD).
 * The arrays live in the manager passed to {@link Transformer#gradientArrays}; the caller closes them (or it).
 *
 * @param loss mean next-token cross-entropy of the batch
 * @param gradients one entry per parameter the mask touches (config order), exactly 0.0 outside the mask
 */
public record GradientArrays(float loss, Map<String, NDArray> gradients) implements AutoCloseable {

    @Override
    public void close() {
        gradients.values().forEach(NDArray::close);
    }
}
