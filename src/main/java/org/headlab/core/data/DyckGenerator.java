package org.headlab.core.data;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.headlab.core.HeadLabException;

/**
 * Random Dyck-k strings: well-formed words over the first {@code kinds} bracket pairs of {@code () [] {} <>} whose
 * nesting never exceeds {@code maxDepth}.
 *
 * <p>The length is drawn uniformly from the even lengths in [minLength, maxLength]; the word is then drawn uniformly
 * among all Dyck words of that length and depth bound, kinds uniform per pair. Each open/close choice is weighted
 * by the number of ways the rest of the word can still be completed (counted by dynamic programming), so no draw
 * ever dead-ends and every depth up to {@code maxDepth} appears with the probability it has among all such words,
 * rather than depth being cut short the way a fair coin plus a "must close now" rule would do it.
 *
 * @param spaced tokens separated by single spaces in the text (for a bracket tokenizer) or written together (for a
 *     char tokenizer); the token list is the same either way
 */
public record DyckGenerator(int kinds, int maxDepth, int minLength, int maxLength, boolean spaced)
        implements SequenceGenerator {

    public DyckGenerator {
        if (kinds < 1 || kinds > BracketPair.DEFAULTS.size()) {
            throw new HeadLabException("Dyck kinds must be 1.." + BracketPair.DEFAULTS.size() + ", got " + kinds);
        }
        if (maxDepth < 1) {
            throw new HeadLabException("Dyck max depth must be at least 1, got " + maxDepth);
        }
        if (minLength < 2 || maxLength < minLength || minLength % 2 != 0 || maxLength % 2 != 0) {
            throw new HeadLabException("Dyck lengths must be even with 2 <= min <= max, got " + minLength + ".."
                    + maxLength);
        }
    }

    @Override
    public GeneratedSequence sample(SplittableRandom rng) {
        int n = minLength + 2 * rng.nextInt((maxLength - minLength) / 2 + 1);
        double[][] completions = completions(n);
        List<String> tokens = new ArrayList<>(n);
        Deque<Integer> open = new ArrayDeque<>();
        for (int step = 0; step < n; step++) {
            int h = open.size();
            double[] after = completions[n - step - 1];
            double up = h < maxDepth ? after[h + 1] : 0;
            double down = h > 0 ? after[h - 1] : 0;
            // up + down is 0 only if doubles underflowed on an astronomically unlikely path; closing is always safe
            boolean opens = h == 0 || (up + down > 0 && rng.nextDouble() * (up + down) < up);
            if (opens) {
                int k = rng.nextInt(kinds);
                open.push(k);
                tokens.add(BracketPair.DEFAULTS.get(k).open());
            } else {
                tokens.add(BracketPair.DEFAULTS.get(open.pop()).close());
            }
        }
        return GeneratedSequence.of(String.join(spaced ? " " : "", tokens), tokens, OptionalInt.empty());
    }

    /**
     * {@code c[r][h]} is proportional to the number of ways to finish a word with r steps left at height h. Each row
     * is scaled to max 1 to stay inside double range; only ratios within one row are ever used.
     */
    private double[][] completions(int n) {
        double[][] c = new double[n + 1][maxDepth + 1];
        c[0][0] = 1;
        for (int r = 1; r <= n; r++) {
            double max = 0;
            for (int h = 0; h <= maxDepth; h++) {
                double v = (h < maxDepth ? c[r - 1][h + 1] : 0) + (h > 0 ? c[r - 1][h - 1] : 0);
                c[r][h] = v;
                max = Math.max(max, v);
            }
            if (max > 0) {
                for (int h = 0; h <= maxDepth; h++) {
                    c[r][h] /= max;
                }
            }
        }
        return c;
    }
}
