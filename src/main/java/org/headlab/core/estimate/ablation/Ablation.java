package org.headlab.core.estimate.ablation;

/**
 * What a head's output z (TransformerLens {@code hook_z}, before W_O) is replaced by (estimators.md §6).
 */
public sealed interface Ablation {

    /** z ← 0. */
    record Zero() implements Ablation {
    }

    /**
     * z[b,i] ← the mean of z at position i over a reference set. {@code reference} null means the evaluated slice
     * itself; reference sequences longer than the slice are cut to its length (causal: the prefix's z is unchanged).
     */
    record Mean(int[][] reference) implements Ablation {
    }

    /**
     * z[b,i] ← z[b',i] of another sequence b' of the same slice, b' drawn as a seeded random derangement (no
     * sequence is its own source), so the slice needs at least 2 sequences.
     */
    record Resample(long seed) implements Ablation {
    }

    /** z[b,i] ← z[sourceOf[b], i] computed on {@code sources} (cut to the slice's length): explicit resampling. */
    record ResampleFrom(int[][] sources, int[] sourceOf) implements Ablation {
    }

    /** A short name for tables: zero, mean, resample. */
    default String label() {
        if (this instanceof Zero) {
            return "zero";
        }
        return this instanceof Mean ? "mean" : "resample";
    }
}
