package org.headlab.core.data;

import java.util.ArrayList;
import java.util.List;
import org.headlab.core.HeadLabException;

/**
 * One token per character (Unicode code point). Vocabulary entries longer than one character are special tokens
 * such as {@code <bos>}: they have ids and display strings but {@code encode} never produces them, and decoding
 * writes them out literally.
 */
public final class CharTokenizer extends VocabularyTokenizer {

    /** @param bos the beginning-of-sequence entry of {@code vocab}, or null for none */
    public CharTokenizer(List<String> vocab, String bos) {
        super(vocab, bos, "char");
    }

    @Override
    public int[] encode(String text) {
        int[] cps = text.codePoints().toArray();
        int[] out = new int[cps.length];
        for (int i = 0; i < cps.length; i++) {
            Integer id = idOf(Character.toString(cps[i]));
            if (id == null) {
                throw new HeadLabException("character " + describe(cps[i]) + " at position " + i
                        + " is not in the tokenizer's vocabulary");
            }
            out[i] = id;
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        return String.join("", tokenStrings(ids));
    }

    private static String describe(int codePoint) {
        // invisible characters (space, tab, newline) must still be recognisable in a one-line message
        String shown = Character.isWhitespace(codePoint) || Character.isISOControl(codePoint)
                ? "" : "'" + Character.toString(codePoint) + "' ";
        return shown + String.format("(U+%04X)", codePoint);
    }
}
