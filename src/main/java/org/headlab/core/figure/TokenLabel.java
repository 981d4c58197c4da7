package org.headlab.core.figure;

/**
 * How a token is written on a map axis, a token line or a figure: spaces and newlines made visible (a BPE token
 * " read" and "read" are different tokens and must look different), long tokens cut with an ellipsis.
 */
public final class TokenLabel {
    private TokenLabel() {
    }

    /** The token with visible whitespace, at most {@code maxChars} characters (the last one an ellipsis if cut). */
    public static String of(String token, int maxChars) {
        String t = token.replace("\n", "\u23CE").replace(" ", "\u2423");
        return t.length() > maxChars ? t.substring(0, maxChars - 1) + "\u2026" : t;
    }
}
