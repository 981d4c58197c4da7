package org.headlab.core.data;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

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
 * @param bos the beginning-of-sequence token prepended to inputs, or null for none
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TokenizerSpec(
        @JsonProperty("type") String type,
        @JsonProperty("vocab") List<String> vocab,
        @JsonProperty("file") String file,
        @JsonProperty("bos") String bos) {

    public static TokenizerSpec chars(List<String> vocab, String bos) {
        return new TokenizerSpec("char", List.copyOf(vocab), null, bos);
    }

    public static TokenizerSpec brackets(List<String> vocab, String bos) {
        return new TokenizerSpec("bracket", List.copyOf(vocab), null, bos);
    }

    public static TokenizerSpec huggingface(String file) {
        return new TokenizerSpec("huggingface", null, file, null);
    }
}
