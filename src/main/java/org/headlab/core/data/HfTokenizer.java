package org.headlab.core.data;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.headlab.core.HeadLabException;
import org.headlab.core.DjlOffline;

/**
 * A HuggingFace {@code tokenizer.json}, encoded by the Rust tokenizers library through DJL (its native library is
 * inside the DJL jar; offline mode keeps DJL from looking for a CUDA build to download).
 *
 * <p>{@code encode} adds no special tokens: the model's input gets a BOS only where the run says so (through
 * {@link #bosId()}), never because the tokenizer's post-processor would add {@code [CLS]} or {@code <s>}.
 * DJL has no id-to-token call, so the display strings come from the vocabulary in the file itself (model vocab plus
 * added tokens); they are the raw tokens ({@code Ġthe} for GPT-2), which is what the tokenizer really saw.
 */
public final class HfTokenizer implements Tokenizer {

    private final Path file;
    private final HuggingFaceTokenizer tokenizer;
    private final String[] tokenById;
    private final int bosId;

    /** @param bos a token of the file's vocabulary to use as beginning-of-sequence, or null for none */
    public HfTokenizer(Path file, String bos) {
        this.file = file;
        if (Files.isDirectory(file)) {
            throw new HeadLabException("tokenizer file " + file + " is a folder; name the tokenizer.json inside it");
        }
        if (!Files.isRegularFile(file)) {
            throw new HeadLabException("tokenizer file " + file + " does not exist");
        }
        this.tokenById = vocabulary(file);
        Map<String, Integer> ids = new HashMap<>();
        for (int id = 0; id < tokenById.length; id++) {
            if (tokenById[id] != null) {
                ids.putIfAbsent(tokenById[id], id);
            }
        }
        this.bosId = Tokenizers.bosIdIn(ids, bos);
        DjlOffline.enforce();
        try {
            // DJL truncates to the model's max length (512) unless told not to: a long input must keep every token
            this.tokenizer = HuggingFaceTokenizer.newInstance(file,
                    Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        } catch (IOException | RuntimeException e) {
            throw new HeadLabException("cannot read tokenizer file " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int[] encode(String text) {
        Encoding enc;
        try {
            enc = tokenizer.encode(text, false, false);
        } catch (RuntimeException e) {
            // e.g. a WordLevel model without an unk_token meeting an unknown word
            throw new HeadLabException("tokenizer " + file.getFileName() + " cannot encode the input: "
                    + e.getMessage(), e);
        }
        long[] ids = enc.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    @Override
    public List<String> tokenStrings(int[] ids) {
        List<String> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            String t = tokenById[Tokenizers.checkId(id, tokenById.length)];
            out.add(t != null ? t : "<" + id + ">");
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = Tokenizers.checkId(ids[i], tokenById.length);
        }
        return tokenizer.decode(longs, false);
    }

    /** One more than the largest id of the model vocabulary and the added tokens. */
    @Override
    public int vocabSize() {
        return tokenById.length;
    }

    @Override
    public int bosId() {
        return bosId;
    }

    /** The tokens the HuggingFace tokenizer splits {@code text} into, before the ids. */
    public List<String> tokenize(String text) {
        return tokenStrings(encode(text));
    }

    /** Token string by id of a tokenizer.json (model vocabulary and added tokens; gaps are null). */
    public static String[] vocabulary(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new HeadLabException("tokenizer file " + file + " is not valid JSON: " + e.getMessage(), e);
        }
        Map<Integer, String> byId = new HashMap<>();
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) {
            // WordLevel, WordPiece, BPE: {"token": id}
            for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                byId.put(e.getValue().asInt(), e.getKey());
            }
        } else if (vocab.isArray()) {
            // Unigram: [["token", score], ...], the id is the position
            for (int i = 0; i < vocab.size(); i++) {
                byId.put(i, vocab.get(i).path(0).asText());
            }
        } else {
            throw new HeadLabException("tokenizer file " + file + " has no model.vocab");
        }
        for (JsonNode added : root.path("added_tokens")) {
            if (added.has("id") && added.has("content")) {
                byId.put(added.get("id").asInt(), added.get("content").asText());
            }
        }
        int size = byId.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        if (size == 0 || byId.keySet().stream().anyMatch(id -> id < 0)) {
            throw new HeadLabException("tokenizer file " + file + " has an empty vocabulary or a negative id");
        }
        String[] tokens = new String[size];
        byId.forEach((id, t) -> tokens[id] = t);
        return tokens;
    }
}
