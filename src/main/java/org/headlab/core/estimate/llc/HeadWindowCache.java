package org.headlab.core.estimate.llc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.headlab.core.model.HeadPath;
import org.headlab.core.model.Transformer;

/**
 * The head path's inputs at w* ({@link Transformer#headInputs}), computed lazily: only the windows a minibatch
 * actually draws, each once, and only when first drawn. Precomputing the whole slice up front made short runs
 * slower than the plain loop (the dyck run's train slice is thousands of windows; a 60-draw run was dominated by
 * that one pass, and its all-at-once activations cost gigabytes). A window's inputs do not depend on which other
 * windows share its batch, so computing them in the step's batch instead of all at once changes nothing but float
 * rounding in the matmuls.
 *
 * <p>What the layer's heads share (the heads' inputs, resid_pre, z) comes from a {@link LayerWindowCache}, the
 * estimate's own or one shared by a sweep's tasks; this head's own part is the residual stream without it
 * ({@link Transformer#headBase}), [N,T,D], rows that were never drawn stay zero. {@link #ensure} fills the rows of
 * one step and returns a view over the whole cache that {@link Transformer#headGradients} indexes by window.
 */
final class HeadWindowCache {
    /** Windows per forward pass when upcoming windows can fill it (see {@link #ensure(int[][], int[][])}). */
    static final int CHUNK = Integer.getInteger("headlab.sgld.chunk", 256);

    private final Transformer centre;
    private final LayerWindowCache layerInputs;
    private final int layer;
    private final int head;
    private final NDManager manager;
    private final boolean[] ready;
    private final NDArray tokens;
    private NDArray base;
    private int computed;

    /**
     * @param centre the model at w* (for this head's base; the estimate's own)
     * @param layerInputs the layer's shared inputs on the same windows as {@code data}
     */
    HeadWindowCache(Transformer centre, LayerWindowCache layerInputs, LlcData data, int head, NDManager manager) {
        if (!layerInputs.covers(data)) {
            throw new IllegalArgumentException("the layer's inputs were made for other windows");
        }
        this.centre = centre;
        this.layerInputs = layerInputs;
        this.layer = layerInputs.layer();
        this.head = head;
        this.manager = manager;
        this.ready = new boolean[data.size()];
        long[] ids = new long[data.size() * data.length()];
        int t = data.length();
        for (int i = 0; i < data.size(); i++) {
            int[] s = data.sequences()[i];
            for (int j = 0; j < t; j++) {
                ids[i * t + j] = s[j];
            }
        }
        this.tokens = manager.create(ids, new Shape(data.size(), t));
    }

    /** Computes the inputs of every window in {@code rows} not computed yet; returns the whole cache. */
    HeadPath.HeadInputs ensure(int[][] rows) {
        return ensure(rows, new int[0][]);
    }

    /**
     * Like {@link #ensure(int[][])}; when some window of {@code rows} is new, the pass also takes new windows of
     * {@code upcoming} (the chains' next batches, {@link SgldTarget#upcoming}) up to {@link #CHUNK} in all. Per
     * window a forward pass costs about twice as much CPU in chunks of 32–40 (what one step alone brings late in
     * a pass) as in chunks of 128–256; beyond 512 it grows again (measured on the dyck run, 1 thread).
     */
    HeadPath.HeadInputs ensure(int[][] rows, int[][] upcoming) {
        int[] missing = new int[ready.length];
        int m = 0;
        for (int[] r : rows) {
            for (int i : r) {
                if (!ready[i]) {
                    ready[i] = true; // also de-duplicates windows drawn twice in this step
                    missing[m++] = i;
                }
            }
        }
        if (m > 0) {
            for (int c = 0; m < CHUNK && c < upcoming.length; c++) {
                for (int j = 0; m < CHUNK && j < upcoming[c].length; j++) {
                    int i = upcoming[c][j];
                    if (!ready[i]) {
                        ready[i] = true;
                        missing[m++] = i;
                    }
                }
            }
            fill(Arrays.copyOf(missing, m));
        }
        return new HeadPath.HeadInputs(layer, head, layerInputs.qkIn(), layerInputs.vIn(), base, tokens);
    }

    private void fill(int[] windows) {
        layerInputs.ensure(windows); // a no-op for windows another head of the layer already brought
        try (NDManager s = manager.newSubManager()) {
            long t0 = SgldProfile.start();
            long[] idx = new long[windows.length];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = windows[i];
            }
            NDArray at = s.create(idx);
            NDArray rows = centre.headPath().headBase(s, Transformer.gather(layerInputs.rest(), at, s),
                    Transformer.gather(layerInputs.z(), at, s), layer, head);
            if (base == null) {
                Shape r = rows.getShape();
                base = manager.zeros(new Shape(ready.length, r.get(1), r.get(2)), rows.getDataType());
            }
            base.set(new NDIndex("{}", at), rows);
            SgldProfile.add("head: inputs: base", t0);
        }
        computed += windows.length;
    }

    /** How many windows of this head have been computed so far (each at most once). */
    int computedWindows() {
        return computed;
    }
}
