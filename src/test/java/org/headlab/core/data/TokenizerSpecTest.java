package org.headlab.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.headlab.core.HeadLabException;
import org.headlab.core.Json;
import org.junit.jupiter.api.Test;

/** run.json's tokenizer entry: the optional {@code brackets} list of the run's bracket pairs. */
class TokenizerSpecTest {

    @Test
    void bracketsRoundTripAndDefaultWhenAbsent() throws Exception {
        TokenizerSpec plain = TokenizerSpec.chars(List.of("<bos>", "(", ")"), "<bos>");
        assertEquals(BracketPair.DEFAULTS, plain.bracketPairs());
        assertFalse(Json.mapper().writeValueAsString(plain).contains("brackets"), "absent stays absent");

        List<BracketPair> pairs = List.of(new BracketPair("(", ")"), new BracketPair("[", ")"));
        TokenizerSpec declared = plain.withBrackets(pairs);
        String json = Json.mapper().writeValueAsString(declared);
        assertTrue(json.contains("\"brackets\":[[\"(\",\")\"],[\"[\",\")\"]]"), json);
        TokenizerSpec back = Json.mapper().readValue(json, TokenizerSpec.class);
        assertEquals(declared, back);
        assertEquals(pairs, back.bracketPairs());
    }

    @Test
    void badBracketEntriesAreUserErrors() throws Exception {
        for (String brackets : List.of("[[\"(\"]]", "[[\"(\", \"(\"]]", "[[\"(\", \")\"], [\"(\", \"]\"]]",
                "[[\"(\", \")\"], [\")\", \"]\"]]")) {
            TokenizerSpec s = Json.mapper().readValue("{\"type\": \"char\", \"vocab\": [\"(\"], \"brackets\": "
                    + brackets + "}", TokenizerSpec.class);
            assertThrows(HeadLabException.class, s::bracketPairs, brackets);
        }
    }
}
