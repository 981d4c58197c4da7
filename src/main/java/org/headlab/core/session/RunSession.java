package org.headlab.core.session;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.headlab.core.HeadLabException;
import org.headlab.core.data.BracketPair;
import org.headlab.core.data.DyckGenerator;
import org.headlab.core.data.RepeatedTokenGenerator;
import org.headlab.core.data.RepeatedTokens;
import org.headlab.core.data.SExpressionGenerator;
import org.headlab.core.data.TaggedDyckGenerator;
import org.headlab.core.data.TokenStructure;
import org.headlab.core.data.Tokenizer;
import org.headlab.core.data.Tokenizers;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.DatasetRecord;
import org.headlab.core.run.DatasetRef;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.run.Run;

/**
 * An opened run with its tokenizer: what the CLI and the GUI work on. Encodes inputs the way the run's model saw
 * them (BOS first when the tokenizer has one) and computes attention maps. Thread-safe.
 *
 * <p>Attention maps run on live models kept per checkpoint (an LRU bounded by their weights' bytes,
 * {@link #DEFAULT_LIVE_MODEL_BYTES}), so that
 * scrubbing back and forth does not copy the checkpoint's weights into native memory again for every map (docs/
 * benchmarks.md, workbench responsiveness). A model evicted while a map is being computed on it is closed when that
 * computation ends; {@link #close()} frees them all.
 */
public final class RunSession implements AutoCloseable {
    private static final int GENERATED_MAX_TOKENS = 48;
    /**
     * Float32 weight bytes of the live models kept: every checkpoint of the sample runs (32 × 0.2 MB for dyck), a
     * handful around the scrubber for a model of 50 MB.
     */
    public static final long DEFAULT_LIVE_MODEL_BYTES = 256L << 20;

    private final Run run;
    private final Tokenizer tokenizer;
    private final String tokenizerType;
    private final List<BracketPair> bracketPairs;
    private final java.util.LinkedHashMap<Integer, LiveModel> liveModels = new java.util.LinkedHashMap<>(16, 0.75f,
            true);
    private long liveModelBudget = DEFAULT_LIVE_MODEL_BYTES;
    private long liveModelBytes;
    private boolean useLiveModels = true;
    private long liveModelBuilds;

    /** A cached model, its weights' bytes and how many computations are using it right now. */
    private static final class LiveModel {
        final Transformer model;
        final long bytes;
        int users;
        boolean evicted;

        LiveModel(Transformer model, long bytes) {
            this.model = model;
            this.bytes = bytes;
        }
    }

    private RunSession(Run run, Tokenizer tokenizer, List<BracketPair> bracketPairs) {
        this.run = run;
        this.tokenizer = tokenizer;
        this.tokenizerType = run.manifest().tokenizer().type();
        this.bracketPairs = bracketPairs;
    }

    public static RunSession open(Path dir) {
        Run run = Run.open(dir);
        if (run.manifest().tokenizer() == null) {
            throw new HeadLabException(dir.resolve(Run.MANIFEST_FILE) + ": field 'tokenizer' is missing");
        }
        Tokenizer tokenizer = Tokenizers.create(run.manifest().tokenizer(), run.dir());
        if (tokenizer.vocabSize() > run.config().dVocab()) {
            throw new HeadLabException(dir.resolve(Run.MANIFEST_FILE) + ": the tokenizer has "
                    + tokenizer.vocabSize() + " tokens but the model's d_vocab is " + run.config().dVocab());
        }
        List<BracketPair> pairs;
        try {
            pairs = run.manifest().tokenizer().bracketPairs();
        } catch (HeadLabException e) {
            throw new HeadLabException(dir.resolve(Run.MANIFEST_FILE) + ": " + e.getMessage());
        }
        return new RunSession(run, tokenizer, pairs);
    }

    public Run run() {
        return run;
    }

    /** Every token id's string, 0 … d_vocab − 1 (what the memorised-multigram analysis reads brackets from). */
    public List<String> vocabulary() {
        return tokenizer.tokenStrings(java.util.stream.IntStream.range(0, run.config().dVocab()).toArray());
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The run's bracket pairs: run.json's {@code tokenizer.brackets}, else the defaults {@code () [] {} <>}. */
    public List<BracketPair> bracketPairs() {
        return bracketPairs;
    }

    /** The bracket structure of {@code tokens} under this run's bracket pairs. */
    public TokenStructure structure(List<String> tokens) {
        return TokenStructure.of(tokens, bracketPairs);
    }

    public List<Integer> steps() {
        return run.steps();
    }

    /** The model's input for {@code text}: its tokens with the BOS first when the tokenizer has one. */
    public EncodedInput encode(String text) {
        if (text == null || text.isEmpty()) {
            throw new HeadLabException("the input is empty: type some text");
        }
        int[] body = tokenizer.encode(text);
        int bos = tokenizer.bosId();
        int[] ids = body;
        if (bos >= 0) {
            ids = new int[body.length + 1];
            ids[0] = bos;
            System.arraycopy(body, 0, ids, 1, body.length);
        }
        int nCtx = run.config().nCtx();
        if (ids.length > nCtx) {
            throw new HeadLabException("the input is " + ids.length + " tokens but this model's context (n_ctx) is "
                    + nCtx + " tokens");
        }
        if (ids.length == 0) {
            throw new HeadLabException("the input has no tokens");
        }
        List<String> tokens = tokenizer.tokenStrings(ids);
        return new EncodedInput(text, ids, tokens);
    }

    /** Attention patterns of every head at checkpoint {@code step} on {@code text}. */
    public AttentionResult attention(int step, String text) {
        EncodedInput input = encode(text);
        ModelConfig config = run.config();
        float[][][][] patterns;
        LiveModel live = acquire(step, config);
        try {
            patterns = live.model.attentionPatterns(input.ids());
        } finally {
            release(live);
        }
        return new AttentionResult(step, text, input.tokens(), input.ids(), patterns,
                structure(input.tokens()));
    }

    /** The live models' weight budget in bytes (0: keep none); shrinking evicts the least recently used. */
    public synchronized void setLiveModelBudget(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("live model budget must be >= 0, got " + bytes);
        }
        liveModelBudget = bytes;
        evictBeyond(bytes);
    }

    /**
     * Off: every map builds its own model and closes it (the behaviour before the cache), leaving the kept ones as
     * they are; for benchmarks that compare both in one process.
     */
    public synchronized void useLiveModels(boolean on) {
        useLiveModels = on;
    }

    /** Live models built so far (a scrub that reuses one builds none): for tests and benchmarks. */
    public synchronized long liveModelBuilds() {
        return liveModelBuilds;
    }

    /** Live models kept now. */
    public synchronized int liveModelCount() {
        return liveModels.size();
    }

    private LiveModel acquire(int step, ModelConfig config) {
        boolean keep;
        synchronized (this) {
            keep = useLiveModels;
            LiveModel cached = keep ? liveModels.get(step) : null;
            if (cached != null) {
                cached.users++;
                return cached;
            }
        }
        // built outside the lock: another step's map need not wait for this copy into native memory
        Map<String, HostTensor> weights = run.weights(step);
        LiveModel built = new LiveModel(Transformer.create(config, weights), bytesOf(weights));
        synchronized (this) {
            liveModelBuilds++;
            LiveModel raced = keep ? liveModels.get(step) : null;
            if (raced != null) {
                built.model.close(); // another thread built the same step meanwhile: use theirs
                raced.users++;
                return raced;
            }
            built.users++;
            if (!keep || built.bytes > liveModelBudget) {
                built.evicted = true; // not kept: closed when this computation releases it
            } else {
                liveModels.put(step, built);
                liveModelBytes += built.bytes;
                evictBeyond(liveModelBudget);
            }
            return built;
        }
    }

    private synchronized void release(LiveModel live) {
        live.users--;
        if (live.evicted && live.users == 0) {
            live.model.close();
        }
    }

    private void evictBeyond(long budget) {
        var it = liveModels.entrySet().iterator();
        while (liveModelBytes > budget && it.hasNext()) {
            LiveModel eldest = it.next().getValue();
            it.remove();
            liveModelBytes -= eldest.bytes;
            eldest.evicted = true;
            if (eldest.users == 0) {
                eldest.model.close();
            }
        }
    }

    private static long bytesOf(Map<String, HostTensor> weights) {
        long n = 0;
        for (HostTensor t : weights.values()) {
            n += (long) t.size() * Float.BYTES;
        }
        return n;
    }

    /** A first input to show: the start of the run's first dataset, or a generated Dyck string. */
    public String sampleInput() {
        for (DatasetRef d : run.datasets()) {
            for (DatasetRecord r : run.readDataset(d.name())) {
                if (r.hasText() && !r.text().isEmpty()) {
                    return fitToContext(r.text());
                }
            }
        }
        try {
            return generateInput(InputKind.DYCK, 1);
        } catch (HeadLabException e) {
            return "";
        }
    }

    /** Cuts a text down until it encodes within the model's context. */
    private String fitToContext(String text) {
        String t = text;
        int limit = run.config().nCtx() - (tokenizer.bosId() >= 0 ? 1 : 0);
        while (!t.isEmpty()) {
            try {
                if (tokenizer.encode(t).length <= Math.min(limit, 2 * GENERATED_MAX_TOKENS)) {
                    return t;
                }
            } catch (HeadLabException e) {
                return t; // encode errors are shown when the input is used
            }
            t = t.substring(0, t.length() * 3 / 4);
        }
        return t;
    }

    /** A new input of {@code kind} that this run's tokenizer can encode, from {@code seed}. */
    public String generateInput(InputKind kind, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int room = Math.min(GENERATED_MAX_TOKENS, run.config().nCtx() - (tokenizer.bosId() >= 0 ? 1 : 0));
        String text = switch (kind) {
            case DYCK -> {
                int tagged = TaggedDyckGenerator.kindsOf(bracketPairs);
                if (tagged > 0) {
                    int brackets = Math.max(2, (room * 2 / 3) - (room * 2 / 3) % 2);
                    yield new TaggedDyckGenerator(tagged, 4, Math.min(6, brackets), brackets, spaced()).sample(rng)
                            .text();
                }
                int kinds = bracketKinds();
                if (kinds == 0) {
                    throw new HeadLabException("this run's tokenizer has no bracket tokens, so it cannot encode "
                            + "Dyck strings");
                }
                int max = Math.max(2, room - room % 2);
                yield new DyckGenerator(kinds, 4, Math.min(8, max), max, spaced()).sample(rng).text();
            }
            case SEXPR -> SExpressionGenerator.withDepth(3).sample(rng).text();
            case REPEATED -> {
                int half = Math.max(1, Math.min(20, room / 2));
                RepeatedTokens r = RepeatedTokenGenerator.forTokenizer(tokenizer, half).sample(rng);
                int[] body = Arrays.copyOfRange(r.ids(), r.prefixLength(), r.ids().length);
                yield spaced() ? String.join(" ", tokenizer.tokenStrings(body)) : tokenizer.decode(body);
            }
            case DATASET -> {
                List<String> texts = new ArrayList<>();
                for (DatasetRef d : run.datasets()) {
                    run.readDataset(d.name()).stream().filter(DatasetRecord::hasText)
                            .forEach(rec -> texts.add(rec.text()));
                }
                if (texts.isEmpty()) {
                    throw new HeadLabException("this run has no dataset with texts to sample from");
                }
                yield fitToContext(texts.get(rng.nextInt(texts.size())));
            }
        };
        encode(text); // refuse here, with the tokenizer's message, rather than when the map is computed
        return text;
    }

    private boolean spaced() {
        return "bracket".equals(tokenizerType);
    }

    /** How many of the bracket kinds () [] {} <> the tokenizer can encode, counted in that order. */
    private int bracketKinds() {
        int kinds = 0;
        for (BracketPair p : BracketPair.DEFAULTS) {
            try {
                tokenizer.encode(p.open() + (spaced() ? " " : "") + p.close());
                kinds++;
            } catch (HeadLabException e) {
                break;
            }
        }
        return kinds;
    }

    /** One line about the run for a status bar. */
    public String describe() {
        ModelConfig c = run.config();
        List<Integer> s = steps();
        String range = s.isEmpty() ? "no checkpoints"
                : s.size() + " checkpoints, steps " + s.get(0) + " … " + s.get(s.size() - 1);
        return String.format(Locale.ROOT, "%s: %d layers × %d heads, d_model %d, %s%s, vocab %d, %s", run.name(),
                c.nLayers(), c.nHeads(), c.dModel(), c.attnOnly() ? "attention-only" : "with MLPs",
                c.positions() == ModelConfig.Positions.STANDARD && !c.parallelBlocks() ? ""
                        : ", " + c.positionsInWords(), c.dVocab(), range);
    }

    /** Frees the live models (native memory); the run's weight cache is plain Java memory. */
    @Override
    public synchronized void close() {
        evictBeyond(0);
    }

    /** An input as the model sees it. */
    public record EncodedInput(String text, int[] ids, List<String> tokens) {
    }
}
