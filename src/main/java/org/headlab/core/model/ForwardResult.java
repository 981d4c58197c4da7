package org.headlab.core.model;

/**
 * A forward pass in Java memory.
 *
 * @param logits [B][T][V]
 * @param tokenLosses [B][T-1] next-token cross-entropy at positions 0..T-2; empty rows when T = 1
 * @param loss mean of {@code tokenLosses} over all sequences and positions; NaN when T = 1
 */
public record ForwardResult(float[][][] logits, float[][] tokenLosses, double loss) {
}
