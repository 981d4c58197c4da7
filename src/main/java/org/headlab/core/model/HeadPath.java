package org.headlab.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The head-restricted path of one {@link Transformer} that the rLLC samples on (estimators.md §3.1): what every head
 * of a layer shares at w* ({@link #layerInputs}), one head's fixed inputs and residual without it ({@link
 * #headInputs}, {@link #headBase}), and a forward and backward pass that starts at that head's attention with C
 * chains' copies of its weights ({@link #headGradients}). Everything upstream of the head is computed once per window
 * instead of at every SGLD step. It shares the model's weights, engine lock and layer code; it is a collaborator of
 * the model, not a second model, and only the rLLC's head target and the curvature estimators' Hessian-vector
 * product of one head ({@code MaskedGradient.hessianProduct}) use it.
 */
public final class HeadPath {
    static final boolean HAND_LOSS_GRADIENT = !"false".equals(System.getProperty("headlab.sgld.handLoss"));
    /**
     * Token rows per block of {@link #lossWithHandGradient}; 0 for all rows at once. In blocks the [rows, d_vocab]
     * logits, probabilities and their product with W_Uᵀ stay in the core's cache instead of passing through memory
     * as 66 MB arrays (lm: 16,256 rows × 1,024) three times per step; measured in docs/benchmarks.md.
     */
    public static final int LOSS_CHUNK = Integer.getInteger("headlab.sgld.lossChunk", 128);
    private final Transformer model;

    HeadPath(Transformer model) {
        this.model = model;
    }

    /**
     * What sampling one head needs, computed once at the current weights for every sequence (estimators.md §3.1
     * speed-up): nothing upstream of layer {@code layer}'s attention depends on the head, so the head's inputs
     * (the ln1-normalized resid_pre, plus W_pos for query/key in shortformer models) and the residual stream
     * after that attention without this head's contribution ({@code base} = resid_pre + b_O + the other heads) are
     * fixed. Arrays are [N,T,D] (tokens [N,T], int64) in {@code out}. The same as {@link #layerInputs} followed by
     * {@link #headBase}.
     */
    public HeadInputs headInputs(NDManager out, int[][] tokens, int layer, int head) {
        model.requireHead(layer, head);
        synchronized (model.lock) {
            try (NDManager sub = model.manager.newSubManager()) {
                LayerInputs in = layerInputs(sub, tokens, layer);
                NDArray base = headBase(out, in.rest(), in.z(), layer, head);
                Transformer.Batch batch = Transformer.Batch.of(tokens, model.config);
                NDArray ids = sub.create(batch.ids(), new Shape(batch.size(), batch.length()));
                // without shortformer positions vIn is the same array as qkIn (one copy of [N,T,D], not two)
                return new HeadInputs(layer, head, Transformer.keep(in.qkIn(), out), in.vIn() == in.qkIn() ? in.qkIn()
                        : Transformer.keep(in.vIn(), out), base, Transformer.keep(ids, out));
            }
        }
    }

    /**
     * What every head of layer {@code layer} shares at the current weights (the part of {@link #headInputs} that
     * does not depend on the head, so a sweep computes it once for the layer's heads): {@code rest} [N,T,D], the part
     * of resid_post that does not pass through the layer's attention (resid_pre, plus the MLP output in a parallel
     * block), the heads' inputs qkIn and vIn [N,T,D] (one array when the model has no shortformer positions) and the
     * layer's per-head attention results z [N,T,H,d_head], all in {@code out}.
     */
    public LayerInputs layerInputs(NDManager out, int[][] tokens, int layer) {
        model.requireHead(layer, 0);
        Transformer.Batch batch = Transformer.Batch.of(tokens, model.config);
        synchronized (model.lock) {
            try (NDManager sub = model.manager.newSubManager()) {
                // only the layers up to the head's attention: later layers, the unembedding and the loss are not
                // needed here (they were run for every window before, half of this call's time)
                Transformer.Pass pass = model.new Pass(sub, null, EnumSet.of(HookPoint.Z), model.params);
                long b = batch.size();
                long t = batch.length();
                NDArray residPre = pass.residPre(batch, layer);
                pass.attention(layer, residPre, pass.positions(t), pass.causalMask((int) t), b, t);
                NDArray z = pass.recorded.get(new ActivationCache.Key(HookPoint.Z, layer)); // [N,T,H,dh]
                NDArray normed = pass.normalize(residPre, "blocks." + layer + ".ln1");
                NDArray qkIn = model.shortformer ? normed.add(pass.positions(batch.length())) : normed;
                // a parallel block's MLP reads resid_pre, not the heads: its output is fixed like resid_pre
                NDArray rest = model.parallel ? residPre.add(pass.mlp(layer, residPre)) : residPre;
                return new LayerInputs(layer, Transformer.keep(rest, out), Transformer.keep(qkIn, out),
                        normed == qkIn ? qkIn : Transformer.keep(normed, out), Transformer.keep(z, out));
            }
        }
    }

    /**
     * The residual stream after layer {@code layer}'s attention without head {@code head}: rest + b_O + the other
     * heads' z·W_O, from rows of {@link #layerInputs} (rest [N,T,D], z [N,T,H,d_head]); [N,T,D] in {@code out}.
     */
    public NDArray headBase(NDManager out, NDArray rest, NDArray z, int layer, int head) {
        model.requireHead(layer, head);
        synchronized (model.lock) {
            try (NDManager sub = model.manager.newSubManager()) {
                // every new array is made from sub's own arrays first, so none lands in the managers of z and
                // rest (which a sweep's tasks may share across threads)
                Shape zs = z.getShape();
                float[] others = new float[model.config.nHeads()];
                Arrays.fill(others, 1f);
                others[head] = 0f;
                NDArray zOthers = sub.create(others, new Shape(1, 1, model.config.nHeads(), 1)).mul(z);
                int hd = model.config.nHeads() * model.config.dHead();
                String blk = "blocks." + layer + ".attn.";
                NDArray base = zOthers.reshape(zs.get(0), zs.get(1), hd)
                        .matMul(model.params.get(blk + "W_O").reshape(hd, model.config.dModel()))
                        .add(model.params.get(blk + "b_O")).add(rest);
                return Transformer.keep(base, out);
            }
        }
    }

    /**
     * Per-chain losses and gradients of C copies of one head sampled jointly: chain c's copy of the head's
     * W_Q/W_K/W_V [C,D,dh], W_O [C,dh,D] and optional b_Q/b_K/b_V [C,dh] replace slice {@code [h]}, and chain c is
     * evaluated on the sequences {@code rows[c]} of {@code in} as rows of one batch of C·B sequences. The forward
     * starts from the precomputed {@link HeadInputs} and runs the rest of the model from resid_mid of the head's
     * layer. Gradients (w.r.t. each chain's own loss) land in {@code out} under the keys of {@code headWeights}.
     */
    public HeadGradients headGradients(NDManager out, HeadInputs in, int[][] rows, Map<String, NDArray> headWeights) {
        int c = rows.length;
        int b = rows[0].length;
        return onRows(rows, headWeights, (pass, sub, index) -> {
            Map<String, NDArray> leaves = new LinkedHashMap<>();
            headWeights.forEach((n, w) -> {
                NDArray leaf = w.duplicate();
                leaf.setRequiresGradient(true);
                leaves.put(n, leaf);
            });
            NDArray chainLosses;
            try (ThreadAutograd collector = new ThreadAutograd()) {
                NDArray residMid = residMidWithHead(pass, in, index, leaves, c, b);
                NDArray tokens = Transformer.gather(in.tokens(), index, sub);
                if (HAND_LOSS_GRADIENT) {
                    LossWithGradient loss = lossWithHandGradient(pass,
                            pass.residPostFromMid(in.layer(), residMid), tokens, c);
                    chainLosses = loss.groupLosses();
                    collector.backward(loss.residual(), loss.gradient());
                } else {
                    Transformer.Outputs o = pass.runAfterAttention(in.layer(), residMid, tokens);
                    chainLosses = o.tokenLosses().reshape(c, -1).mean(new int[] {1});
                    collector.backward(chainLosses.sum());
                }
            }
            Map<String, NDArray> grads = new LinkedHashMap<>();
            leaves.forEach((n, leaf) -> grads.put(n, Transformer.keep(leaf.getGradient().duplicate(), out)));
            float[] l = chainLosses.toFloatArray();
            double[] losses = new double[c];
            for (int i = 0; i < c; i++) {
                losses[i] = l[i];
            }
            return new HeadGradients(losses, grads);
        });
    }

    /** What runs on a head path's rows: a loss-only pass, a scratch manager, the rows' flat index into the inputs. */
    @FunctionalInterface
    private interface OnRows<T> {
        T run(Transformer.Pass pass, NDManager sub, NDArray index);
    }

    /**
     * Runs {@code body} under the model's lock in a scratch manager closed after it, with the head weights readable
     * there and the flat index of {@code rows}.
     */
    private <T> T onRows(int[][] rows, Map<String, NDArray> headWeights, OnRows<T> body) {
        synchronized (model.lock) {
            try (NDManager sub = model.manager.newSubManager()) {
                Transformer.Pass pass = model.new Pass(sub, null, EnumSet.noneOf(HookPoint.class), model.params);
                pass.lossOnly = true;
                // the inputs are only read (rows gathered into sub), never attached here: a sweep's tasks share
                // them across threads, and a temporary attach moves an array's owner under the other threads' feet
                sub.tempAttachAll(headWeights.values().toArray(new NDArray[0]));
                return body.run(pass, sub, sub.create(flatRows(rows)));
            }
        }
    }

    /**
     * Per-token losses, forward only, of C copies of one head (as {@link #headGradients}): chain c's copy on the
     * sequences {@code rows[c]} of {@code in}; [c][row-major over its rows × the T−1 predicted positions]. The
     * probe of a susceptibility estimate: the same windows at every draw, each chain at its current weights.
     */
    public double[][] headTokenLosses(HeadInputs in, int[][] rows, Map<String, NDArray> headWeights) {
        int c = rows.length;
        int b = rows[0].length;
        return onRows(rows, headWeights, (pass, sub, index) -> {
            NDArray residMid = residMidWithHead(pass, in, index, headWeights, c, b);
            NDArray tokens = Transformer.gather(in.tokens(), index, sub);
            float[] flat = pass.runAfterAttention(in.layer(), residMid, tokens).tokenLosses().toFloatArray();
            int per = flat.length / c;
            double[][] losses = new double[c][per];
            for (int i = 0; i < c; i++) {
                for (int j = 0; j < per; j++) {
                    losses[i][j] = flat[i * per + j];
                }
            }
            return losses;
        });
    }

    /**
     * The mean next-token loss of each of {@code groups} equal groups of rows, with its gradient w.r.t. the
     * normalized final residual written by hand instead of recorded: for softmax probabilities P and one-hot
     * targets Y, d(mean loss)/d(logits) = (P − Y)/n, so the gradient at the residual is (P·W_Uᵀ − W_Uᵀ[y])/n. The
     * autograd route keeps the [rows,T−1,V] log-probabilities, writes a zero-filled block of the same size for
     * the gather's backward and another for the log-softmax's: at d_vocab ≫ d_model those passes over memory,
     * not the matmuls, were most of an rLLC step's non-matmul time. The rows go through in blocks of
     * {@link #LOSS_CHUNK} (each row's loss and gradient depend on that row alone, so the blocks change nothing but
     * which rows share a matmul call). Only the values of the losses come back; the caller seeds
     * {@link ThreadAutograd#backward(NDArray, NDArray)} with {@code gradient} at {@code residual}.
     */
    private static LossWithGradient lossWithHandGradient(Transformer.Pass pass, NDArray resid, NDArray tokens,
            int groups) {
        NDArray x = pass.normalize(resid.get(new NDIndex(":, :-1, :")), "ln_final");
        Shape s = x.getShape(); // [R, T−1, D]
        long n = s.get(0) * s.get(1);
        NDArray wU = pass.p.get("unembed.W_U");
        NDArray bU = pass.p.get("unembed.b_U");
        NDArray wUt = wU.transpose(1, 0);
        NDArray flat = x.stopGradient().reshape(n, s.get(2));
        NDArray targets = pass.targets(tokens).reshape(n);
        int chunk = LOSS_CHUNK > 0 ? LOSS_CHUNK : Math.toIntExact(n);
        NDList losses = new NDList();
        NDList gradients = new NDList();
        for (long from = 0; from < n; from += chunk) {
            NDIndex rows = new NDIndex(from + ":" + Math.min(n, from + chunk));
            try (NDArray xc = flat.get(rows); NDArray tc = targets.get(rows); NDArray logits = xc.matMul(wU)) {
                NDArray probs = logits.addi(bU).softmax(-1);
                // −log p_y from the probabilities: a target probability below the float range (a loss above ~87
                // nats per token) would read as +∞ here where the log-softmax route reads a large finite number;
                // such a chain has diverged either way and is reported so by the sampler
                try (NDArray py = probs.gather(tc.expandDims(1), 1)) {
                    losses.add(py.squeeze(1).log().neg());
                }
                NDArray g = probs.matMul(wUt);
                probs.close();
                try (NDArray wy = wUt.get(new NDIndex("{}", tc))) {
                    gradients.add(g.subi(wy));
                }
            }
        }
        NDArray tokenLosses = losses.size() == 1 ? losses.get(0) : NDArrays.concat(losses);
        NDArray groupLosses = tokenLosses.reshape(groups, -1).mean(new int[] {1});
        long perGroup = n / groups;
        NDArray gradient = (gradients.size() == 1 ? gradients.get(0) : NDArrays.concat(gradients)).reshape(s)
                .divi(perGroup);
        return new LossWithGradient(x, gradient, groupLosses);
    }

    /** {@link #lossWithHandGradient}: per-group mean losses, and the loss's gradient at {@code residual}. */
    private record LossWithGradient(NDArray residual, NDArray gradient, NDArray groupLosses) {
    }

    private static long[] flatRows(int[][] rows) {
        int b = rows[0].length;
        long[] idx = new long[rows.length * b];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < b; j++) {
                idx[i * b + j] = rows[i][j];
            }
        }
        return idx;
    }

    /**
     * resid_mid of the head's layer [C·B,T,D] with chain c's copy of the head ({@code weights}: W_Q/W_K/W_V/W_O
     * [C,…], optional b_Q/b_K/b_V [C,dh]) on the rows {@code index} of {@code in}: the head's attention and its
     * output added to the residual without it.
     */
    private NDArray residMidWithHead(Transformer.Pass pass, HeadInputs in, NDArray index, Map<String, NDArray> weights,
            int c, int b) {
        NDManager sub = index.getManager();
        // biases that are not sampled keep their w* values (slice [h], shared by every chain)
        Map<String, NDArray> use = new LinkedHashMap<>(weights);
        for (String bias : new String[] {"b_Q", "b_K", "b_V"}) {
            use.computeIfAbsent(bias, k -> model.params.get("blocks." + in.layer() + ".attn." + k)
                    .get(new NDIndex(in.head())).expandDims(0));
        }
        long t = in.tokens().getShape().get(1);
        int d = model.config.dModel();
        int dh = model.config.dHead();
        NDArray qkIn = Transformer.gather(in.qkIn(), index, sub).reshape(c, (long) b * t, d);
        NDArray vIn = in.vIn() == in.qkIn() ? qkIn
                : Transformer.gather(in.vIn(), index, sub).reshape(c, (long) b * t, d);
        // 1/√d_head on q ([rows,T,dh]) rather than on the scores ([rows,T,T]), and the causal mask as one
        // broadcast add of −∞ rather than a where() over broadcast copies: the same softmax (exp underflows to
        // exactly 0 from −1e5 and from −∞), fewer passes over memory
        NDArray q = project(qkIn, weights.get("W_Q"), use.get("b_Q")).reshape((long) c * b, t, dh);
        NDArray k = project(qkIn, weights.get("W_K"), use.get("b_K")).reshape((long) c * b, t, dh);
        if (model.rotary) {
            q = pass.rotate(q);
            k = pass.rotate(k);
        }
        q = q.div(model.constants.sqrtDHead);
        NDArray v = project(vIn, weights.get("W_V"), use.get("b_V")).reshape((long) c * b, t, dh);
        NDArray scores = q.matMul(k.transpose(0, 2, 1)).add(pass.causalBias((int) t));
        NDArray z = scores.softmax(-1).matMul(v).reshape(c, (long) b * t, dh);
        NDArray headOut = z.matMul(weights.get("W_O")).reshape((long) c * b, t, d);
        return Transformer.gather(in.base(), index, sub).add(headOut);
    }

    /** [C,N,D] × [C,D,dh] (+ [C,dh]) → [C,N,dh]. */
    private static NDArray project(NDArray x, NDArray w, NDArray bias) {
        NDArray y = x.matMul(w);
        return bias == null ? y : y.add(bias.expandDims(1));
    }

    /** What every head of a layer shares; see {@link #layerInputs}. Closing frees them. */
    public record LayerInputs(int layer, NDArray rest, NDArray qkIn, NDArray vIn, NDArray z)
            implements AutoCloseable {
        @Override
        public void close() {
            rest.close();
            qkIn.close();
            if (vIn != qkIn) {
                vIn.close();
            }
            z.close();
        }
    }

    /** Inputs of one head precomputed for a data set; see {@link #headInputs}. Closing frees them. */
    public record HeadInputs(int layer, int head, NDArray qkIn, NDArray vIn, NDArray base, NDArray tokens)
            implements AutoCloseable {
        @Override
        public void close() {
            qkIn.close();
            if (vIn != qkIn) {
                vIn.close();
            }
            base.close();
            tokens.close();
        }
    }

    /** Per-chain losses and gradients of {@link #headGradients}. */
    public record HeadGradients(double[] losses, Map<String, NDArray> gradients) implements AutoCloseable {
        @Override
        public void close() {
            gradients.values().forEach(NDArray::close);
        }
    }
}
