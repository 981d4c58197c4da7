package org.headlab.train;

import java.util.ArrayList;
import java.util.List;
import org.headlab.core.data.BracketPair;
import org.headlab.core.data.Tokenizer;
import org.headlab.core.data.TokenStructure;
import org.headlab.core.model.Transformer;

/**
 * Bracket-matching scores of every head: over all closing brackets of the given texts, the mean attention weight
 * from the closer (query) to its matching opener (key), with {@link TokenStructure} giving the match. Also the mean
 * weight from a closer to the innermost opener still open after it (the "enclosing" opener, whose kind decides
 * what may come next), since a next-token model may prefer that one.
 */
public final class BracketMatching {

    /** Scores per [layer][head]; {@code closers} is the number of closing brackets averaged over. */
    public record Scores(double[][] match, double[][] enclosing, int closers) {
        /** The head with the highest match score as {layer, head}. */
        public int[] bestMatchHead() {
            int[] best = {0, 0};
            for (int l = 0; l < match.length; l++) {
                for (int h = 0; h < match[l].length; h++) {
                    if (match[l][h] > match[best[0]][best[1]]) {
                        best = new int[] {l, h};
                    }
                }
            }
            return best;
        }

        public double bestMatch() {
            int[] b = bestMatchHead();
            return match[b[0]][b[1]];
        }
    }

    private BracketMatching() {
    }

    /** {@link #score(Transformer, Tokenizer, List, List)} with the default bracket pairs. */
    public static Scores score(Transformer model, Tokenizer tokenizer, List<String> texts) {
        return score(model, tokenizer, BracketPair.DEFAULTS, texts);
    }

    /**
     * Each text is encoded, given the tokenizer's BOS, and run alone (texts longer than n_ctx are skipped); brackets
     * are paired with {@code pairs} (a run's {@code TokenizerSpec.bracketPairs()}).
     */
    public static Scores score(Transformer model, Tokenizer tokenizer, List<BracketPair> pairs, List<String> texts) {
        int layers = model.config().nLayers();
        int heads = model.config().nHeads();
        double[][] match = new double[layers][heads];
        double[][] enclosing = new double[layers][heads];
        int closers = 0;
        int enclosed = 0;
        int bos = tokenizer.bosId();
        int offset = bos >= 0 ? 1 : 0;
        for (String text : texts) {
            int[] ids = tokenizer.encode(text);
            if (ids.length + offset > model.config().nCtx() || ids.length == 0) {
                continue;
            }
            int[] seq = new int[ids.length + offset];
            if (bos >= 0) {
                seq[0] = bos;
            }
            System.arraycopy(ids, 0, seq, offset, ids.length);
            TokenStructure st = TokenStructure.of(tokenizer.tokenStrings(ids), pairs);
            List<int[]> closing = new ArrayList<>(); // {closer, match, enclosing or -1}
            for (int i = 0; i < st.size(); i++) {
                if (st.isCloser(i) && st.match(i) >= 0) {
                    int enc = -1;
                    for (int j = st.match(i) - 1; j >= 0; j--) {
                        if (st.isOpener(j) && (st.match(j) < 0 || st.match(j) > i)) {
                            enc = j;
                            break;
                        }
                    }
                    closing.add(new int[] {i, st.match(i), enc});
                }
            }
            if (closing.isEmpty()) {
                continue;
            }
            float[][][][] p = model.attentionPatterns(seq);
            for (int[] c : closing) {
                closers++;
                if (c[2] >= 0) {
                    enclosed++;
                }
                for (int l = 0; l < layers; l++) {
                    for (int h = 0; h < heads; h++) {
                        float[] row = p[l][h][c[0] + offset];
                        match[l][h] += row[c[1] + offset];
                        if (c[2] >= 0) {
                            enclosing[l][h] += row[c[2] + offset];
                        }
                    }
                }
            }
        }
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                match[l][h] = closers == 0 ? 0 : match[l][h] / closers;
                enclosing[l][h] = enclosed == 0 ? 0 : enclosing[l][h] / enclosed;
            }
        }
        return new Scores(match, enclosing, closers);
    }
}
