package org.headlab.core.estimate.llc;

import java.util.random.RandomGenerator;

/**
 * A shuffled loader over sample indices that reshuffles on every pass and restarts when exhausted (devinterp's
 * cyclic loader, §2.3). A batch that crosses the end of a pass continues with the next shuffled pass, so every
 * batch has exactly {@code batchSize} rows even when the data set is smaller than a batch.
 */
final class BatchCycle {
    private final int[] order;
    private final int batchSize;
    private final RandomGenerator rng;
    private int next;

    BatchCycle(int size, int batchSize, RandomGenerator rng) {
        this.order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        this.batchSize = batchSize;
        this.rng = rng;
        this.next = size;
    }

    int[] next() {
        int[] b = new int[batchSize];
        for (int i = 0; i < batchSize; i++) {
            if (next == order.length) {
                shuffle();
                next = 0;
            }
            b[i] = order[next++];
        }
        return b;
    }

    /**
     * Up to {@code k} indices that the next calls of {@link #next()} will return, without drawing anything: only
     * those left in the current shuffled pass (the next pass's order is not drawn yet, and drawing it early would
     * move the random stream the noise shares). Empty before the first batch.
     */
    int[] peek(int k) {
        int n = Math.min(k, order.length - next);
        return java.util.Arrays.copyOfRange(order, next, next + n);
    }

    private void shuffle() {
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /** Batch {@code k} of the unshuffled loader (dataset order, wrapping around): the init-loss batches. */
    static int[] inOrder(int size, int batchSize, int k) {
        int[] b = new int[batchSize];
        for (int i = 0; i < batchSize; i++) {
            b[i] = (int) (((long) k * batchSize + i) % size);
        }
        return b;
    }
}
