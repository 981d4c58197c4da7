package org.headlab.core.estimate.llc;

import java.util.random.RandomGenerator;

/**
 * What {@link SgldSampler} samples: C chains of one model, all starting at w*, stepped in lockstep so that an
 * implementation may evaluate every chain in one engine call. Samples are addressed by index 0..size-1.
 */
public interface SgldTarget extends AutoCloseable {

    /** Number of samples (sequences) in the data. */
    int size();

    /** Number of chains this target holds. */
    int chains();

    /** Mean loss of w* on the given samples, without gradients (the init loss). */
    double centreLoss(int[] rows);

    /**
     * For every active chain c: the mean loss at the chain's current weights on samples {@code rows[c]}, keeping
     * the gradient for {@link #step}. Inactive chains get NaN and are not evaluated.
     */
    double[] lossesAndGradients(int[][] rows, boolean[] active);

    /**
     * A hint before {@link #lossesAndGradients}: windows that chain c will draw after this step's batch (may be
     * empty, never wrong). A target that prepares per-window data can do it for these in the same engine call.
     */
    default void upcoming(int[][] rows) {
    }

    /**
     * One SGLD step of every active chain with the gradients of the last {@link #lossesAndGradients} call; the
     * noise of chain c comes from {@code rngs[c]} (standard normals, one per sampled coordinate in canonical
     * order: parameter order, then row-major).
     */
    SgldUpdate.StepTerms[] step(SgldUpdate update, RandomGenerator[] rngs, boolean[] active, boolean mala);

    /**
     * Per-token losses of a fixed probe at every active chain's current weights, forward only (susceptibilities
     * and the BIF, ADR 0011): [chain][token], null for an inactive chain. For a transformer {@code probe} holds token
     * windows (n_ctx each) and a window gives its T−1 predicted positions, row-major; for the regression
     * self-checks each probe row is one sample index and gives that sample's loss. The probe is the same at every
     * call of one estimate, so a target may prepare it once.
     */
    default double[][] probeLosses(int[][] probe, boolean[] active) {
        throw new org.headlab.core.HeadLabException("this SGLD target cannot evaluate a probe ("
                + describe().getOrDefault("path", getClass().getSimpleName()) + ")");
    }

    /** What the target samples, for the result's parameter record. */
    java.util.Map<String, Object> describe();

    @Override
    void close();
}
