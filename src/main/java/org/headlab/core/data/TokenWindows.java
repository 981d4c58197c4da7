package org.headlab.core.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.headlab.core.HeadLabException;

/**
 * The one way a dataset slice becomes model batches: documents (token ids, BOS first) packed into windows of
 * exactly {@code length} tokens, so every window of a batch has the same length, every position is a real
 * next-token target, and no padding mask or cutting to the shortest sequence is needed. Used by the trainer
 * ({@code PackedCorpus}) and by every estimator (LLC data, loss, ablation and pattern slices).
 *
 * <p>Packing rule: a window always starts at the beginning of a document (its BOS), then takes whole documents back
 * to back until the next one does not fit; that one is cut at the window's end and starts the next window again in
 * full, so no document is lost and every window's first token is a BOS. The documents are read cyclically when the
 * last window runs past the end (a slice shorter than one window repeats itself).
 *
 * <p>A document longer than the window is first chunked: its first {@code length} tokens, then the rest in pieces
 * of {@code length − 1} tokens each preceded by the BOS (when there is one), so that chunks still start at a BOS and
 * no token is lost; the pieces are then packed like documents.
 */
public final class TokenWindows {
    /** Pass as {@code bos} when the tokenizer has none: long documents are then cut in plain pieces. */
    public static final int NO_BOS = -1;

    private TokenWindows() {
    }

    /**
     * @param documents token ids of each document, BOS already first (when the tokenizer has one)
     * @param length the window length (≥ 2 when {@code bos} is used, ≥ 1 otherwise)
     * @param bos the BOS id that starts each continuation chunk of a long document, or {@link #NO_BOS}
     * @param what the slice name, for messages
     * @return the windows, each a fresh array of exactly {@code length} tokens
     */
    public static List<int[]> pack(List<int[]> documents, int length, int bos, String what) {
        if (length < 1 || (bos >= 0 && length < 2)) {
            throw new HeadLabException("a window of the " + what + " slice needs at least " + (bos >= 0 ? 2 : 1)
                    + " tokens, got " + length);
        }
        if (documents.isEmpty()) {
            throw new HeadLabException("the " + what + " slice is empty: it has no documents to make windows of");
        }
        List<int[]> pieces = new ArrayList<>(documents.size());
        for (int d = 0; d < documents.size(); d++) {
            int[] doc = documents.get(d);
            if (doc.length < 1) {
                throw new HeadLabException("document " + d + " of the " + what + " slice is empty");
            }
            pieces.addAll(chunk(doc, length, bos));
        }
        List<int[]> out = new ArrayList<>();
        int n = pieces.size();
        int start = 0; // absolute index; piece = index % n
        while (start < n) {
            int[] w = new int[length];
            int filled = 0;
            int d = start;
            while (filled < length) {
                int[] doc = pieces.get(d % n);
                int take = Math.min(doc.length, length - filled);
                System.arraycopy(doc, 0, w, filled, take);
                filled += take;
                if (take == doc.length) {
                    d++; // whole piece used; a cut one (take < length) starts the next window
                }
            }
            out.add(w);
            start = d; // > start: the first piece of a window always fits whole
        }
        return out;
    }

    /**
     * A document cut into pieces of at most {@code length} tokens: itself when it fits, otherwise its first
     * {@code length} tokens and then BOS + the next {@code length − 1} tokens, and so on (plain {@code length}-token
     * pieces when {@code bos} is {@link #NO_BOS}).
     */
    public static List<int[]> chunk(int[] doc, int length, int bos) {
        if (doc.length <= length) {
            return List.of(doc);
        }
        List<int[]> out = new ArrayList<>();
        out.add(Arrays.copyOf(doc, length));
        int body = bos >= 0 ? length - 1 : length;
        for (int from = length; from < doc.length; from += body) {
            int to = Math.min(doc.length, from + body);
            if (bos >= 0) {
                int[] p = new int[to - from + 1];
                p[0] = bos;
                System.arraycopy(doc, from, p, 1, to - from);
                out.add(p);
            } else {
                out.add(Arrays.copyOfRange(doc, from, to));
            }
        }
        return out;
    }

    /** The number of tokens of the documents (before packing), for reports. */
    public static long tokens(List<int[]> documents) {
        long n = 0;
        for (int[] d : documents) {
            n += d.length;
        }
        return n;
    }
}
