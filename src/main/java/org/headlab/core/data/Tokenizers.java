package org.headlab.core.data;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.headlab.core.HeadLabException;

/** Builds the tokenizer a run.json {@code tokenizer} entry describes, refusing a bad entry with one clear message. */
public final class Tokenizers {

    private Tokenizers() {
    }

    /**
     * @param runDir the run folder; a huggingface {@code file} is resolved against it
     */
    public static Tokenizer create(TokenizerSpec spec, Path runDir) {
        if (spec == null) {
            throw new HeadLabException("run.json has no tokenizer entry");
        }
        if (spec.type() == null || spec.type().isBlank()) {
            throw new HeadLabException("run.json tokenizer has no type (expected char, bracket or huggingface)");
        }
        String type = spec.type().strip().toLowerCase(Locale.ROOT);
        switch (type) {
            case "char":
                return new CharTokenizer(spec.vocab(), spec.bos());
            case "bracket":
                return new BracketTokenizer(spec.vocab(), spec.bos());
            case "huggingface":
                if (spec.file() == null || spec.file().isBlank()) {
                    throw new HeadLabException("run.json tokenizer of type huggingface needs a \"file\""
                            + " (a tokenizer.json in the run folder)");
                }
                return new HfTokenizer(runDir.resolve(spec.file()), spec.bos());
            default:
                throw new HeadLabException("run.json tokenizer type '" + spec.type()
                        + "' is unknown (expected char, bracket or huggingface)");
        }
    }

    static List<String> checkVocab(List<String> vocab, String type) {
        if (vocab == null || vocab.isEmpty()) {
            throw new HeadLabException("run.json tokenizer of type " + type + " needs a non-empty \"vocab\" list");
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            String t = vocab.get(i);
            if (t == null || t.isEmpty()) {
                throw new HeadLabException("run.json tokenizer vocab entry " + i + " is empty");
            }
            Integer first = seen.putIfAbsent(t, i);
            if (first != null) {
                throw new HeadLabException("run.json tokenizer vocab lists '" + t + "' twice (entries " + first
                        + " and " + i + ")");
            }
        }
        return vocab;
    }

    static Map<String, Integer> indexOf(List<String> vocab) {
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            ids.put(vocab.get(i), i);
        }
        return Map.copyOf(ids);
    }

    static int bosIdIn(Map<String, Integer> ids, String bos) {
        if (bos == null) {
            return -1;
        }
        Integer id = ids.get(bos);
        if (id == null) {
            throw new HeadLabException("run.json tokenizer bos '" + bos + "' is not in the tokenizer's vocabulary");
        }
        return id;
    }

    static int checkId(int id, int vocabSize) {
        if (id < 0 || id >= vocabSize) {
            throw new HeadLabException("token id " + id + " is outside the vocabulary (ids 0.." + (vocabSize - 1)
                    + ")");
        }
        return id;
    }
}
