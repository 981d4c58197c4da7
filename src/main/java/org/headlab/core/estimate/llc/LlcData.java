package org.headlab.core.estimate.llc;

import java.util.ArrayList;
import java.util.List;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.session.RunSession;

/**
 * The samples an LLC is estimated on (the data refinement of §3.2: SGLD minibatches and the init loss both come
 * from here): equally long token sequences, in dataset order. From a run ({@link #fromRun}, {@link #windows}) they
 * are the slice's documents packed into windows of n_ctx tokens by {@link org.headlab.core.data.TokenWindows}
 * (BOS first, back to back, long documents chunked), exactly as the trainer made its batches; {@link #of} (for
 * hand-made sequences) cuts every sequence to the shortest one instead.
 *
 * @param name the dataset slice name
 * @param sequences [N][T] token ids
 */
public record LlcData(String name, int[][] sequences) {

    public static LlcData of(String name, List<int[]> raw, int maxLength) {
        List<int[]> usable = new ArrayList<>();
        int t = maxLength;
        for (int[] s : raw) {
            if (s.length >= 2) {
                usable.add(s);
                t = Math.min(t, s.length);
            }
        }
        if (usable.isEmpty() || t < 2) {
            throw new HeadLabException("dataset '" + name + "' has no sequence of at least 2 tokens for the LLC");
        }
        int[][] out = new int[usable.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = java.util.Arrays.copyOf(usable.get(i), t);
        }
        return new LlcData(name, out);
    }

    /** A dataset of the session's run, packed into windows of the model's context n_ctx. */
    public static LlcData fromRun(RunSession session, String name) {
        return new LlcData(name, DatasetSlices.windows(session, name, null, 0));
    }

    /** Already packed windows of one length (a sweep's shared {@link DatasetSlices.Slice#windows()}). */
    public static LlcData windows(String name, List<int[]> windows) {
        if (windows.isEmpty() || windows.get(0).length < 2) {
            throw new HeadLabException("dataset '" + name + "' has no window of at least 2 tokens for the LLC");
        }
        int t = windows.get(0).length;
        for (int[] w : windows) {
            if (w.length != t) {
                throw new IllegalArgumentException("windows of different lengths: " + t + " and " + w.length);
            }
        }
        return new LlcData(name, windows.toArray(int[][]::new));
    }

    public int size() {
        return sequences.length;
    }

    public int length() {
        return sequences[0].length;
    }

    int[][] rows(int[] idx) {
        int[][] b = new int[idx.length][];
        for (int i = 0; i < idx.length; i++) {
            b[i] = sequences[idx[i]];
        }
        return b;
    }
}
