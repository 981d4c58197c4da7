package org.headlab.core.data;

import java.util.List;
import java.util.OptionalInt;

/**
 * One generated input: its text, the tokens a bracket tokenizer (or, for unspaced Dyck text, a char tokenizer) makes
 * of it, their bracket structure, and the value the text denotes where it has one (an S-expression's value mod 7).
 */
public record GeneratedSequence(String text, List<String> tokens, TokenStructure structure, OptionalInt value) {

    public GeneratedSequence {
        tokens = List.copyOf(tokens);
    }

    static GeneratedSequence of(String text, List<String> tokens, OptionalInt value) {
        return new GeneratedSequence(text, tokens, TokenStructure.of(tokens), value);
    }
}
