package org.headlab.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.headlab.core.HeadLabException;

/**
 * Documents packed into training windows of exactly {@code n_ctx} tokens, so every position of every window is a
 * real next-token target and the model's plain mean loss needs no padding mask.
 *
 * <p>Packing rule: a window always starts at the beginning of a document (its BOS), then takes whole documents
 * back to back until the next one does not fit; that one is cut at the window's end and starts the next window
 * again in full, so no document is lost and every window's first token is a BOS (the bracket depth of every
 * position is well defined from the window start). The corpus is read cyclically when the last window runs past
 * the end. A document longer than the context is refused.
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
        if (documents.isEmpty()) {
            throw new HeadLabException("the " + what + " corpus is empty: nothing to train on");
        }
        for (int d = 0; d < documents.size(); d++) {
            int n = documents.get(d).length;
            if (n < 1) {
                throw new HeadLabException("document " + d + " of the " + what + " corpus is empty");
            }
            if (n > nCtx) {
                throw new HeadLabException("document " + d + " of the " + what + " corpus has " + n
                        + " tokens (with BOS), more than the context n_ctx = " + nCtx);
            }
        }
        List<int[]> out = new ArrayList<>();
        int n = documents.size();
        int start = 0; // absolute index; document = index % n
        while (start < n) {
            int[] w = new int[nCtx];
            int filled = 0;
            int d = start;
            while (filled < nCtx) {
                int[] doc = documents.get(d % n);
                int take = Math.min(doc.length, nCtx - filled);
                System.arraycopy(doc, 0, w, filled, take);
                filled += take;
                if (take == doc.length) {
                    d++; // whole document used; a cut one (take < length) starts the next window
                }
            }
            out.add(w);
            start = d; // > start: the first document of a window always fits whole
        }
        return new PackedCorpus(List.copyOf(out), nCtx);
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
