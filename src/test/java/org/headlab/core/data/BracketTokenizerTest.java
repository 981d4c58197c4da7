package org.headlab.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.headlab.core.HeadLabException;
import org.junit.jupiter.api.Test;

/** Checks the bracket tokenizer against token lists and ids written out by hand. */
class BracketTokenizerTest {

    private static final List<String> VOCAB = List.of("<bos>", "(", ")", "[", "]", "{", "}", "<", ">",
            "+", "-", "*", "/", "=", "x", "3", "12", "foo_2");
    private final BracketTokenizer tok = new BracketTokenizer(VOCAB, "<bos>");

    @Test
    void splitsAnSExpressionIntoBracketsOperatorsIntegersAndAtoms() {
        assertEquals(List.of("(", "+", "12", "(", "*", "x", "3", ")", ")"), BracketTokenizer.split("(+ 12 (* x 3))"));
        assertEquals(List.of("[", "{", "<", "foo_2", ">", "}", "]", "=", "12", "-", "3", "/", "x"),
                BracketTokenizer.split(" [{<foo_2>}]\n=12-3/x\t"));
        assertEquals(List.of(), BracketTokenizer.split("   "));
    }

    @Test
    void encodesByVocabularyPosition() {
        assertArrayEquals(new int[] {1, 9, 16, 1, 11, 14, 15, 2, 2}, tok.encode("(+ 12 (* x 3))"));
        assertEquals(0, tok.bosId());
    }

    @Test
    void decodeWritesSExpressionStyleAndRoundTrips() {
        int[] ids = tok.encode("( +  12 (*   x 3 ) )");
        assertEquals("(+ 12 (* x 3))", tok.decode(ids));
        assertArrayEquals(ids, tok.encode(tok.decode(ids)));
        int[] adjacentAtoms = {14, 15, 16, 17, 3, 4, 7, 14, 8};
        assertArrayEquals(adjacentAtoms, tok.encode(tok.decode(adjacentAtoms)));
    }

    @Test
    void unknownTokenIsNamedInTheError() {
        HeadLabException e = assertThrows(HeadLabException.class, () -> tok.encode("(+ 12 y)"));
        assertTrue(e.getMessage().contains("'y'") && e.getMessage().contains("token 3"), e.getMessage());
    }
}
