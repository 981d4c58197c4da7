package org.headlab.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Token kinds on a hand-built window: each rule, and induction before the others. */
class TokenKindsTest {
    @Test
    void tokenKindsFollowTheirRulesInOrder() {
        List<String> vocab = List.of("<bos>", " the", "cat", "(", ")", "7", ".", " ", "sat");
        int[] w = {0, 1, 2, 8, 1, 2, 3, 4, 5, 6, 7};
        assertEquals("word start", TokenKinds.of(w, 1, vocab));
        assertEquals("word part", TokenKinds.of(w, 2, vocab));
        assertEquals("induction", TokenKinds.of(w, 5, vocab), "' the' → 'cat' occurred before");
        assertEquals("opening bracket", TokenKinds.of(w, 6, vocab));
        assertEquals("closing bracket", TokenKinds.of(w, 7, vocab));
        assertEquals("digit", TokenKinds.of(w, 8, vocab));
        assertEquals("punctuation", TokenKinds.of(w, 9, vocab));
        assertEquals("space or newline", TokenKinds.of(w, 10, vocab));
    }
}
