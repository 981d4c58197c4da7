package org.headlab.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.headlab.core.HeadLabException;
import org.headlab.core.data.HfTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The BPE trainer against a merge sequence worked out by hand, and its tokenizer.json against the Rust tokenizers
 * library (through DJL): the library must encode every text to exactly the ids of our reference encoder.
 */
class BpeTokenizerTrainerTest {
    @TempDir
    Path tmp;

    static final List<String> ALPHABET = TextCorpus.VOCAB.subList(1, TextCorpus.VOCAB.size());

    @Test
    void learnsTheMergesWorkedOutByHand() {
        // "aaabdaaabac" is one pre-token. Pairs: aa x4, ab x2, others once -> merge aa. Then (aa,a) and (a,b) both
        // occur twice; the tie goes to the pair of lower ids, (a,b). Then (aa,ab) occurs twice -> aaab. Then no pair
        // occurs twice, so training stops below the requested size.
        BpeTokenizerTrainer.Bpe bpe = BpeTokenizerTrainer.train(List.of("aaabdaaabac"), ALPHABET, "<bos>", 500);
        List<String> added = bpe.vocab().subList(1 + ALPHABET.size(), bpe.vocab().size());
        assertEquals(List.of("aa", "ab", "aaab"), added);
        List<String> merges = bpe.merges().stream()
                .map(m -> bpe.vocab().get(m[0]) + "+" + bpe.vocab().get(m[1])).toList();
        assertEquals(List.of("a+a", "a+b", "aa+ab"), merges);
        int[] ids = bpe.encode("aaabdaaabac");
        assertEquals(List.of("aaab", "d", "aaab", "a", "c"),
                java.util.Arrays.stream(ids).mapToObj(bpe.vocab()::get).toList());
    }

    @Test
    void preTokensSplitWordsWithTheirLeadingSpaceAndKeepEveryCharacter() {
        String text = "def f(x):\n    return x's  + 12\n";
        List<String> p = BpeTokenizerTrainer.preTokens(text);
        assertEquals(text, String.join("", p));
        assertEquals(List.of("def", " f", "(", "x", "):", "\n   ", " return", " x", "'s", " ", " +", " 12", "\n"), p);
    }

    @Test
    void theRustTokenizersEncodeExactlyLikeTheReferenceEncoder() throws IOException {
        List<String> texts = corpus();
        BpeTokenizerTrainer.Bpe bpe = BpeTokenizerTrainer.train(texts, ALPHABET, "<bos>", 400);
        assertEquals(400, bpe.vocab().size(), "the corpus is large enough for 400 tokens");
        assertTrue(bpe.vocab().contains(" the") || bpe.vocab().contains("    "), "common pieces became tokens");
        Path file = Files.writeString(tmp.resolve("tokenizer.json"), bpe.toTokenizerJson());
        HfTokenizer hf = new HfTokenizer(file, "<bos>");
        assertEquals(0, hf.bosId());
        assertEquals(400, hf.vocabSize());
        for (String t : texts) {
            int[] mine = bpe.encode(t);
            int[] theirs = hf.encode(t);
            assertArrayEquals(mine, theirs, () -> "Rust and Java encodings differ: " + firstDifference(bpe, mine,
                    theirs));
            assertTrue(mine.length < 0.7 * t.length(), "sub-words are longer than characters");
        }
        assertTrue(bpe.vocab().contains(" the"), "the commonest English word is one token");
        assertEquals(List.of(" the", " the"), hf.tokenStrings(hf.encode(" the the")), "display strings");
    }

    @Test
    void chunksEndOnPreTokenBoundariesAndEncodeWithinTheLimit() throws IOException {
        List<String> texts = corpus();
        BpeTokenizerTrainer.Bpe bpe = BpeTokenizerTrainer.train(texts, ALPHABET, "<bos>", 300);
        HfTokenizer hf = new HfTokenizer(Files.writeString(tmp.resolve("tokenizer.json"), bpe.toTokenizerJson()),
                "<bos>");
        String all = String.join("\n\n", texts);
        List<String> chunks = BpeTokenizerTrainer.chunks(all, bpe, 31);
        assertTrue(chunks.size() > 10);
        assertTrue(all.startsWith(String.join("", chunks)), "chunks are consecutive");
        int full = 0;
        for (String c : chunks) {
            int n = hf.encode(c).length;
            assertTrue(n <= 31, "chunk of " + n + " tokens");
            if (n >= 28) {
                full++;
            }
        }
        assertTrue(full > chunks.size() / 2, "chunks are nearly full");
    }

    @Test
    void refusesCharactersOutsideTheAlphabetAndTooSmallVocabularies() {
        HeadLabException e = assertThrows(HeadLabException.class,
                () -> BpeTokenizerTrainer.train(List.of("caf\u00e9"), ALPHABET, "<bos>", 200));
        assertTrue(e.getMessage().contains("U+00E9"), e.getMessage());
        e = assertThrows(HeadLabException.class,
                () -> BpeTokenizerTrainer.train(List.of("abc"), ALPHABET, "<bos>", 10));
        assertTrue(e.getMessage().contains("--vocab-size 10"), e.getMessage());
    }

    static String firstDifference(BpeTokenizerTrainer.Bpe bpe, int[] a, int[] b) {
        int i = 0;
        while (i < Math.min(a.length, b.length) && a[i] == b[i]) {
            i++;
        }
        int from = Math.max(0, i - 3);
        return "at token " + i + ": Java " + tokens(bpe, a, from, i + 4) + " vs Rust " + tokens(bpe, b, from, i + 4);
    }

    static List<String> tokens(BpeTokenizerTrainer.Bpe bpe, int[] ids, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int k = from; k < Math.min(to, ids.length); k++) {
            out.add(bpe.vocab().get(ids[k]));
        }
        return out;
    }

    /** This project's own sources (code) and README (text), normalised like the lm corpus. */
    static List<String> corpus() throws IOException {
        List<String> out = new ArrayList<>();
        for (String f : List.of("README.md", "src/main/java/org/headlab/train/Trainer.java",
                "src/main/java/org/headlab/train/TextCorpus.java")) {
            StringBuilder sb = new StringBuilder();
            TextCorpus.normalise(Files.readString(Path.of(f)), sb);
            out.add(sb.toString());
        }
        return out;
    }
}
