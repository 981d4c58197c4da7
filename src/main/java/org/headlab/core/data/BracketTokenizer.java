package org.headlab.core.data;

import java.util.ArrayList;
import java.util.List;
import org.headlab.core.HeadLabException;

/**
 * Tokens for S-expressions and bracket languages: each bracket {@code ( ) [ ] { } < >} and each operator
 * {@code + - * / =} is a token of its own, a run of digits is one integer token, a letter or underscore followed by
 * letters, digits and underscores is one atom; any other character is a one-character token; whitespace only
 * separates. So {@code -3} is two tokens and {@code <=} is a bracket and an operator: the languages HeadLab generates
 * need neither. Vocabulary entries that this splitting never produces (such as {@code <bos>}) are special tokens.
 */
public final class BracketTokenizer extends VocabularyTokenizer {

    private static final String OPENERS = "([{<";
    private static final String CLOSERS = ")]}>";

    /** @param bos the beginning-of-sequence entry of {@code vocab}, or null for none */
    public BracketTokenizer(List<String> vocab, String bos) {
        super(vocab, bos, "bracket");
    }

    /** The token strings of {@code text}, without a vocabulary: what the generators and the evaluator read. */
    public static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (isDigit(c)) {
                int j = i;
                while (j < n && isDigit(text.charAt(j))) {
                    j++;
                }
                out.add(text.substring(i, j));
                i = j;
            } else if (isAtomStart(c)) {
                int j = i;
                while (j < n && isAtomPart(text.charAt(j))) {
                    j++;
                }
                out.add(text.substring(i, j));
                i = j;
            } else {
                int cp = text.codePointAt(i);
                out.add(Character.toString(cp));
                i += Character.charCount(cp);
            }
        }
        return out;
    }

    @Override
    public int[] encode(String text) {
        List<String> tokens = split(text);
        int[] out = new int[tokens.size()];
        for (int i = 0; i < out.length; i++) {
            Integer id = idOf(tokens.get(i));
            if (id == null) {
                throw new HeadLabException("token '" + tokens.get(i) + "' (token " + i + " of the input) is not in"
                        + " the tokenizer's vocabulary");
            }
            out[i] = id;
        }
        return out;
    }

    /** Tokens joined the way S-expressions are written: {@code (+ 12 (* x 3))}; re-encoding gives the ids back. */
    @Override
    public String decode(int[] ids) {
        return join(tokenStrings(ids));
    }

    /** Joins tokens with a space except just inside brackets, so that {@link #split} gives them back. */
    public static String join(List<String> tokens) {
        StringBuilder sb = new StringBuilder();
        String prev = null;
        for (String t : tokens) {
            if (prev != null && !isOpener(prev) && !isCloser(t)) {
                sb.append(' ');
            }
            sb.append(t);
            prev = t;
        }
        return sb.toString();
    }

    private static boolean isOpener(String t) {
        return t.length() == 1 && OPENERS.indexOf(t.charAt(0)) >= 0;
    }

    private static boolean isCloser(String t) {
        return t.length() == 1 && CLOSERS.indexOf(t.charAt(0)) >= 0;
    }

    // ASCII only: Character.isDigit would also accept Arabic-Indic digits, which no generator writes
    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isAtomStart(char c) {
        return Character.isLetter(c) || c == '_';
    }

    private static boolean isAtomPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
