package org.headlab.core.analysis;

import java.util.List;

/**
 * What a predicted token is, for colouring per-token evidence (the susceptibility paper's token types, arXiv
 * 2504.18274 §4: word start, induction pattern, brackets, digits …): the first rule that holds, in this order —
 * {@code induction} (the pair context → token occurred earlier in the window, so an induction head can copy it),
 * {@code opening bracket}, {@code closing bracket}, {@code digit}, {@code space or newline}, {@code punctuation},
 * {@code word start} (a token that begins with a space), {@code word part} (any other).
 */
public final class TokenKinds {
    public static final List<String> KINDS = List.of("induction", "opening bracket", "closing bracket", "digit",
            "space or newline", "punctuation", "word start", "word part");

    private TokenKinds() {
    }

    /** The kind of the token at position {@code t} ≥ 1 of {@code window}, with {@code vocab} its strings. */
    public static String of(int[] window, int t, List<String> vocab) {
        for (int s = 1; s < t; s++) {
            if (window[s - 1] == window[t - 1] && window[s] == window[t]) {
                return "induction";
            }
        }
        String tok = window[t] >= 0 && window[t] < vocab.size() ? vocab.get(window[t]) : "";
        String body = tok.strip();
        if (body.length() == 1 && "([{<".contains(body)) {
            return "opening bracket";
        }
        if (body.length() == 1 && ")]}>".contains(body)) {
            return "closing bracket";
        }
        if (!body.isEmpty() && body.chars().anyMatch(Character::isDigit)) {
            return "digit";
        }
        if (body.isEmpty()) {
            return "space or newline";
        }
        if (body.chars().noneMatch(Character::isLetterOrDigit)) {
            return "punctuation";
        }
        return Character.isWhitespace(tok.charAt(0)) ? "word start" : "word part";
    }
}
