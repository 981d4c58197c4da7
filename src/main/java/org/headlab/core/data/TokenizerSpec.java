package org.headlab.core.data;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.headlab.core.HeadLabException;

/**
 * The {@code tokenizer} entry of run.json.
 *
 * <ul>
 *   <li>{@code {"type": "char", "vocab": ["<bos>", "a", "b", ...], "bos": "<bos>"}}: one token per character;
 *       entries longer than one character are special tokens that never come out of {@code encode}.</li>
 *   <li>{@code {"type": "bracket", "vocab": ["<bos>", "(", ")", "+", "0", ...], "bos": "<bos>"}}: brackets of
 *       several kinds, atoms, numbers and punctuation, split on brackets and whitespace.</li>
 *   <li>{@code {"type": "huggingface", "file": "tokenizer.json"}}: a HuggingFace tokenizer.json inside the run
 *       folder, read through DJL's tokenizers (offline).</li>
 * </ul>
 *
 * <p>Any type may declare {@code "brackets": [["(", ")"], ["[", ")"], ...]}: the run's bracket pairs (opening
 * token, closing token), which the attention views and bracket scores use instead of the defaults
 * {@code () [] {} <>}. Several openers may share one closer (see {@link TokenStructure}).
 *
 * @param bos the beginning-of-sequence token prepended to inputs, or null for none
 * @param brackets the run's bracket pairs as [open, close] lists, or null for {@link BracketPair#DEFAULTS}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TokenizerSpec(
        @JsonProperty("type") String type,
        @JsonProperty("vocab") List<String> vocab,
        @JsonProperty("file") String file,
        @JsonProperty("bos") String bos,
        @JsonProperty("brackets") List<List<String>> brackets) {

    public TokenizerSpec(String type, List<String> vocab, String file, String bos) {
        this(type, vocab, file, bos, null);
    }

    /** The same tokenizer declaring {@code pairs} as the run's bracket pairs. */
    public TokenizerSpec withBrackets(List<BracketPair> pairs) {
        return new TokenizerSpec(type, vocab, file, bos,
                pairs.stream().map(p -> List.of(p.open(), p.close())).toList());
    }

    /**
     * The run's bracket pairs: the declared {@code brackets}, else {@link BracketPair#DEFAULTS}.
     *
     * @throws HeadLabException when an entry is not a list of two different non-empty tokens or the pairs
     *     conflict (an opener in two pairs, a token that both opens and closes)
     */
    public List<BracketPair> bracketPairs() {
        if (brackets == null) {
            return BracketPair.DEFAULTS;
        }
        List<BracketPair> out = new java.util.ArrayList<>();
        for (List<String> b : brackets) {
            if (b == null || b.size() != 2) {
                throw new HeadLabException("tokenizer.brackets: each entry must be [open, close], got " + b);
            }
            out.add(new BracketPair(b.get(0), b.get(1)));
        }
        TokenStructure.of(List.of(), out); // refuses conflicting pairs with its message
        return List.copyOf(out);
    }

    public static TokenizerSpec chars(List<String> vocab, String bos) {
        return new TokenizerSpec("char", List.copyOf(vocab), null, bos, null);
    }

    public static TokenizerSpec brackets(List<String> vocab, String bos) {
        return new TokenizerSpec("bracket", List.copyOf(vocab), null, bos, null);
    }

    public static TokenizerSpec huggingface(String file) {
        return new TokenizerSpec("huggingface", null, file, null, null);
    }
}
