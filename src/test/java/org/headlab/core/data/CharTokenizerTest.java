package org.headlab.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.headlab.core.HeadLabException;
import org.junit.jupiter.api.Test;

/** Checks the character tokenizer against ids read off by hand from the vocabulary list below. */
class CharTokenizerTest {

    private static final List<String> VOCAB = List.of("<bos>", "(", ")", "[", "]", "a", "b", " ");
    private final CharTokenizer tok = new CharTokenizer(VOCAB, "<bos>");

    @Test
    void encodesOneIdPerCharacterByVocabularyPosition() {
        assertArrayEquals(new int[] {1, 5, 7, 3, 6, 4, 2}, tok.encode("(a [b])"));
        assertEquals(0, tok.bosId());
        assertEquals(8, tok.vocabSize());
    }

    @Test
    void decodeThenEncodeRoundTrips() {
        String text = "((a)[b]) ab";
        assertEquals(text, tok.decode(tok.encode(text)));
        int[] ids = {1, 1, 5, 2, 3, 6, 4, 2, 7};
        assertArrayEquals(ids, tok.encode(tok.decode(ids)));
    }

    @Test
    void specialTokensHaveDisplayStringsButAreNeverProducedByEncode() {
        assertEquals(List.of("<bos>", "a"), tok.tokenStrings(new int[] {0, 5}));
        // "<bos>" typed as text is five characters, and '<' is not in this vocabulary
        HeadLabException e = assertThrows(HeadLabException.class, () -> tok.encode("<bos>"));
        assertTrue(e.getMessage().contains("'<'") && e.getMessage().contains("position 0"), e.getMessage());
    }

    @Test
    void unknownCharacterNamesTheCharacterAndItsPosition() {
        HeadLabException e = assertThrows(HeadLabException.class, () -> tok.encode("ab(c)"));
        assertTrue(e.getMessage().contains("'c'") && e.getMessage().contains("position 3"), e.getMessage());
        HeadLabException tab = assertThrows(HeadLabException.class, () -> tok.encode("a\tb"));
        assertTrue(tab.getMessage().contains("U+0009") && tab.getMessage().contains("position 1"),
                tab.getMessage());
    }

    @Test
    void idOutsideTheVocabularyIsAClearError() {
        HeadLabException e = assertThrows(HeadLabException.class, () -> tok.decode(new int[] {8}));
        assertTrue(e.getMessage().contains("token id 8"), e.getMessage());
    }
}
