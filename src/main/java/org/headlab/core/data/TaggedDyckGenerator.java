package org.headlab.core.data;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.headlab.core.HeadLabException;

/**
 * Dyck-k with untyped closers: the first {@code kinds} opening brackets of {@code ( [ { <}, one generic closer
 * {@code )}, and right after each closer a tag naming the kind of the opener it closed ({@code a b c d} for
 * {@code ( [ { <}). The typed word {@code ([]{})} becomes {@code ( [ ) b { ) c ) a}.
 *
 * <p>Why: under next-token prediction on ordinary Dyck-k the closer already says its kind, so nothing at a closer
 * needs its matching opener (the useful one there is the enclosing opener). Here the token after each closer is the
 * tag of its match, so predicting it requires attending from the closer to the matching opener.
 *
 * <p>The bracket word is drawn exactly as {@link DyckGenerator} draws it (uniform over Dyck words of a uniformly
 * drawn even length, depth at most {@code maxDepth}); {@code minLength} and {@code maxLength} count brackets, so a
 * word of n brackets is 3n/2 tokens. The structure uses {@link #pairs(int)}.
 */
public record TaggedDyckGenerator(int kinds, int maxDepth, int minLength, int maxLength, boolean spaced)
        implements SequenceGenerator {

    /** The generic closing bracket. */
    public static final String CLOSER = ")";
    /** The tag written after a closer, per kind: {@code a} for {@code (}, {@code b} for {@code [}, ... */
    public static final List<String> TAGS = List.of("a", "b", "c", "d");

    public TaggedDyckGenerator {
        new DyckGenerator(kinds, maxDepth, minLength, maxLength, spaced); // same parameter checks
    }

    /** The bracket pairs of this task: each of the first {@code kinds} openers with the generic closer. */
    public static List<BracketPair> pairs(int kinds) {
        if (kinds < 1 || kinds > BracketPair.DEFAULTS.size()) {
            throw new HeadLabException("Dyck kinds must be 1.." + BracketPair.DEFAULTS.size() + ", got " + kinds);
        }
        return BracketPair.DEFAULTS.subList(0, kinds).stream().map(p -> new BracketPair(p.open(), CLOSER)).toList();
    }

    /** Token vocabulary after BOS: openers, the closer, then the tags, e.g. {@code ( [ { ) a b c}. */
    public static List<String> tokens(int kinds) {
        List<String> v = new ArrayList<>();
        for (BracketPair p : pairs(kinds)) {
            v.add(p.open());
        }
        v.add(CLOSER);
        v.addAll(TAGS.subList(0, kinds));
        return v;
    }

    /** k when {@code pairs} are exactly {@link #pairs(int) pairs(k)}, else 0. */
    public static int kindsOf(List<BracketPair> pairs) {
        for (int k = 1; k <= BracketPair.DEFAULTS.size(); k++) {
            if (pairs(k).equals(pairs)) {
                return k;
            }
        }
        return 0;
    }

    @Override
    public GeneratedSequence sample(SplittableRandom rng) {
        GeneratedSequence typed = new DyckGenerator(kinds, maxDepth, minLength, maxLength, false).sample(rng);
        List<String> tokens = new ArrayList<>(typed.tokens().size() * 3 / 2);
        for (String t : typed.tokens()) {
            int closeKind = -1;
            for (int k = 0; k < kinds; k++) {
                if (BracketPair.DEFAULTS.get(k).close().equals(t)) {
                    closeKind = k;
                }
            }
            if (closeKind < 0) {
                tokens.add(t);
            } else {
                tokens.add(CLOSER);
                tokens.add(TAGS.get(closeKind));
            }
        }
        return new GeneratedSequence(String.join(spaced ? " " : "", tokens), tokens,
                TokenStructure.of(tokens, pairs(kinds)), OptionalInt.empty());
    }
}
