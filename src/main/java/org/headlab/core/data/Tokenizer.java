package org.headlab.core.data;

import java.util.List;

/**
 * Text to token ids and back. Implementations: character-level, bracket / S-expression, and HuggingFace
 * tokenizer.json. A tokenizer is immutable and thread-safe.
 */
public interface Tokenizer {

    /** Token ids of {@code text}; a character or word the vocabulary cannot represent raises HeadLabException. */
    int[] encode(String text);

    /** The display string of each token (what axis labels show), one per id. */
    List<String> tokenStrings(int[] ids);

    /** Text whose encoding gives {@code ids} back where the tokenizer allows it. */
    String decode(int[] ids);

    int vocabSize();

    /** The beginning-of-sequence id prepended to model inputs, or -1 when the tokenizer has none. */
    int bosId();
}
