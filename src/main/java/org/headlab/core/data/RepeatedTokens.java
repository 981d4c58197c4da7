package org.headlab.core.data;

import java.util.Arrays;

/**
 * A sequence for the induction score: an optional prefix (a BOS), then L random tokens, then the same L tokens again.
 * At a second-half query position i the induction head should attend to {@link #inductionKeyPosition(int) i − L + 1},
 * the token after the earlier copy of the current token (estimators.md §4.2).
 *
 * @param prefixLength tokens before the first half (1 with a BOS, else 0)
 */
public record RepeatedTokens(int[] ids, int halfLength, int prefixLength) {

    public RepeatedTokens {
        ids = ids.clone();
        if (ids.length != prefixLength + 2 * halfLength) {
            throw new IllegalArgumentException("length " + ids.length + " != " + prefixLength + " + 2 * " + halfLength);
        }
    }

    @Override
    public int[] ids() {
        return ids.clone();
    }

    public int length() {
        return ids.length;
    }

    public int firstHalfStart() {
        return prefixLength;
    }

    /** First query position the induction score reads; it reads up to {@code length() - 1}. */
    public int secondHalfStart() {
        return prefixLength + halfLength;
    }

    /** The key an induction head should attend to from second-half query position {@code query}. */
    public int inductionKeyPosition(int query) {
        if (query < secondHalfStart() || query >= ids.length) {
            throw new IllegalArgumentException("query " + query + " is not in the second half");
        }
        return query - halfLength + 1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RepeatedTokens r && Arrays.equals(ids, r.ids) && halfLength == r.halfLength
                && prefixLength == r.prefixLength;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(ids) + halfLength) + prefixLength;
    }

    @Override
    public String toString() {
        return "RepeatedTokens[ids=" + Arrays.toString(ids) + ", halfLength=" + halfLength + ", prefixLength="
                + prefixLength + "]";
    }
}
