package org.headlab.core.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A tokenizer with an explicit vocabulary list from run.json: the id of a token is its index in the list. Holds
 * what the character and bracket tokenizers share; they differ only in how text splits into tokens.
 */
abstract class VocabularyTokenizer implements Tokenizer {
    private final List<String> vocab;
    private final Map<String, Integer> ids;
    private final int bosId;

    /** @param bos the beginning-of-sequence entry of {@code vocab}, or null for none */
    VocabularyTokenizer(List<String> vocab, String bos, String type) {
        this.vocab = List.copyOf(Tokenizers.checkVocab(vocab, type));
        this.ids = Tokenizers.indexOf(this.vocab);
        this.bosId = Tokenizers.bosIdIn(ids, bos);
    }

    /** The id of {@code token}, or null when the vocabulary lacks it. */
    final Integer idOf(String token) {
        return ids.get(token);
    }

    @Override
    public final List<String> tokenStrings(int[] tokenIds) {
        List<String> out = new ArrayList<>(tokenIds.length);
        for (int id : tokenIds) {
            out.add(vocab.get(Tokenizers.checkId(id, vocab.size())));
        }
        return out;
    }

    @Override
    public final int vocabSize() {
        return vocab.size();
    }

    @Override
    public final int bosId() {
        return bosId;
    }

    public final List<String> vocab() {
        return vocab;
    }
}
