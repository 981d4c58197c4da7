package org.headlab.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.headlab.core.HeadLabException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Checks that each kind of bad run.json tokenizer entry is refused with one message naming what is wrong. */
class TokenizersTest {

    @TempDir
    Path runDir;

    @Test
    void buildsTheTokenizerTheTypeNames() {
        assertInstanceOf(CharTokenizer.class, Tokenizers.create(TokenizerSpec.chars(List.of("a"), null), runDir));
        assertInstanceOf(BracketTokenizer.class,
                Tokenizers.create(TokenizerSpec.brackets(List.of("(", ")"), null), runDir));
        assertInstanceOf(CharTokenizer.class,
                Tokenizers.create(new TokenizerSpec(" Char ", List.of("a"), null, null), runDir));
    }

    @Test
    void unknownType() {
        assertRefused(() -> Tokenizers.create(new TokenizerSpec("bpe", List.of("a"), null, null), runDir),
                "'bpe'", "unknown");
        assertRefused(() -> Tokenizers.create(new TokenizerSpec(null, List.of("a"), null, null), runDir),
                "no type");
        assertRefused(() -> Tokenizers.create(null, runDir), "no tokenizer");
    }

    @Test
    void missingVocab() {
        assertRefused(() -> Tokenizers.create(new TokenizerSpec("char", null, null, null), runDir), "char",
                "vocab");
        assertRefused(() -> Tokenizers.create(TokenizerSpec.brackets(List.of(), null), runDir), "bracket", "vocab");
    }

    @Test
    void duplicateVocabEntry() {
        assertRefused(() -> Tokenizers.create(TokenizerSpec.chars(List.of("a", "b", "a"), null), runDir),
                "'a' twice", "entries 0 and 2");
    }

    @Test
    void bosNotInVocab() {
        assertRefused(() -> Tokenizers.create(TokenizerSpec.brackets(List.of("(", ")"), "<bos>"), runDir),
                "'<bos>'", "not in");
    }

    @Test
    void huggingfaceWithoutFileOrWithMissingFile() {
        assertRefused(() -> Tokenizers.create(new TokenizerSpec("huggingface", null, null, null), runDir),
                "\"file\"");
        assertRefused(() -> Tokenizers.create(TokenizerSpec.huggingface("tok.json"), runDir), "tok.json",
                "does not exist");
    }

    private static void assertRefused(Executable create, String... mustMention) {
        HeadLabException e = assertThrows(HeadLabException.class, create);
        for (String s : mustMention) {
            assertTrue(e.getMessage().contains(s), () -> "'" + e.getMessage() + "' should mention " + s);
        }
        assertEquals(-1, e.getMessage().indexOf('\n'), "one line");
    }
}
