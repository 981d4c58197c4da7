package org.headlab.train;

import java.util.List;
import java.util.SplittableRandom;
import org.headlab.core.HeadLabException;
import org.headlab.core.data.TokenWindows;

/**
 * Documents packed into training windows of exactly {@code n_ctx} tokens, so every position of every window is a
 * real next-token target and the model's plain mean loss needs no padding mask.
 *
 * <p>Packing rule: a window always starts at the beginning of a document (its BOS), then takes whole documents
 * back to back until the next one does not fit; that one is cut at the window's end and starts the next window
 * again in full, so no document is lost and every window's first token is a BOS (the bracket depth of every
 * position is well defined from the window start). The corpus is read cyclically when the last window runs past
 * the end. A document longer than the context is refused: chunking it would start a window inside a bracket
 * string, where depth and matching are no longer defined (the estimators' windows may chunk; training may not).
 * The packing itself is {@link TokenWindows}, shared with the estimators.
 *
 * <p>Batches are drawn uniformly with replacement from a random generator derived from (seed, step) alone, so the
 * batch of step s is the same whether or not training was interrupted before it: resuming needs no RNG state.
 */
public final class PackedCorpus {
    private final List<int[]> windows;
    private final int length;

    private PackedCorpus(List<int[]> windows, int length) {
        this.windows = windows;
        this.length = length;
    }

    /**
     * @param documents token ids of each document, BOS already first
     * @param nCtx the window length
     * @param what the slice name, for messages
     */
    public static PackedCorpus pack(List<int[]> documents, int nCtx, String what) {
        int bos = documents.isEmpty() || documents.get(0).length == 0 ? TokenWindows.NO_BOS : documents.get(0)[0];
        return pack(documents, nCtx, bos, what);
    }

    /** As {@link #pack(List, int, String)}, with the BOS that starts continuation chunks of long documents. */
    public static PackedCorpus pack(List<int[]> documents, int nCtx, int bos, String what) {
        for (int d = 0; d < documents.size(); d++) {
            int n = documents.get(d).length;
            if (n > nCtx) {
                throw new HeadLabException("document " + d + " of the " + what + " corpus has " + n
                        + " tokens (with BOS), more than the context n_ctx = " + nCtx);
            }
        }
        return new PackedCorpus(List.copyOf(TokenWindows.pack(documents, nCtx, bos, what)), nCtx);
    }

    public int windowCount() {
        return windows.size();
    }

    public int length() {
        return length;
    }

    public int[] window(int i) {
        return windows.get(i).clone();
    }

    /** The batch for one training step: {@code size} windows drawn from (seed, step) only. */
    public int[][] batch(long seed, long step, int size) {
        SplittableRandom rng = new SplittableRandom(mix(seed, step));
        int[][] b = new int[size][];
        for (int i = 0; i < size; i++) {
            b[i] = windows.get(rng.nextInt(windows.size())).clone();
        }
        return b;
    }

    /** The first {@code max} windows (or all), for a held-out loss. */
    public List<int[]> head(int max) {
        return windows.subList(0, Math.min(max, windows.size()));
    }

    static long mix(long seed, long step) {
        long z = seed * 0x9E3779B97F4A7C15L + step + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
