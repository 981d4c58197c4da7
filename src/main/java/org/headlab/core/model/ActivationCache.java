package org.headlab.core.model;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.headlab.core.run.HostTensor;

/**
 * What one forward pass recorded: the requested activations (after any hook replaced them), the logits and, for
 * sequences of two or more tokens, the next-token losses. The arrays live in the manager the caller passed to
 * {@link Transformer#run}; {@link #close()} frees them early.
 */
public final class ActivationCache implements AutoCloseable {

    /** One recorded activation: a hook point and its layer ({@link HookPoint#NO_LAYER} for logits). */
    public record Key(HookPoint point, int layer) {
    }

    private final Map<Key, NDArray> activations;
    private final NDArray logits;
    private final NDArray tokenLosses;
    private final float loss;
    private final int nLayers;

    ActivationCache(Map<Key, NDArray> activations, NDArray logits, NDArray tokenLosses, float loss, int nLayers) {
        this.activations = Collections.unmodifiableMap(new LinkedHashMap<>(activations));
        this.logits = logits;
        this.tokenLosses = tokenLosses;
        this.loss = loss;
        this.nLayers = nLayers;
    }

    /** A per-layer activation; throws if it was not recorded. */
    public NDArray get(HookPoint point, int layer) {
        NDArray a = activations.get(new Key(point, point.perLayer() ? layer : HookPoint.NO_LAYER));
        if (a == null) {
            throw new IllegalArgumentException(point + " of layer " + layer + " was not recorded (recorded: "
                    + activations.keySet() + ")");
        }
        return a;
    }

    public boolean contains(HookPoint point, int layer) {
        return activations.containsKey(new Key(point, point.perLayer() ? layer : HookPoint.NO_LAYER));
    }

    public Set<Key> keys() {
        return activations.keySet();
    }

    /** The residual stream after the last block (TransformerLens' resid_final), [B,T,D]; needs RESID_POST recorded. */
    public NDArray residFinal() {
        return get(HookPoint.RESID_POST, nLayers - 1);
    }

    /** Logits [B,T,V], always present. */
    public NDArray logits() {
        return logits;
    }

    /** Per-token next-token cross-entropy [B,T-1]; null when the sequences have a single token. */
    public NDArray tokenLosses() {
        return tokenLosses;
    }

    /** Mean next-token cross-entropy over all predicted positions; NaN when the sequences have a single token. */
    public float loss() {
        return loss;
    }

    /** A recorded activation copied to Java memory. */
    public HostTensor host(HookPoint point, int layer) {
        return toHost(get(point, layer));
    }

    static HostTensor toHost(NDArray a) {
        long[] s = a.getShape().getShape();
        int[] shape = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            shape[i] = Math.toIntExact(s[i]);
        }
        return new HostTensor(shape, a.toFloatArray());
    }

    @Override
    public void close() {
        // a residual array may be recorded under two keys (resid_post of l is resid_pre of l+1)
        Set<NDArray> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
        distinct.addAll(activations.values());
        distinct.add(logits);
        if (tokenLosses != null) {
            distinct.add(tokenLosses);
        }
        for (NDArray a : distinct) {
            a.close();
        }
    }
}
