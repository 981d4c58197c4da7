package org.headlab.core.run;

import java.util.Arrays;

/**
 * One line of a dataset file: a text, its token ids, or both (as exported; HeadLab does not check that they
 * agree, since a run may have been tokenized by a tokenizer HeadLab does not have).
 *
 * @param text the text, or null
 * @param tokens the token ids, or null
 */
public record DatasetRecord(String text, int[] tokens) {

    public DatasetRecord {
        if (text == null && tokens == null) {
            throw new IllegalArgumentException("a dataset record needs a text or tokens");
        }
        tokens = tokens == null ? null : tokens.clone();
    }

    public static DatasetRecord ofText(String text) {
        return new DatasetRecord(text, null);
    }

    public static DatasetRecord ofTokens(int... tokens) {
        return new DatasetRecord(null, tokens);
    }

    @Override
    public int[] tokens() {
        return tokens == null ? null : tokens.clone();
    }

    public boolean hasText() {
        return text != null;
    }

    public boolean hasTokens() {
        return tokens != null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DatasetRecord r && java.util.Objects.equals(text, r.text)
                && Arrays.equals(tokens, r.tokens);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hashCode(text) * 31 + Arrays.hashCode(tokens);
    }

    @Override
    public String toString() {
        return "DatasetRecord[text=" + text + ", tokens=" + Arrays.toString(tokens) + "]";
    }
}
