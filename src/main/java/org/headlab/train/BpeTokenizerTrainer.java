package org.headlab.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.headlab.core.HeadLabException;
import org.headlab.core.Json;

/**
 * Learns a byte-pair encoding from a corpus and writes it as a HuggingFace {@code tokenizer.json}, so a language-model
 * run ships a real sub-word tokenizer that HeadLab reads through {@link org.headlab.core.data.HfTokenizer} and Python
 * reads with {@code tokenizers.Tokenizer.from_file}.
 *
 * <p>Why sub-words and not characters: an induction head copies the token that followed an earlier occurrence of the
 * current token. With characters the current token ('e') occurs a dozen times in every window, so single-token
 * copying is nearly useless and induction heads form late if at all; with sub-words a repeated name or identifier is
 * a rare token whose earlier successor is an excellent guess (the paper's models use a 5,000-token BPE).
 *
 * <p>The text is first split into pre-tokens with GPT-2's pattern ({@link #PRE_TOKENIZER}: a word with its leading
 * space, a number, a run of punctuation, whitespace); merges never cross a pre-token boundary. Training is the
 * classic algorithm: start from the characters, repeatedly merge the most frequent adjacent pair (ties: the pair of
 * lower ids), until the vocabulary has the requested size or no pair occurs twice. The alphabet is fixed (the
 * corpus is normalised to it beforehand), so there is no unknown token and no byte fallback.
 */
public final class BpeTokenizerTrainer {

    /** GPT-2's pre-tokenizer pattern (the same regex in Java and in the Rust tokenizers' Oniguruma for ASCII text). */
    public static final String PRE_TOKENIZER =
            "'(?:[sdmt]|ll|ve|re)| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    private static final Pattern PRE = Pattern.compile(PRE_TOKENIZER);

    private BpeTokenizerTrainer() {
    }

    /** The pre-tokens of {@code text}, in order; they concatenate back to {@code text}. */
    public static List<String> preTokens(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = PRE.matcher(text);
        int end = 0;
        while (m.find()) {
            if (m.start() > end) {
                out.add(text.substring(end, m.start())); // cannot happen for this pattern; kept for safety
            }
            out.add(m.group());
            end = m.end();
        }
        if (end < text.length()) {
            out.add(text.substring(end));
        }
        return out;
    }

    /** A learned encoding. */
    public static final class Bpe {
        private final List<String> vocab;
        private final List<int[]> merges;
        private final String bos;
        /** Token id by text and merge rank by id pair, built once: every encode, chunk and prefix reads them. */
        private final Map<String, Integer> ids = new HashMap<>();
        private final Map<Long, Integer> rank = new HashMap<>();

        /**
         * @param vocab the tokens by id: the BOS, the alphabet, then the merged tokens
         * @param merges the merges by rank, each as the ids of its left and right part
         */
        public Bpe(List<String> vocab, List<int[]> merges, String bos) {
            this.vocab = List.copyOf(vocab);
            this.merges = List.copyOf(merges);
            this.bos = bos;
            for (int i = 0; i < this.vocab.size(); i++) {
                ids.putIfAbsent(this.vocab.get(i), i);
            }
            for (int r = 0; r < this.merges.size(); r++) {
                rank.putIfAbsent(pair(this.merges.get(r)[0], this.merges.get(r)[1]), r);
            }
        }

        public List<String> vocab() {
            return vocab;
        }

        public List<int[]> merges() {
            return merges;
        }

        public String bos() {
            return bos;
        }

        /**
         * The reference encoding (what the Rust tokenizers must reproduce): per pre-token, start from its
         * characters and apply the lowest-ranked merge present, leftmost first, until none applies.
         */
        public int[] encode(String text) {
            List<Integer> out = new ArrayList<>();
            for (String piece : preTokens(text)) {
                for (int id : encodePiece(piece)) {
                    out.add(id);
                }
            }
            return out.stream().mapToInt(Integer::intValue).toArray();
        }

        int[] encodePiece(String piece) {
            List<Integer> symbols = new ArrayList<>(piece.length());
            for (int i = 0; i < piece.length(); i++) {
                Integer id = ids.get(String.valueOf(piece.charAt(i)));
                if (id == null) {
                    throw new HeadLabException("character " + describe(piece.charAt(i)) + " is not in the "
                            + "tokenizer's alphabet");
                }
                symbols.add(id);
            }
            while (symbols.size() > 1) {
                int bestAt = -1;
                int bestRank = Integer.MAX_VALUE;
                for (int i = 0; i + 1 < symbols.size(); i++) {
                    Integer r = rank.get(pair(symbols.get(i), symbols.get(i + 1)));
                    if (r != null && r < bestRank) {
                        bestRank = r;
                        bestAt = i;
                    }
                }
                if (bestAt < 0) {
                    break;
                }
                String merged = vocab.get(symbols.get(bestAt)) + vocab.get(symbols.get(bestAt + 1));
                symbols.set(bestAt, ids.get(merged));
                symbols.remove(bestAt + 1);
            }
            return symbols.stream().mapToInt(Integer::intValue).toArray();
        }

        /**
         * The HuggingFace {@code tokenizer.json}: a BPE model (merges as pairs of strings, since tokens may contain
         * spaces), GPT-2's split as a {@code Split} pre-tokenizer, the BOS as a plain vocabulary entry, no normalizer
         * and no post-processor (HeadLab adds the BOS itself).
         */
        public String toTokenizerJson() {
            ObjectNode root = Json.mapper().createObjectNode();
            root.put("version", "1.0");
            root.putNull("truncation");
            root.putNull("padding");
            // The BOS is only a vocabulary entry, not an added token: an added token is matched in the raw text, so a
            // source file that mentions "<bos>" would be read as the BOS itself.
            root.putArray("added_tokens");
            root.putNull("normalizer");
            ObjectNode pre = root.putObject("pre_tokenizer");
            pre.put("type", "Split");
            pre.putObject("pattern").put("Regex", PRE_TOKENIZER);
            pre.put("behavior", "Isolated");
            pre.put("invert", false);
            root.putNull("post_processor");
            root.putObject("decoder").put("type", "Fuse");
            ObjectNode model = root.putObject("model");
            model.put("type", "BPE");
            model.putNull("dropout");
            model.putNull("unk_token");
            model.putNull("continuing_subword_prefix");
            model.putNull("end_of_word_suffix");
            model.put("fuse_unk", false);
            model.put("byte_fallback", false);
            ObjectNode v = model.putObject("vocab");
            for (int i = 0; i < vocab.size(); i++) {
                v.put(vocab.get(i), i);
            }
            ArrayNode m = model.putArray("merges");
            for (int[] merge : merges) {
                m.addArray().add(vocab.get(merge[0])).add(vocab.get(merge[1]));
            }
            try {
                return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Learns merges from {@code texts} until the vocabulary (BOS and alphabet included) has {@code vocabSize}
     * tokens, or no adjacent pair occurs twice.
     *
     * @param alphabet the single characters every text is made of; a text with another character is refused
     * @param bos the beginning-of-sequence token (id 0), or null for none
     */
    public static Bpe train(List<String> texts, List<String> alphabet, String bos, int vocabSize) {
        List<String> vocab = new ArrayList<>();
        if (bos != null) {
            vocab.add(bos);
        }
        for (String a : alphabet) {
            if (a.length() != 1) {
                throw new HeadLabException("BPE alphabet entries must be single characters, got '" + a + "'");
            }
            if (!vocab.contains(a)) {
                vocab.add(a);
            }
        }
        if (vocabSize < vocab.size()) {
            throw new HeadLabException("--vocab-size " + vocabSize + " is smaller than the alphabet and BOS ("
                    + vocab.size() + " tokens)");
        }
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            ids.put(vocab.get(i), i);
        }
        // distinct pre-tokens with their counts; a TreeMap so the word order (and so ties) never depends on hashing
        Map<String, long[]> counts = new TreeMap<>();
        for (String t : texts) {
            for (String p : preTokens(t)) {
                counts.computeIfAbsent(p, k -> new long[1])[0]++;
            }
        }
        int n = counts.size();
        int[][] words = new int[n][];
        long[] freq = new long[n];
        int w = 0;
        for (Map.Entry<String, long[]> e : counts.entrySet()) {
            String p = e.getKey();
            int[] s = new int[p.length()];
            for (int i = 0; i < p.length(); i++) {
                Integer id = ids.get(String.valueOf(p.charAt(i)));
                if (id == null) {
                    throw new HeadLabException("the corpus has character " + describe(p.charAt(i))
                            + ", which is not in the tokenizer's alphabet");
                }
                s[i] = id;
            }
            words[w] = s;
            freq[w] = e.getValue()[0];
            w++;
        }
        Map<Long, long[]> pairCount = new HashMap<>();
        Map<Long, Set<Integer>> where = new HashMap<>();
        for (int i = 0; i < n; i++) {
            addPairs(words[i], freq[i], i, pairCount, where);
        }
        List<int[]> merges = new ArrayList<>();
        while (vocab.size() < vocabSize) {
            long best = -1;
            long bestCount = 1; // a pair must occur at least twice to be worth a token
            for (Map.Entry<Long, long[]> e : pairCount.entrySet()) {
                long c = e.getValue()[0];
                if (c > bestCount || (c == bestCount && c > 1 && Long.compareUnsigned(e.getKey(), best) < 0)) {
                    best = e.getKey();
                    bestCount = c;
                }
            }
            if (best == -1) {
                break;
            }
            int left = (int) (best >>> 32);
            int right = (int) best;
            String merged = vocab.get(left) + vocab.get(right);
            if (merged.equals(bos)) { // text spelling the BOS must stay text
                pairCount.remove(best);
                where.remove(best);
                continue;
            }
            Integer id = ids.get(merged);
            if (id == null) { // another merge path may have made this string already; one id per string
                id = vocab.size();
                vocab.add(merged);
                ids.put(merged, id);
            }
            merges.add(new int[] {left, right});
            for (int i : new ArrayList<>(where.getOrDefault(best, Set.of()))) {
                int[] s = words[i];
                int[] t = mergeAll(s, left, right, id);
                if (t.length == s.length) {
                    continue; // a stale index entry
                }
                removePairs(s, freq[i], pairCount);
                words[i] = t;
                addPairs(t, freq[i], i, pairCount, where);
            }
            pairCount.remove(best);
            where.remove(best);
        }
        return new Bpe(vocab, merges, bos);
    }

    /** Merges every non-overlapping (left, right) occurrence, left to right. */
    static int[] mergeAll(int[] s, int left, int right, int id) {
        int[] out = new int[s.length];
        int k = 0;
        for (int i = 0; i < s.length; i++) {
            if (i + 1 < s.length && s[i] == left && s[i + 1] == right) {
                out[k++] = id;
                i++;
            } else {
                out[k++] = s[i];
            }
        }
        return k == s.length ? s : java.util.Arrays.copyOf(out, k);
    }

    private static void addPairs(int[] s, long f, int word, Map<Long, long[]> pairCount, Map<Long, Set<Integer>> where) {
        for (int i = 0; i + 1 < s.length; i++) {
            long p = pair(s[i], s[i + 1]);
            pairCount.computeIfAbsent(p, k -> new long[1])[0] += f;
            where.computeIfAbsent(p, k -> new HashSet<>()).add(word);
        }
    }

    private static void removePairs(int[] s, long f, Map<Long, long[]> pairCount) {
        for (int i = 0; i + 1 < s.length; i++) {
            long p = pair(s[i], s[i + 1]);
            long[] c = pairCount.get(p);
            c[0] -= f;
            if (c[0] <= 0) {
                pairCount.remove(p);
            }
        }
    }

    static long pair(int left, int right) {
        return ((long) left << 32) | (right & 0xffffffffL);
    }

    /**
     * Cuts {@code text} into consecutive chunks of at most {@code maxTokens} tokens, each ending on a pre-token
     * boundary (so a chunk encodes to exactly the tokens it was counted with); the incomplete tail is left out.
     */
    public static List<String> chunks(String text, Bpe bpe, int maxTokens) {
        if (maxTokens < 1) {
            throw new HeadLabException("chunk size must be at least 1 token, got " + maxTokens);
        }
        Map<String, Integer> length = new LinkedHashMap<>();
        List<String> out = new ArrayList<>();
        StringBuilder chunk = new StringBuilder();
        int tokens = 0;
        for (String piece : preTokens(text)) {
            int len = length.computeIfAbsent(piece, p -> bpe.encodePiece(p).length);
            if (len > maxTokens) {
                throw new HeadLabException("a single word of " + len + " tokens does not fit in a chunk of "
                        + maxTokens + " tokens");
            }
            if (tokens + len > maxTokens) {
                out.add(chunk.toString());
                chunk.setLength(0);
                tokens = 0;
            }
            chunk.append(piece);
            tokens += len;
        }
        return out;
    }

    /**
     * The longest run of whole pre-tokens at the start of {@code text} that encodes to at most {@code maxTokens}
     * tokens (the first pre-token alone when even it is longer).
     */
    public static String prefix(String text, Bpe bpe, int maxTokens) {
        StringBuilder out = new StringBuilder();
        int tokens = 0;
        for (String piece : preTokens(text)) {
            int len = bpe.encodePiece(piece).length;
            if (tokens > 0 && tokens + len > maxTokens) {
                break;
            }
            out.append(piece);
            tokens += len;
        }
        return out.toString();
    }

    private static String describe(char c) {
        return c >= ' ' && c <= '~' ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }
}
