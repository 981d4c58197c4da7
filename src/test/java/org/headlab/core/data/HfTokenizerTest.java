package org.headlab.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.headlab.core.HeadLabException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the HuggingFace tokenizer against a tokenizer.json written by hand below (WordLevel model, Whitespace
 * pre-tokenizer, a post-processor that would prepend {@code <bos>}): the expected ids are read off that vocabulary.
 * Loading it at all proves the native library comes out of the DJL jar with offline mode on (surefire sets it, and
 * the class sets it again).
 */
class HfTokenizerTest {

    static final String TOKENIZER_JSON = """
            {
              "version": "1.0",
              "truncation": null,
              "padding": null,
              "added_tokens": [
                {"id": 0, "content": "[UNK]", "single_word": false, "lstrip": false, "rstrip": false,
                 "normalized": false, "special": true},
                {"id": 1, "content": "<bos>", "single_word": false, "lstrip": false, "rstrip": false,
                 "normalized": false, "special": true}
              ],
              "normalizer": null,
              "pre_tokenizer": {"type": "Whitespace"},
              "post_processor": {
                "type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": "<bos>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
                "special_tokens": {"<bos>": {"id": "<bos>", "ids": [1], "tokens": ["<bos>"]}}
              },
              "decoder": null,
              "model": {
                "type": "WordLevel",
                "vocab": {"[UNK]": 0, "<bos>": 1, "(": 2, ")": 3, "+": 4, "1": 5, "12": 6, "x": 7},
                "unk_token": "[UNK]"
              }
            }
            """;

    @TempDir
    Path runDir;

    private Path writeTokenizer() throws IOException {
        return Files.writeString(runDir.resolve("tokenizer.json"), TOKENIZER_JSON);
    }

    @Test
    void encodesWordsToTheHandWrittenVocabularyIdsWithoutTheBosOfThePostProcessor() throws IOException {
        writeTokenizer();
        Tokenizer tok = Tokenizers.create(TokenizerSpec.huggingface("tokenizer.json"), runDir);

        assertArrayEquals(new int[] {2, 4, 6, 7, 3}, tok.encode("( + 12 x )"));
        assertEquals(List.of("(", "+", "12", "x", ")"), tok.tokenStrings(tok.encode("( + 12 x )")));
        assertEquals(8, tok.vocabSize());
        assertEquals(-1, tok.bosId());
    }

    @Test
    void unknownWordsBecomeTheUnkTokenAsTheFileAsks() throws IOException {
        writeTokenizer();
        Tokenizer tok = Tokenizers.create(TokenizerSpec.huggingface("tokenizer.json"), runDir);
        assertArrayEquals(new int[] {7, 0, 5}, tok.encode("x y 1"));
    }

    @Test
    void bosComesFromTheSpecAndIsNotAddedByEncode() throws IOException {
        writeTokenizer();
        Tokenizer tok = Tokenizers.create(new TokenizerSpec("huggingface", null, "tokenizer.json", "<bos>"), runDir);
        assertEquals(1, tok.bosId());
        assertArrayEquals(new int[] {7}, tok.encode("x"));
    }

    @Test
    void decodeGivesTheWordsBack() throws IOException {
        writeTokenizer();
        Tokenizer tok = Tokenizers.create(TokenizerSpec.huggingface("tokenizer.json"), runDir);
        String decoded = tok.decode(new int[] {2, 4, 6, 7, 3});
        assertArrayEquals(new int[] {2, 4, 6, 7, 3}, tok.encode(decoded));
    }

    @Test
    void bosMissingFromTheFileIsOneClearError() throws IOException {
        writeTokenizer();
        HeadLabException e = assertThrows(HeadLabException.class,
                () -> Tokenizers.create(new TokenizerSpec("huggingface", null, "tokenizer.json", "<s>"), runDir));
        assertTrue(e.getMessage().contains("'<s>'"), e.getMessage());
    }

    @Test
    void missingFileIsOneClearError() {
        HeadLabException e = assertThrows(HeadLabException.class,
                () -> Tokenizers.create(TokenizerSpec.huggingface("nothere.json"), runDir));
        assertTrue(e.getMessage().contains("nothere.json") && e.getMessage().contains("does not exist"),
                e.getMessage());
    }

    @Test
    void brokenJsonIsOneClearError() throws IOException {
        Files.writeString(runDir.resolve("tokenizer.json"), "{ not json");
        HeadLabException e = assertThrows(HeadLabException.class,
                () -> Tokenizers.create(TokenizerSpec.huggingface("tokenizer.json"), runDir));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }
}
