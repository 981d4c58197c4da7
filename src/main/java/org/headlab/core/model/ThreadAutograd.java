package org.headlab.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Gradient recording for the calling thread only: what DJL's {@code PtGradientCollector} does (grad mode on, then
 * {@code backward} with a ones seed, then the previous mode back) without its JVM-wide "one collector at a time"
 * flag. PyTorch's grad mode and autograd graphs are per thread, so two workers can each run a forward and backward
 * pass at once; behind DJL's flag every gradient pass of every worker was serialized, and a second worker added
 * nothing to an rLLC sweep but the passes that need no gradient.
 */
final class ThreadAutograd implements AutoCloseable {
    private final boolean previous;

    ThreadAutograd() {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
    }

    /** Backpropagates {@code target} (seeded with ones) into the leaves that require a gradient. */
    void backward(NDArray target) {
        backward(target, false);
    }

    /**
     * Like {@link #backward(NDArray)}; with {@code createGraph} the gradients left in the leaves carry a graph of
     * their own, so a second backward through them differentiates once more (Hessian-vector products).
     */
    void backward(NDArray target, boolean createGraph) {
        try (NDArray seed = target.onesLike()) {
            JniUtils.backward((PtNDArray) target, (PtNDArray) seed, createGraph, createGraph);
        }
    }

    /** Backpropagates into the leaves from {@code target} with the given gradient of the loss w.r.t. it. */
    void backward(NDArray target, NDArray seed) {
        JniUtils.backward((PtNDArray) target, (PtNDArray) seed, false, false);
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
