package org.headlab.train;

import java.util.List;
import org.headlab.core.data.RepeatedTokenGenerator;
import org.headlab.core.data.RepeatedTokens;
import org.headlab.core.data.Tokenizer;
import org.headlab.core.model.Transformer;

/**
 * Previous-token and induction scores of every head (estimators.md §4.2), computed plainly from
 * {@link Transformer#attentionPatterns}: an independent check of the shipped lm run, not an estimator.
 *
 * <ul>
 *   <li>previous-token score: mean over sequences and query positions i ≥ 1 of A[i, i−1], on held-out text
 *       (BOS + characters, as in training);</li>
 *   <li>induction score: on [BOS, r_1..r_L, r_1..r_L] with r uniform over the tokenizer's ids except the BOS, mean
 *       over second-half query positions i of A[i, {@link RepeatedTokens#inductionKeyPosition}(i)] (the token after
 *       the earlier copy of the current token).</li>
 * </ul>
 */
public final class LmHeadScores {
    /** Half length L of the repeated random sequences (1 + 2L ≤ n_ctx = 128). */
    public static final int HALF = 60;
    public static final int REPEATED = 64;
    public static final long REPEATED_SEED = 7;
    /** Held-out text chunks the previous-token score reads. */
    public static final int TEXTS = 100;

    private LmHeadScores() {
    }

    public static List<RepeatedTokens> repeated(Tokenizer tok) {
        return RepeatedTokenGenerator.forTokenizer(tok, HALF).generate(REPEATED_SEED, REPEATED);
    }

    /** [layer][head] previous-token score over the given token sequences. */
    public static double[][] previousToken(Transformer m, List<int[]> sequences) {
        int layers = m.config().nLayers();
        int heads = m.config().nHeads();
        double[][] sum = new double[layers][heads];
        long n = 0;
        for (int[] ids : sequences) {
            float[][][][] a = m.attentionPatterns(ids);
            for (int l = 0; l < layers; l++) {
                for (int h = 0; h < heads; h++) {
                    for (int i = 1; i < ids.length; i++) {
                        sum[l][h] += a[l][h][i][i - 1];
                    }
                }
            }
            n += ids.length - 1;
        }
        return divide(sum, n);
    }

    /** [layer][head] induction score over repeated random sequences. */
    public static double[][] induction(Transformer m, List<RepeatedTokens> sequences) {
        int layers = m.config().nLayers();
        int heads = m.config().nHeads();
        double[][] sum = new double[layers][heads];
        long n = 0;
        for (RepeatedTokens r : sequences) {
            float[][][][] a = m.attentionPatterns(r.ids());
            for (int l = 0; l < layers; l++) {
                for (int h = 0; h < heads; h++) {
                    for (int i = r.secondHalfStart(); i < r.length(); i++) {
                        sum[l][h] += a[l][h][i][r.inductionKeyPosition(i)];
                    }
                }
            }
            n += r.length() - r.secondHalfStart();
        }
        return divide(sum, n);
    }

    /** Index of the largest score in {@code row}. */
    public static int best(double[] row) {
        int b = 0;
        for (int i = 1; i < row.length; i++) {
            if (row[i] > row[b]) {
                b = i;
            }
        }
        return b;
    }

    /** BOS + encoded text, as the trainer feeds it. */
    public static int[] withBos(Tokenizer tok, String text) {
        int[] body = tok.encode(text);
        int[] ids = new int[body.length + 1];
        ids[0] = tok.bosId();
        System.arraycopy(body, 0, ids, 1, body.length);
        return ids;
    }

    private static double[][] divide(double[][] sum, long n) {
        for (double[] row : sum) {
            for (int i = 0; i < row.length; i++) {
                row[i] /= n;
            }
        }
        return sum;
    }
}
