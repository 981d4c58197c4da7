package org.headlab.core.estimate.llc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.headlab.core.model.TorchEngine;
import org.headlab.core.model.HeadPath;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;

/**
 * What every head of one layer needs at w* on a slice's windows ({@link Transformer#layerInputs}: the part of
 * resid_post outside the attention, the heads' inputs, the layer's z), computed lazily, each window once, only
 * when some head's minibatch first draws it. One estimate alone owns one; in a sweep the heads of a checkpoint's layer share one
 * ({@link org.headlab.core.estimate.SharedWork}), so the forward pass up to the layer's attention runs once for the
 * layer's heads instead of once per head (on lm it was 16 of a layer-1 head's 38 s, docs/benchmarks.md).
 *
 * <p>Thread-safe: {@link #ensure} is synchronized, and a window's rows never change once computed, so tasks read
 * computed rows ({@link Transformer#gather}) while another task fills other rows.
 */
final class LayerWindowCache implements AutoCloseable {
    private final NDManager manager;
    private final Transformer centre;
    private final LlcData data;
    private final int layer;
    private final boolean[] ready;
    private NDArray rest;
    private NDArray qkIn;
    private NDArray vIn;
    private NDArray z;
    private int computed;

    LayerWindowCache(ModelConfig config, Map<String, HostTensor> weights, LlcData data, int layer) {
        this.manager = TorchEngine.newManager();
        try {
            this.centre = Transformer.create(config, weights, manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        this.data = data;
        this.layer = layer;
        this.ready = new boolean[data.size()];
    }

    int layer() {
        return layer;
    }

    /** Whether this cache was made for these windows (the same slice, the same order). */
    boolean covers(LlcData other) {
        return other == data || other.size() == data.size() && other.length() == data.length()
                && java.util.Arrays.deepEquals(other.sequences(), data.sequences());
    }

    /** Computes the windows of {@code windows} not computed yet, in one forward pass. */
    synchronized void ensure(int[] windows) {
        int[] missing = new int[windows.length];
        int m = 0;
        for (int i : windows) {
            if (!ready[i]) {
                ready[i] = true; // also de-duplicates a window asked for twice
                missing[m++] = i;
            }
        }
        if (m == 0) {
            return;
        }
        int[] todo = java.util.Arrays.copyOf(missing, m);
        try (NDManager s = manager.newSubManager()) {
            long t0 = SgldProfile.start();
            HeadPath.LayerInputs in = centre.headPath().layerInputs(s, data.rows(todo), layer);
            t0 = SgldProfile.add("head: inputs: forward", t0);
            if (z == null) {
                rest = zeros(in.rest());
                qkIn = zeros(in.qkIn());
                // without shortformer positions the query/key and value inputs are the same array: keep one
                vIn = in.vIn() == in.qkIn() ? qkIn : zeros(in.vIn());
                z = zeros(in.z());
            }
            long[] idx = new long[m];
            for (int i = 0; i < m; i++) {
                idx[i] = todo[i];
            }
            NDIndex at = new NDIndex("{}", s.create(idx));
            rest.set(at, in.rest());
            qkIn.set(at, in.qkIn());
            if (vIn != qkIn) {
                vIn.set(at, in.vIn());
            }
            z.set(at, in.z());
            SgldProfile.add("head: inputs: store", t0);
        }
        computed += m;
    }

    private NDArray zeros(NDArray like) {
        Shape s = like.getShape();
        long[] dims = s.getShape().clone();
        dims[0] = data.size();
        return manager.zeros(new Shape(dims), like.getDataType());
    }

    /** [N,T,D] ({@link HeadPath.LayerInputs#rest}); only rows of windows passed to {@link #ensure} are meaningful. */
    synchronized NDArray rest() {
        return rest;
    }

    synchronized NDArray qkIn() {
        return qkIn;
    }

    synchronized NDArray vIn() {
        return vIn;
    }

    /** [N,T,H,d_head]. */
    synchronized NDArray z() {
        return z;
    }

    /** How many windows have been computed so far (each at most once, whichever head asked). */
    synchronized int computedWindows() {
        return computed;
    }

    @Override
    public synchronized void close() {
        manager.close();
    }
}
