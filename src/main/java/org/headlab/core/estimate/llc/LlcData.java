package org.headlab.core.estimate.llc;

import java.util.ArrayList;
import java.util.List;
import org.headlab.core.HeadLabException;
import org.headlab.core.run.DatasetRecord;
import org.headlab.core.session.RunSession;

/**
 * The samples an LLC is estimated on (the data refinement of §3.2: SGLD minibatches and the init loss both come
 * from here): equally long token sequences, in dataset order. Records are tokenized with the run's tokenizer when
 * they carry only text (BOS first), and every sequence is cut to the shortest one (and to {@code maxLength}), so
 * that batches are rectangular; sequences shorter than 2 tokens are dropped.
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

    /** A dataset of the session's run, capped at the model context. */
    public static LlcData fromRun(RunSession session, String name) {
        List<int[]> raw = new ArrayList<>();
        for (DatasetRecord r : session.run().readDataset(name)) {
            raw.add(r.hasTokens() ? r.tokens() : session.encode(r.text()).ids());
        }
        return of(name, raw, session.run().config().nCtx());
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
