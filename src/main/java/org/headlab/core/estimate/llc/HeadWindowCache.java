package org.headlab.core.estimate.llc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.headlab.core.model.Transformer;

/**
 * The head path's inputs at w* ({@link Transformer#headInputs}), computed lazily: only the windows a minibatch
 * actually draws, each once, and only when first drawn. Precomputing the whole slice up front made short runs
 * slower than the plain loop (the dyck run's train slice is thousands of windows; a 60-draw run was dominated by
 * that one pass, and its all-at-once activations cost gigabytes). A window's inputs do not depend on which other
 * windows share its batch, so computing them in the step's batch instead of all at once changes nothing but float
 * rounding in the matmuls.
 *
 * <p>The arrays are [N,T,D] (tokens [N,T]) and rows that were never drawn stay zero; {@link #ensure} fills the
 * rows of one step with one forward pass of the missing windows and returns a view over the whole cache that
 * {@link Transformer#headGradients} indexes by window.
 */
final class HeadWindowCache {
    /** Windows per forward pass when upcoming windows can fill it (see {@link #ensure(int[][], int[][])}). */
    static final int CHUNK = Integer.getInteger("headlab.sgld.chunk", 256);

    private final Transformer centre;
    private final LlcData data;
    private final int layer;
    private final int head;
    private final NDManager manager;
    private final boolean[] ready;
    private final NDArray tokens;
    private NDArray qkIn;
    private NDArray vIn;
    private NDArray base;
    private int computed;

    HeadWindowCache(Transformer centre, LlcData data, int layer, int head, NDManager manager) {
        this.centre = centre;
        this.data = data;
        this.layer = layer;
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
    Transformer.HeadInputs ensure(int[][] rows) {
        return ensure(rows, new int[0][]);
    }

    /**
     * Like {@link #ensure(int[][])}; when some window of {@code rows} is new, the pass also takes new windows of
     * {@code upcoming} (the chains' next batches, {@link SgldTarget#upcoming}) up to {@link #CHUNK} in all. Per
     * window a forward pass costs about twice as much CPU in chunks of 32–40 (what one step alone brings late in
     * a pass) as in chunks of 128–256; beyond 512 it grows again (measured on the dyck run, 1 thread).
     */
    Transformer.HeadInputs ensure(int[][] rows, int[][] upcoming) {
        int[] missing = new int[data.size()];
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
        return new Transformer.HeadInputs(layer, head, qkIn, vIn, base, tokens);
    }

    private void fill(int[] windows) {
        try (NDManager s = manager.newSubManager()) {
            long t0 = SgldProfile.start();
            Transformer.HeadInputs in = centre.headInputs(s, data.rows(windows), layer, head);
            t0 = SgldProfile.add("head: inputs: forward", t0);
            if (qkIn == null) {
                qkIn = zeros(in.qkIn());
                // without shortformer positions the query/key and value inputs are the same array: keep one
                vIn = in.vIn() == in.qkIn() ? qkIn : zeros(in.vIn());
                base = zeros(in.base());
            }
            long[] idx = new long[windows.length];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = windows[i];
            }
            NDIndex at = new NDIndex("{}", s.create(idx));
            qkIn.set(at, in.qkIn());
            if (vIn != qkIn) {
                vIn.set(at, in.vIn());
            }
            base.set(at, in.base());
            SgldProfile.add("head: inputs: store", t0);
        }
        computed += windows.length;
    }

    private NDArray zeros(NDArray like) {
        Shape s = like.getShape();
        return manager.zeros(new Shape(data.size(), s.get(1), s.get(2)), like.getDataType());
    }

    /** How many windows have been computed so far (each at most once). */
    int computedWindows() {
        return computed;
    }
}
