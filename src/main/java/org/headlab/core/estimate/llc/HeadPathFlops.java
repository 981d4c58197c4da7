package org.headlab.core.estimate.llc;

import org.headlab.core.run.ModelConfig;

/**
 * The floating-point work of one SGLD step of the head path ({@link HeadChainsTarget}): forward and backward of
 * one head's Q/K/V/O and attention for C·B rows, everything after it, the unembedding and log-softmax. Counted are
 * the matrix products (2·m·k·n each), which are nearly all of it; elementwise work (softmax, LayerNorm, the
 * log-softmax, the SGLD update) is a few per cent of the FLOPs and is left out, so the achieved fraction of the
 * matmul peak that {@code bench sgld} prints is a lower bound on how busy the multiply units are.
 *
 * <p>Backward: the head's four weight slices are the only leaves, so its projections take a weight gradient only
 * (their inputs are constants cached at w*), its attention products take both operand gradients, and every later
 * layer and the unembedding take the input gradient only (no weight gradients).
 */
public final class HeadPathFlops {
    private HeadPathFlops() {
    }

    /** Matmul FLOPs of one step (forward + backward) for {@code rows} windows of {@code t} tokens. */
    public static double perStep(ModelConfig c, int layer, long rows, long t) {
        double n = (double) rows * t;
        double d = c.dModel();
        double dh = c.dHead();
        double hdh = (double) c.nHeads() * dh;
        double attn1 = 2 * 2.0 * rows * t * t * dh; // QK^T and pattern·V of one head, forward
        double head = 3 * 2 * n * d * dh * 2 // Q, K, V projections: forward + weight gradient
                + attn1 * 3 // forward + both operand gradients
                + 2 * n * dh * d * 3; // W_O: forward + input and weight gradients
        double later = 0;
        for (int l = layer + 1; l < c.nLayers(); l++) {
            double proj = 3 * 2 * n * d * hdh + 2 * n * hdh * d;
            later += proj * 2 + attn1 * c.nHeads() * 3;
        }
        if (c.hasMlp()) {
            for (int l = layer; l < c.nLayers(); l++) {
                later += 2 * (2 * n * d * c.dMlp()) * 2;
            }
        }
        double unembed = 2.0 * rows * (t - 1) * d * c.dVocab() * 2;
        return head + later + unembed;
    }
}
