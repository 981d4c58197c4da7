package org.headlab.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.headlab.core.HeadLabException;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.run.ParameterCheck;

/**
 * A TransformerLens {@code HookedTransformer} forward pass (estimators.md §1.1, row-vector convention) on the DJL
 * PyTorch engine, with hooks, next-token loss, and gradients restricted to a {@link ParameterMask}.
 *
 * <p>The weights live in this object's own NDManager. Every call works in a sub-manager that is closed before it
 * returns, so nothing accumulates between calls. Calls on one instance are serialized; gradient calls on different
 * instances run in parallel ({@link ThreadAutograd}: autograd state is per thread, DJL's collector flag is not).
 *
 * <p>Two DJL bugs shape this code (djl-feasibility.md §3): a Java number given to NDArray arithmetic becomes a
 * temporary zero-copy tensor that autograd may read after it was freed, so every constant here is an NDArray that
 * outlives the backward pass; and BF16 kills the JVM, which cannot happen because weights arrive as float
 * {@link HostTensor}s.
 */
public final class Transformer implements AutoCloseable {

    /** TransformerLens' IGNORE: the score given to masked (future) positions before the softmax. */
    static final float MASKED_SCORE = -1e5f;


    final ModelConfig config;
    final NDManager manager;
    final Map<String, NDArray> params;
    final Constants constants;
    final Object lock = new Object();
    private final ModelConfig.Normalization normalization;
    final boolean shortformer;
    final boolean rotary;
    final boolean parallel;

    /** Test seam: runs between the forward and the backward pass of a gradient call (the GC regression test). */
    volatile Runnable beforeBackward;

    private Transformer(ModelConfig config, Map<String, HostTensor> weights, NDManager manager) {
        this.config = config;
        this.manager = manager;
        this.normalization = config.normalization();
        this.shortformer = config.shortformer();
        this.rotary = config.rotary();
        this.parallel = config.parallelBlocks();
        try {
            Map<String, NDArray> p = new LinkedHashMap<>();
            for (Map.Entry<String, int[]> e : config.parameterShapes().entrySet()) {
                HostTensor t = weights.get(e.getKey());
                NDArray a = manager.create(t.data(), shapeOf(t.shape()));
                a.setName(e.getKey());
                p.put(e.getKey(), a);
            }
            this.params = Collections.unmodifiableMap(p);
            this.constants = new Constants(manager, config);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** A model in its own root manager; {@link #close()} frees it. */
    public static Transformer create(ModelConfig config, Map<String, HostTensor> weights) {
        validate(config, weights);
        return new Transformer(config, weights, TorchEngine.newManager());
    }

    /** A model in a new child of {@code parent}: closing either frees it. */
    public static Transformer create(ModelConfig config, Map<String, HostTensor> weights, NDManager parent) {
        validate(config, weights);
        return new Transformer(config, weights, parent.newSubManager());
    }

    /** Checks that {@code weights} holds exactly the parameters {@code config} implies, with their shapes. */
    public static void validate(ModelConfig config, Map<String, HostTensor> weights) {
        config.validate("model config");
        ParameterCheck.checkWeights(config, weights, "weights");
    }

    public ModelConfig config() {
        return config;
    }

    /** Parameter names in config order. */
    public Set<String> parameterNames() {
        return params.keySet();
    }

    /**
     * The live engine array of one parameter, owned by this model: never close it. In-place updates (an SGLD step)
     * are allowed between calls; they must not run while another thread uses this model.
     */
    public NDArray parameter(String name) {
        NDArray a = params.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no parameter '" + name + "'");
        }
        return a;
    }

    /** A Java copy of every parameter, in config order. */
    public Map<String, HostTensor> weights() {
        synchronized (lock) {
            Map<String, HostTensor> out = new LinkedHashMap<>();
            params.forEach((n, a) -> out.put(n, ActivationCache.toHost(a)));
            return out;
        }
    }

    /** Overwrites the values of the given parameters (e.g. the next checkpoint of the same run). */
    public void setWeights(Map<String, HostTensor> weights) {
        Map<String, int[]> shapes = config.parameterShapes();
        for (Map.Entry<String, HostTensor> e : weights.entrySet()) {
            int[] shape = shapes.get(e.getKey());
            if (shape == null) {
                throw new HeadLabException("tensor '" + e.getKey() + "' is not a parameter of this model");
            }
            if (!e.getValue().sameShape(shape)) {
                throw new HeadLabException("tensor '" + e.getKey() + "' has shape "
                        + Arrays.toString(e.getValue().shape()) + " but the model has " + Arrays.toString(shape));
            }
        }
        synchronized (lock) {
            weights.forEach((n, t) -> params.get(n).set(FloatBuffer.wrap(t.data())));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Host-side API: Java arrays in and out.

    /** Logits and next-token losses of a batch of equally long sequences. */
    public ForwardResult forward(int[][] tokens) {
        return forward(tokens, null);
    }

    /** Like {@link #forward(int[][])} with an intervention hook. */
    public ForwardResult forward(int[][] tokens, ActivationHook hook) {
        return evaluate(tokens, hook, true);
    }

    /** Mean next-token cross-entropy of a batch (positions 0..T-2 of every sequence); logits stay on the engine. */
    public double loss(int[][] tokens) {
        requireLossLength(tokens);
        return evaluate(tokens, null, false).loss();
    }

    /** Next-token cross-entropy per sequence and predicting position, [B][T-1]. */
    public float[][] tokenLosses(int[][] tokens) {
        requireLossLength(tokens);
        return evaluate(tokens, null, false).tokenLosses();
    }

    /** Runs the batch; copies the logits ([B,T,V], large for big vocabularies) to Java only when asked to. */
    private ForwardResult evaluate(int[][] tokens, ActivationHook hook, boolean withLogits) {
        Batch batch = Batch.of(tokens, config);
        synchronized (lock) {
            try (NDManager sub = manager.newSubManager()) {
                Pass pass = new Pass(sub, hook, EnumSet.noneOf(HookPoint.class), params);
                pass.lossOnly = !withLogits;
                Outputs o = pass.run(batch);
                float[][][] logits = withLogits
                        ? reshape3(o.logits.toFloatArray(), batch.size, batch.length, config.dVocab())
                        : null;
                float[][] tokenLosses = new float[batch.size][0];
                double loss = Double.NaN;
                if (o.tokenLosses != null) {
                    tokenLosses = reshape2(o.tokenLosses.toFloatArray(), batch.size, batch.length - 1);
                    loss = o.loss.getFloat();
                }
                return new ForwardResult(logits, tokenLosses, loss);
            }
        }
    }

    /** Attention patterns of one sequence: [layer][head][query position][key position]. */
    public float[][][][] attentionPatterns(int[] tokens) {
        Map<ActivationCache.Key, HostTensor> rec = activations(new int[][] {tokens}, EnumSet.of(HookPoint.PATTERN),
                null);
        int t = tokens.length;
        float[][][][] out = new float[config.nLayers()][config.nHeads()][t][t];
        for (int l = 0; l < config.nLayers(); l++) {
            float[] d = rec.get(new ActivationCache.Key(HookPoint.PATTERN, l)).data();
            for (int h = 0; h < config.nHeads(); h++) {
                for (int q = 0; q < t; q++) {
                    System.arraycopy(d, (h * t + q) * t, out[l][h][q], 0, t);
                }
            }
        }
        return out;
    }

    /** Recorded activations in Java memory (after any replacement by {@code hook}, which may be null). */
    public Map<ActivationCache.Key, HostTensor> activations(int[][] tokens, Set<HookPoint> points,
            ActivationHook hook) {
        Batch batch = Batch.of(tokens, config);
        synchronized (lock) {
            try (NDManager sub = manager.newSubManager()) {
                Pass pass = new Pass(sub, hook, points, params);
                pass.run(batch);
                Map<ActivationCache.Key, HostTensor> out = new LinkedHashMap<>();
                pass.recorded.forEach((k, a) -> out.put(k, ActivationCache.toHost(a)));
                return out;
            }
        }
    }

    /** Loss, per-token losses and gradients w.r.t. the coordinates of {@code mask}, in Java memory. */
    public LossAndGradients lossAndGradients(int[][] tokens, ParameterMask mask) {
        return lossAndGradients(tokens, mask, null);
    }

    /** Like {@link #lossAndGradients(int[][], ParameterMask)} with an intervention hook in the forward pass. */
    public LossAndGradients lossAndGradients(int[][] tokens, ParameterMask mask, ActivationHook hook) {
        return lossAndGradients(tokens, null, mask, hook);
    }

    /**
     * Like {@link #lossAndGradients(int[][], ParameterMask)} with the labels given: {@code targets[b][t]} is the token
     * position t of sequence b must predict (T − 1 per sequence; null: the next tokens, as always). For the model's
     * own Fisher information, whose labels are drawn from its predictions instead of read from the data.
     */
    public LossAndGradients lossAndGradients(int[][] tokens, int[][] targets, ParameterMask mask,
            ActivationHook hook) {
        return gradientPass(tokens, targets, mask, hook, null, (batch, o, grads) -> {
            Map<String, HostTensor> host = new LinkedHashMap<>();
            grads.forEach((n, g) -> host.put(n, ActivationCache.toHost(g)));
            return new LossAndGradients(o.loss.getFloat(),
                    reshape2(o.tokenLosses.toFloatArray(), batch.size, batch.length - 1),
                    Collections.unmodifiableMap(host));
        });
    }

    /**
     * H·v, the mean loss's Hessian restricted to the coordinates of {@code mask} times {@code direction}, by double
     * backward: a first backward that keeps a graph of the gradient g, then the gradient of g·v (exact up to float32
     * rounding, one forward and two backward passes). {@code direction} holds v per masked parameter (a missing
     * parameter is v = 0 there); the products are 0.0 outside the mask.
     *
     * <p><b>Each call leaks its pass's graph in native memory</b> (ADR 0008): the leaves' gradients keep a graph that
     * refers back to the leaves, a cycle PyTorch breaks only when {@code .grad} is reset to None, and DJL 0.36 offers
     * no call that does (its {@code zeroGrad} zeroes in place). For checks on tiny models, not for estimators.
     */
    public Map<String, HostTensor> hessianTimes(int[][] tokens, ParameterMask mask,
            Map<String, HostTensor> direction) {
        return gradientPass(tokens, null, mask, null, direction, (batch, o, products) -> {
            Map<String, HostTensor> host = new LinkedHashMap<>();
            products.forEach((n, g) -> host.put(n, ActivationCache.toHost(g)));
            return Collections.unmodifiableMap(host);
        });
    }

    // ---------------------------------------------------------------------------------------------------------
    // Engine-side API: results as NDArrays in a manager the caller owns.

    /**
     * A forward pass that records the activations at {@code record} (all layers) into {@code out}, letting
     * {@code hook} (may be null) replace activations on the way.
     */
    public ActivationCache run(NDManager out, int[][] tokens, Set<HookPoint> record, ActivationHook hook) {
        Batch batch = Batch.of(tokens, config);
        synchronized (lock) {
            try (NDManager sub = manager.newSubManager()) {
                Pass pass = new Pass(sub, hook, record, params);
                Outputs o = pass.run(batch);
                Map<ActivationCache.Key, NDArray> kept = new LinkedHashMap<>();
                Map<NDArray, NDArray> moved = new IdentityHashMap<>();
                pass.recorded.forEach((k, a) -> kept.put(k, moved.computeIfAbsent(a, x -> keep(x, out))));
                NDArray logits = moved.computeIfAbsent(o.logits, x -> keep(x, out));
                NDArray tokenLosses = o.tokenLosses == null ? null : keep(o.tokenLosses, out);
                float loss = o.loss == null ? Float.NaN : o.loss.getFloat();
                return new ActivationCache(kept, logits, tokenLosses, loss, config.nLayers());
            }
        }
    }

    /**
     * Loss and gradients w.r.t. the coordinates of {@code mask} as arrays attached to {@code out}; the arrays are
     * copies, not views of engine state, and exactly 0.0 outside the mask.
     */
    public GradientArrays gradientArrays(NDManager out, int[][] tokens, ParameterMask mask) {
        return gradientPass(tokens, null, mask, null, null, (batch, o, grads) -> {
            Map<String, NDArray> kept = new LinkedHashMap<>();
            grads.forEach((n, g) -> kept.put(n, keep(g, out)));
            return new GradientArrays(o.loss.getFloat(), Collections.unmodifiableMap(kept));
        });
    }

    /** The rLLC's head-restricted path on this model (shares its weights and engine lock). */
    public HeadPath headPath() {
        return new HeadPath(this);
    }

    void requireHead(int layer, int head) {
        if (layer < 0 || layer >= config.nLayers() || head < 0 || head >= config.nHeads()) {
            throw new IllegalArgumentException("no head " + layer + ":" + head);
        }
    }

    /**
     * LayerNorm as the engine's one fused kernel (torch layer_norm: same formula, population variance, eps inside
     * the sqrt) instead of nine elementwise ops: about 10–20 % of an SGLD step's CPU time on the dyck run, most of
     * it in the backward pass. {@code -Dheadlab.unfusedln=true} restores the op-by-op version (the reference tests
     * pass with both).
     */
    static final boolean FUSED_LN = !Boolean.getBoolean("headlab.unfusedln");

    /** The number of arrays this model's manager holds (parameters, constants): leak checks in tests. */
    int managedArrayCount() {
        return manager.getManagedArrays().size();
    }

    @Override
    public void close() {
        synchronized (lock) {
            manager.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface GradientReader<R> {
        R read(Batch batch, Outputs outputs, Map<String, NDArray> gradients);
    }

    /**
     * One forward and backward pass with gradients for the coordinates of {@code mask}; with a {@code direction}
     * (per parameter, v) the reader gets H·v instead of the gradient (a second backward through the first's graph).
     */
    private <R> R gradientPass(int[][] tokens, int[][] targets, ParameterMask mask, ActivationHook hook,
            Map<String, HostTensor> direction, GradientReader<R> reader) {
        requireLossLength(tokens);
        long[] labels = targets == null ? null : labels(tokens, targets);
        if (!mask.matches(config)) {
            throw new IllegalArgumentException("the mask was made for a differently shaped model");
        }
        Batch batch = Batch.of(tokens, config);
        synchronized (lock) {
            try (NDManager sub = manager.newSubManager()) {
                // the masked parameters are replaced by fresh leaf copies in this call's manager: their
                // gradients start at zero every call, and the model's own arrays never require a gradient
                Map<String, NDArray> use = new HashMap<>(params);
                Map<String, NDArray> leaves = new LinkedHashMap<>();
                // the Pass attaches the parameters to sub first, so their duplicates are created in sub
                Pass pass = new Pass(sub, hook, EnumSet.noneOf(HookPoint.class), use);
                pass.lossOnly = true; // the readers take the loss and the gradients, never the logits
                pass.labels = labels;
                for (String name : mask.parameterNames()) {
                    NDArray leaf = params.get(name).duplicate();
                    leaf.setRequiresGradient(true);
                    use.put(name, leaf);
                    leaves.put(name, leaf);
                }
                Outputs o;
                Map<String, NDArray> firstOrder = null;
                if (leaves.isEmpty()) {
                    o = pass.run(batch);
                } else {
                    try (ThreadAutograd collector = new ThreadAutograd()) {
                        o = pass.run(batch);
                        Runnable r = beforeBackward;
                        if (r != null) {
                            r.run();
                        }
                        if (direction == null) {
                            collector.backward(o.loss);
                        } else {
                            firstOrder = new HashMap<>();
                            collector.backward(secondOrderTarget(o.loss, sub, leaves, direction, firstOrder,
                                    collector));
                        }
                    }
                }
                Map<String, NDArray> grads = new LinkedHashMap<>();
                for (Map.Entry<String, NDArray> e : leaves.entrySet()) {
                    NDArray g = e.getValue().getGradient();
                    if (firstOrder != null) {
                        // the second backward accumulates H·v onto the leaf's gradient g (in place or not)
                        g = g.sub(firstOrder.get(e.getKey()));
                    }
                    boolean[] partial = mask.partialSelection(e.getKey());
                    if (partial == null) {
                        g = g.duplicate();
                    } else {
                        // where(), not a multiply: 0 * (-g) would leave -0.0 and 0 * NaN would leave NaN
                        NDArray keepMask = sub.create(partial, g.getShape());
                        g = NDArrays.where(keepMask, g, constants.zero.broadcast(g.getShape()));
                    }
                    grads.put(e.getKey(), g);
                }
                return reader.read(batch, o, grads);
            }
        }
    }

    /**
     * After a forward pass: the first backward, keeping the gradients' graph, and g·v for the second. Detached copies
     * of the first-order gradients go to {@code firstOrder}, since the second backward adds onto them.
     */
    private NDArray secondOrderTarget(NDArray loss, NDManager sub, Map<String, NDArray> leaves,
            Map<String, HostTensor> direction, Map<String, NDArray> firstOrder, ThreadAutograd collector) {
        for (String name : direction.keySet()) {
            if (!leaves.containsKey(name)) {
                throw new IllegalArgumentException("a direction for " + name + ", which the mask does not select");
            }
        }
        collector.backward(loss, true);
        NDArray s = null;
        for (Map.Entry<String, NDArray> e : leaves.entrySet()) {
            NDArray g = e.getValue().getGradient();
            firstOrder.put(e.getKey(), g.stopGradient().duplicate());
            HostTensor d = direction.get(e.getKey());
            if (d == null) {
                continue;
            }
            if (!Arrays.equals(d.shape(), config.parameterShapes().get(e.getKey()))) {
                throw new IllegalArgumentException("the direction for " + e.getKey() + " has shape "
                        + Arrays.toString(d.shape()));
            }
            NDArray term = g.mul(sub.create(d.data(), shapeOf(d.shape()))).sum();
            s = s == null ? term : s.add(term);
        }
        if (s == null) {
            throw new IllegalArgumentException("the direction selects no parameter of the mask");
        }
        return s;
    }

    /**
     * Rows {@code index} of {@code from} as a new array in {@code into}; {@code from} itself is only read (it may be
     * shared by other threads, and its manager is not touched but for registering and handing over the result).
     */
    public static NDArray gather(NDArray from, NDArray index, NDManager into) {
        NDArray rows = from.get(new NDIndex("{}", index));
        rows.attach(into);
        return rows;
    }

    /** Moves an array out of the call's manager into the caller's, so that it outlives the call. */
    static NDArray keep(NDArray a, NDManager out) {
        a.attach(out);
        return a;
    }

    /** The labels flattened, each checked against the vocabulary and the sequences' lengths. */
    private long[] labels(int[][] tokens, int[][] targets) {
        if (targets.length != tokens.length) {
            throw new IllegalArgumentException(targets.length + " label rows for " + tokens.length + " sequences");
        }
        int t = tokens[0].length - 1;
        long[] out = new long[tokens.length * t];
        for (int b = 0; b < tokens.length; b++) {
            if (targets[b].length != t) {
                throw new IllegalArgumentException("sequence " + b + " needs " + t + " labels, not "
                        + targets[b].length);
            }
            for (int i = 0; i < t; i++) {
                int y = targets[b][i];
                if (y < 0 || y >= config.dVocab()) {
                    throw new IllegalArgumentException("label " + y + " is not a token id (vocabulary " + config.dVocab()
                            + ")");
                }
                out[b * t + i] = y;
            }
        }
        return out;
    }

    private void requireLossLength(int[][] tokens) {
        if (tokens != null && tokens.length > 0 && tokens[0] != null && tokens[0].length < 2) {
            throw new HeadLabException("the next-token loss needs sequences of at least 2 tokens, got "
                    + tokens[0].length);
        }
    }

    /** Validated token ids, flattened row-major. */
    record Batch(long[] ids, int size, int length) {

        static Batch of(int[][] tokens, ModelConfig config) {
            if (tokens == null || tokens.length == 0) {
                throw new HeadLabException("no sequences given");
            }
            int t = tokens[0] == null ? 0 : tokens[0].length;
            if (t == 0) {
                throw new HeadLabException("sequence 0 is empty");
            }
            if (t > config.nCtx()) {
                throw new HeadLabException("sequences of " + t + " tokens are longer than the context (n_ctx = "
                        + config.nCtx() + ")");
            }
            long[] ids = new long[tokens.length * t];
            for (int b = 0; b < tokens.length; b++) {
                if (tokens[b] == null || tokens[b].length != t) {
                    throw new HeadLabException("sequence " + b + " has " + (tokens[b] == null ? 0 : tokens[b].length)
                            + " tokens but sequence 0 has " + t + "; a batch needs equal lengths");
                }
                for (int i = 0; i < t; i++) {
                    int id = tokens[b][i];
                    if (id < 0 || id >= config.dVocab()) {
                        throw new HeadLabException("token id " + id + " (sequence " + b + ", position " + i
                                + ") is outside the vocabulary 0.." + (config.dVocab() - 1));
                    }
                    ids[b * t + i] = id;
                }
            }
            return new Batch(ids, tokens.length, t);
        }
    }

    record Outputs(NDArray logits, NDArray tokenLosses, NDArray loss) {
    }

    /** Scalars used by the forward pass, held as arrays for the whole life of the model (DJL bug 1). */
    static final class Constants {
        final NDArray sqrtDHead;
        final NDArray eps;
        final NDArray maskedScore;
        final NDArray zero;
        final NDArray one;
        final NDArray half;
        final NDArray invSqrt2;
        final NDArray sqrt2OverPi;
        final NDArray geluCubic;
        /** cos and sin of the rotary angles, [n_ctx, rotary_dim] (null without rotary positions). */
        final NDArray rotaryCos;
        final NDArray rotarySin;

        Constants(NDManager m, ModelConfig c) {
            sqrtDHead = m.create((float) Math.sqrt(c.dHead()));
            eps = m.create((float) c.epsOrDefault());
            maskedScore = m.create(MASKED_SCORE);
            zero = m.create(0f);
            one = m.create(1f);
            half = m.create(0.5f);
            invSqrt2 = m.create((float) (1.0 / Math.sqrt(2.0)));
            sqrt2OverPi = m.create((float) Math.sqrt(2.0 / Math.PI));
            geluCubic = m.create(0.044715f);
            if (c.rotary()) {
                // GPT-NeoX: dimension i and i + rd/2 of position t turn by t·base^(−2i/rd), i < rd/2; angles in
                // double, then rounded once, as the reference computes them in float64 where it can
                int rd = c.rotaryDimOrDefault();
                int half = rd / 2;
                float[] cos = new float[c.nCtx() * rd];
                float[] sin = new float[c.nCtx() * rd];
                for (int t = 0; t < c.nCtx(); t++) {
                    for (int i = 0; i < half; i++) {
                        double angle = t / Math.pow(c.rotaryBaseOrDefault(), 2.0 * i / rd);
                        cos[t * rd + i] = cos[t * rd + i + half] = (float) Math.cos(angle);
                        sin[t * rd + i] = sin[t * rd + i + half] = (float) Math.sin(angle);
                    }
                }
                rotaryCos = m.create(cos, new Shape(c.nCtx(), rd));
                rotarySin = m.create(sin, new Shape(c.nCtx(), rd));
            } else {
                rotaryCos = null;
                rotarySin = null;
            }
        }

        List<NDArray> all() {
            List<NDArray> all = new ArrayList<>(List.of(sqrtDHead, eps, maskedScore, zero, one, half, invSqrt2,
                    sqrt2OverPi, geluCubic));
            if (rotaryCos != null) {
                all.add(rotaryCos);
                all.add(rotarySin);
            }
            return all;
        }
    }

    /**
     * One forward pass inside a call's manager. The model's parameters and constants are temporarily attached to
     * that manager, so every intermediate result lands there and is freed with it.
     */
    final class Pass {
        final NDManager sub;
        final ActivationHook hook;
        final Set<HookPoint> record;
        final Map<String, NDArray> p;
        final Map<ActivationCache.Key, NDArray> recorded = new LinkedHashMap<>();
        /** Visit the per-head Q/K/V inputs (TransformerLens' use_split_qkv_input). */
        final boolean split;
        /**
         * Only the loss is wanted (no logits to return, record or hook): the unembedding then skips the last
         * position, which predicts nothing, instead of computing its logits and slicing them off afterwards (that
         * slice is a strided copy of the whole [B,T−1,V] block forward, and a zero-filled [B,T,V] block backward).
         */
        boolean lossOnly;
        /** The labels of every predicting position, [B·(T−1)] row-major; null: the next tokens. */
        long[] labels;

        /** [B,T−1,1]: what each position predicts. */
        NDArray targets(NDArray tokens) {
            if (labels == null) {
                return tokens.get(new NDIndex(":, 1:")).expandDims(2);
            }
            Shape s = tokens.getShape();
            return sub.create(labels, new Shape(s.get(0), s.get(1) - 1, 1));
        }

        Pass(NDManager sub, ActivationHook hook, Set<HookPoint> record, Map<String, NDArray> p) {
            this.sub = sub;
            this.hook = hook;
            this.record = record.isEmpty() ? EnumSet.noneOf(HookPoint.class) : EnumSet.copyOf(record);
            this.p = p;
            this.split = (hook != null && hook.splitsQkvInput()) || this.record.contains(HookPoint.Q_INPUT)
                    || this.record.contains(HookPoint.K_INPUT) || this.record.contains(HookPoint.V_INPUT);
            List<NDArray> attach = new ArrayList<>(params.values());
            attach.addAll(constants.all());
            sub.tempAttachAll(attach.toArray(new NDArray[0]));
        }

        Outputs run(Batch batch) {
            NDArray tokens = sub.create(batch.ids, new Shape(batch.size, batch.length));
            return outputs(layers(tokens, batch, config.nLayers()), tokens, batch.length);
        }

        /** The residual stream before layer {@code layer} (hook resid_pre; the embedding for layer 0). */
        NDArray residPre(Batch batch, int layer) {
            NDArray tokens = sub.create(batch.ids, new Shape(batch.size, batch.length));
            return at(HookPoint.RESID_PRE, layer, layers(tokens, batch, layer));
        }

        /** Embedding and layers 0..n−1: resid_post of layer n−1 (the embedding when n = 0). */
        private NDArray layers(NDArray tokens, Batch batch, int n) {
            long b = batch.size;
            long t = batch.length;
            int d = config.dModel();
            NDArray embed = p.get("embed.W_E").get(new NDIndex("{}", tokens.flatten())).reshape(b, t, d);
            NDArray pos = positions(t);
            NDArray resid = pos == null || shortformer ? embed : embed.add(pos);
            NDArray causal = causalMask((int) t);
            for (int l = 0; l < n; l++) {
                resid = at(HookPoint.RESID_PRE, l, resid);
                resid = block(l, resid, attention(l, resid, pos, causal, b, t));
            }
            return resid;
        }

        /**
         * The rest of the model from the residual stream right after layer {@code layer}'s attention (resid_mid,
         * or resid_post of that layer in attention-only models), for [B,T,D] {@code residMid} and [B,T] tokens.
         */
        Outputs runAfterAttention(int layer, NDArray residMid, NDArray tokens) {
            NDArray resid = residPostFromMid(layer, residMid);
            return outputs(resid, tokens, residMid.getShape().get(1));
        }

        /** resid_post of the last layer from resid_mid of {@code layer}: the rest of the model before the unembedding. */
        NDArray residPostFromMid(int layer, NDArray residMid) {
            long b = residMid.getShape().get(0);
            long t = residMid.getShape().get(1);
            NDArray pos = positions(t);
            NDArray causal = causalMask((int) t);
            // in a parallel block the layer's MLP read resid_pre: its output is already in residMid
            NDArray resid = parallel ? at(HookPoint.RESID_POST, layer, residMid) : afterAttention(layer, residMid);
            for (int l = layer + 1; l < config.nLayers(); l++) {
                resid = at(HookPoint.RESID_PRE, l, resid);
                resid = block(l, resid, attention(l, resid, pos, causal, b, t));
            }
            return resid;
        }


        /**
         * resid_post of layer {@code l} from its resid_pre and attention output: in sequence (resid_mid, then the
         * MLP on it) or, in a parallel block (GPT-NeoX), resid_pre + attention + MLP(ln2(resid_pre)).
         */
        private NDArray block(int l, NDArray residPre, NDArray attnOut) {
            if (!parallel) {
                return afterAttention(l, residPre.add(attnOut));
            }
            return at(HookPoint.RESID_POST, l, residPre.add(attnOut).add(mlp(l, residPre)));
        }

        /** W_pos for the first t positions; null in a rotary model (it has none). */
        NDArray positions(long t) {
            return rotary ? null : p.get("pos_embed.W_pos").get(new NDIndex().addSliceDim(0, t));
        }

        /**
         * Rotary positions (GPT-NeoX convention) on queries or keys [..., T, d_head]: dimensions i and i + rd/2 of
         * the first rd = rotary_dim turn together, x·cos + rotate_half(x)·sin with rotate_half(a, b) = (−b, a);
         * the rest pass unchanged.
         */
        NDArray rotate(NDArray x) {
            Shape s = x.getShape();
            int last = s.dimension() - 1;
            long t = s.get(last - 1);
            int rd = config.rotaryDimOrDefault();
            int half = rd / 2;
            NDArray cos = constants.rotaryCos.get(new NDIndex().addSliceDim(0, t));
            NDArray sin = constants.rotarySin.get(new NDIndex().addSliceDim(0, t));
            NDArray r = rd == s.get(last) ? x : x.get(NDIndex.sliceAxis(last, 0, rd));
            NDArray flipped = NDArrays.concat(new NDList(r.get(NDIndex.sliceAxis(last, half, rd)).neg(),
                    r.get(NDIndex.sliceAxis(last, 0, half))), last);
            NDArray turned = r.mul(cos).add(flipped.mul(sin));
            return rd == s.get(last) ? turned
                    : NDArrays.concat(new NDList(turned, x.get(NDIndex.sliceAxis(last, rd, s.get(last)))), last);
        }

        /** The attention layer's output incl. b_O (hook attn_out), [B,T,D]. */
        NDArray attention(int l, NDArray resid, NDArray pos, NDArray causal, long b, long t) {
            String blk = "blocks." + l + ".";
            int d = config.dModel();
            // with split inputs, only a replaced input takes the per-head path; the others stay fused
            NDArray[] splitIn = split ? splitInputs(resid, l) : new NDArray[3];
            NDArray normed = null;
            NDArray qkIn = null;
            if (splitIn[0] == null || splitIn[1] == null || splitIn[2] == null) {
                normed = normalize(resid, blk + "ln1");
                qkIn = shortformer ? normed.add(pos) : normed;
            }
            NDArray q = splitIn[0] == null ? heads(qkIn, blk + "attn.W_Q", blk + "attn.b_Q", b, t)
                    : splitHeads(splitIn[0], pos, true, blk + "attn.W_Q", blk + "attn.b_Q");
            NDArray k = splitIn[1] == null ? heads(qkIn, blk + "attn.W_K", blk + "attn.b_K", b, t)
                    : splitHeads(splitIn[1], pos, true, blk + "attn.W_K", blk + "attn.b_K");
            NDArray v = splitIn[2] == null ? heads(normed, blk + "attn.W_V", blk + "attn.b_V", b, t)
                    : splitHeads(splitIn[2], pos, false, blk + "attn.W_V", blk + "attn.b_V");
            if (rotary) {
                q = rotate(q);
                k = rotate(k);
            }
            NDArray scores;
            if (hook == null && !record.contains(HookPoint.ATTN_SCORES)) {
                // nobody sees the scores: scale q ([B,H,T,dh]) instead of the scores ([B,H,T,T]) and mask with one
                // broadcast add of −∞; the softmax is the same (exp underflows to exactly 0 from −1e5 and −∞)
                scores = q.div(constants.sqrtDHead).matMul(k.transpose(0, 1, 3, 2)).add(causalBias((int) t));
            } else {
                scores = q.matMul(k.transpose(0, 1, 3, 2)).div(constants.sqrtDHead);
                // DJL's where() does not broadcast; masked scores are TransformerLens' IGNORE, as hooks expect
                scores = NDArrays.where(causal.broadcast(scores.getShape()), scores,
                        constants.maskedScore.broadcast(scores.getShape()));
                scores = at(HookPoint.ATTN_SCORES, l, scores);
            }
            NDArray pattern = at(HookPoint.PATTERN, l, scores.softmax(-1));
            NDArray z = at(HookPoint.Z, l, pattern.matMul(v).transpose(0, 2, 1, 3));
            int hd = config.nHeads() * config.dHead();
            NDArray attnOut = z.reshape(b, t, hd).matMul(p.get(blk + "attn.W_O").reshape(hd, d))
                    .add(p.get(blk + "attn.b_O"));
            return at(HookPoint.ATTN_OUT, l, attnOut);
        }

        /** From resid_mid of layer l (residual + attention) to resid_post: the MLP, if any, and its hooks. */
        private NDArray afterAttention(int l, NDArray resid) {
            String blk = "blocks." + l + ".";
            if (config.hasMlp()) {
                resid = at(HookPoint.RESID_MID, l, resid);
                resid = resid.add(mlp(l, resid));
            }
            return at(HookPoint.RESID_POST, l, resid);
        }

        /** The MLP of layer l on its input (resid_mid, or resid_pre in a parallel block), hook mlp_out. */
        NDArray mlp(int l, NDArray in) {
            String blk = "blocks." + l + ".";
            NDArray hidden = normalize(in, blk + "ln2").matMul(p.get(blk + "mlp.W_in")).add(p.get(blk + "mlp.b_in"));
            NDArray mlpOut = activate(hidden).matMul(p.get(blk + "mlp.W_out")).add(p.get(blk + "mlp.b_out"));
            return at(HookPoint.MLP_OUT, l, mlpOut);
        }

        private Outputs outputs(NDArray resid, NDArray tokens, long t) {
            if (lossOnly && hook == null && !record.contains(HookPoint.LOGITS) && t >= 2) {
                NDArray logProbs = normalize(resid.get(new NDIndex(":, :-1, :")), "ln_final")
                        .matMul(p.get("unembed.W_U")).add(p.get("unembed.b_U")).logSoftmax(-1);
                NDArray targets = targets(tokens);
                NDArray tokenLosses = logProbs.gather(targets, 2).squeeze(2).neg();
                return new Outputs(null, tokenLosses, tokenLosses.mean());
            }
            NDArray logits = normalize(resid, "ln_final").matMul(p.get("unembed.W_U")).add(p.get("unembed.b_U"));
            logits = at(HookPoint.LOGITS, HookPoint.NO_LAYER, logits);
            if (t < 2) {
                return new Outputs(logits, null, null);
            }
            // the last position predicts nothing, so it is dropped before the softmax
            NDArray logProbs = logits.get(new NDIndex(":, :-1, :")).logSoftmax(-1);
            NDArray targets = targets(tokens);
            NDArray tokenLosses = logProbs.gather(targets, 2).squeeze(2).neg();
            return new Outputs(logits, tokenLosses, tokenLosses.mean());
        }

        /**
         * The per-head inputs [B,T,H,D] after the Q/K/V input hooks, each null when no hook replaced it (that input
         * then takes the fused path, exactly as in an unsplit pass).
         */
        private NDArray[] splitInputs(NDArray resid, int layer) {
            Shape s = resid.getShape();
            NDArray repeated = resid.expandDims(2).broadcast(s.get(0), s.get(1), config.nHeads(), s.get(2));
            NDArray[] in = {at(HookPoint.Q_INPUT, layer, repeated), at(HookPoint.K_INPUT, layer, repeated),
                at(HookPoint.V_INPUT, layer, repeated)};
            for (int i = 0; i < in.length; i++) {
                if (in[i] == repeated) {
                    in[i] = null;
                }
            }
            return in;
        }

        /** Per-head inputs [B,T,H,D] → normalized (+ shortformer positions) → projection [B,H,T,d_head]. */
        private NDArray splitHeads(NDArray in, NDArray pos, boolean positional, String weight, String bias) {
            NDArray x = normalize(in, weight.substring(0, weight.indexOf(".attn.")) + ".ln1");
            if (shortformer && positional) {
                x = x.add(pos.expandDims(1)); // [T,1,D] against [B,T,H,D]
            }
            // [B,H,T,D] @ [H,D,E] broadcasts over the batch
            return x.transpose(0, 2, 1, 3).matMul(p.get(weight))
                    .add(p.get(bias).expandDims(1)); // [H,1,E]
        }

        /** [B,T,D] → per-head projection [B,H,T,d_head], all heads in one matMul (the fused layout). */
        private NDArray heads(NDArray x, String weight, String bias, long b, long t) {
            int h = config.nHeads();
            int dh = config.dHead();
            NDArray w = p.get(weight).transpose(1, 0, 2).reshape(config.dModel(), (long) h * dh);
            return x.matMul(w).add(p.get(bias).reshape((long) h * dh)).reshape(b, t, h, dh).transpose(0, 2, 1, 3);
        }

        /**
         * TransformerLens LayerNorm / LayerNormPre (centre, divide by sqrt(population variance + eps)) and RMSNorm /
         * RMSPre (no centring).
         */
        NDArray normalize(NDArray x, String name) {
            if (normalization == ModelConfig.Normalization.NONE) {
                return x;
            }
            if (normalization == ModelConfig.Normalization.RMS || normalization == ModelConfig.Normalization.RMS_PRE) {
                // TransformerLens RMSNorm: x / sqrt(mean(x²) + eps), times w unless RMSPre
                NDArray y = x.div(x.square().mean(new int[] {-1}, true).add(constants.eps).sqrt());
                return normalization == ModelConfig.Normalization.RMS ? y.mul(p.get(name + ".w")) : y;
            }
            if (normalization == ModelConfig.Normalization.LN && FUSED_LN) {
                Shape sh = x.getShape();
                return x.getNDArrayInternal().layerNorm(x, new Shape(sh.get(sh.dimension() - 1)),
                        p.get(name + ".w"), p.get(name + ".b"), (float) config.epsOrDefault()).singletonOrThrow();
            }
            NDArray centred = x.sub(x.mean(new int[] {-1}, true));
            NDArray scale = centred.square().mean(new int[] {-1}, true).add(constants.eps).sqrt();
            NDArray y = centred.div(scale);
            if (normalization == ModelConfig.Normalization.LN) {
                y = y.mul(p.get(name + ".w")).add(p.get(name + ".b"));
            }
            return y;
        }

        private NDArray activate(NDArray x) {
            return switch (config.activation()) {
                // exact gelu: x/2 · (1 + erf(x/√2)), as torch's F.gelu
                case "gelu" -> x.mul(constants.half).mul(x.mul(constants.invSqrt2).erf().add(constants.one));
                // gelu_new: x/2 · (1 + tanh(√(2/π)(x + 0.044715 x³)))
                case "gelu_new" -> x.mul(constants.half).mul(
                        x.mul(x).mul(x).mul(constants.geluCubic).add(x).mul(constants.sqrt2OverPi).tanh()
                                .add(constants.one));
                case "relu" -> Activation.relu(x);
                case "silu" -> x.mul(Activation.sigmoid(x));
                default -> throw new IllegalStateException("unvalidated act_fn " + config.activation());
            };
        }

        /** 0 where key position ≤ query position, −∞ after it, [T,T]; per call, as {@link #causalMask}. */
        NDArray causalBias(int t) {
            float[] m = new float[t * t];
            for (int q = 0; q < t; q++) {
                java.util.Arrays.fill(m, q * t + q + 1, (q + 1) * t, Float.NEGATIVE_INFINITY);
            }
            return sub.create(m, new Shape(t, t));
        }

        /** True where key position ≤ query position. Created per call: it must stay open until backward. */
        NDArray causalMask(int t) {
            boolean[] m = new boolean[t * t];
            for (int q = 0; q < t; q++) {
                for (int k = 0; k <= q; k++) {
                    m[q * t + k] = true;
                }
            }
            return sub.create(m, new Shape(t, t));
        }

        private NDArray at(HookPoint point, int layer, NDArray x) {
            if (hook != null) {
                NDArray r = hook.apply(point, layer, x);
                if (r != null && r != x) {
                    if (!r.getShape().equals(x.getShape()) || r.getDataType() != DataType.FLOAT32) {
                        throw new IllegalArgumentException("hook replaced " + point + " of layer " + layer + " ("
                                + x.getShape() + " float32) by " + r.getShape() + " " + r.getDataType());
                    }
                    // a replacement from another manager would pull later results into that manager
                    x = r.getManager() == sub ? r : constants.zero.add(r);
                }
            }
            if (record.contains(point)) {
                recorded.put(new ActivationCache.Key(point, point.perLayer() ? layer : HookPoint.NO_LAYER), x);
            }
            return x;
        }
    }

    private static Shape shapeOf(int[] shape) {
        long[] s = new long[shape.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = shape[i];
        }
        return new Shape(s);
    }

    private static float[][] reshape2(float[] d, int rows, int cols) {
        float[][] out = new float[rows][cols];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(d, r * cols, out[r], 0, cols);
        }
        return out;
    }

    private static float[][][] reshape3(float[] d, int a, int b, int c) {
        float[][][] out = new float[a][b][c];
        for (int i = 0; i < a; i++) {
            for (int j = 0; j < b; j++) {
                System.arraycopy(d, (i * b + j) * c, out[i][j], 0, c);
            }
        }
        return out;
    }
}
