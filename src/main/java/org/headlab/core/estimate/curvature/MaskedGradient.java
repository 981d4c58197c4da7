package org.headlab.core.estimate.curvature;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.headlab.core.HeadLabException;
import org.headlab.core.model.HeadPath;
import org.headlab.core.model.LossAndGradients;
import org.headlab.core.model.ParameterMask;
import org.headlab.core.model.TorchEngine;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;

/**
 * The mean next-token loss's gradient over a fixed set of sequences, restricted to the coordinates a mask selects
 * (a head's W_Q/W_K/W_V/W_O slices, a layer, the model), as a function of a displacement of those coordinates from
 * the checkpoint's weights: the oracle the curvature estimators differentiate once more. Coordinates are in a fixed
 * order (parameters in the config's order, flat index within each).
 */
public final class MaskedGradient {
    private final ModelConfig config;
    private final Map<String, HostTensor> weights;
    private final ParameterMask mask;
    private final int[][] sequences;
    private final List<String> names = new ArrayList<>();
    private final List<int[]> indices = new ArrayList<>();
    private final int size;

    public MaskedGradient(ModelConfig config, Map<String, HostTensor> weights, ParameterMask mask, int[][] sequences) {
        if (mask.isEmpty()) {
            throw new HeadLabException("the parameter mask selects nothing to differentiate");
        }
        if (sequences.length == 0) {
            throw new HeadLabException("no sequences to evaluate the loss on");
        }
        this.config = config;
        this.weights = weights;
        this.mask = mask;
        this.sequences = sequences;
        int n = 0;
        for (String name : config.parameterShapes().keySet()) {
            if (!mask.contains(name)) {
                continue;
            }
            float[] m = mask.mask(name).data();
            int count = 0;
            for (float v : m) {
                count += v != 0 ? 1 : 0;
            }
            int[] idx = new int[count];
            for (int i = 0, j = 0; i < m.length; i++) {
                if (m[i] != 0) {
                    idx[j++] = i;
                }
            }
            names.add(name);
            indices.add(idx);
            n += count;
        }
        this.size = n;
    }

    /** How many coordinates the mask selects. */
    public int size() {
        return size;
    }

    /** The selected coordinates' values at the checkpoint. */
    public double[] point() {
        double[] out = new double[size];
        int k = 0;
        for (int p = 0; p < names.size(); p++) {
            float[] d = weights.get(names.get(p)).data();
            for (int i : indices.get(p)) {
                out[k++] = d[i];
            }
        }
        return out;
    }

    /** The gradient of the loss at the checkpoint's weights displaced by {@code delta} (selected coordinates). */
    public double[] at(double[] delta) {
        if (delta.length != size) {
            throw new IllegalArgumentException("displacement of " + delta.length + " coordinates, not " + size);
        }
        Map<String, HostTensor> moved = new HashMap<>(weights);
        int k = 0;
        for (int p = 0; p < names.size(); p++) {
            HostTensor t = weights.get(names.get(p));
            float[] d = t.data().clone();
            for (int i : indices.get(p)) {
                d[i] = (float) (d[i] + delta[k++]);
            }
            moved.put(names.get(p), new HostTensor(t.shape(), d));
        }
        LossAndGradients g;
        try (Transformer t = Transformer.create(config, ordered(moved))) {
            g = t.lossAndGradients(sequences, mask);
        }
        return select(g.gradients(), "the gradient");
    }

    private Map<String, HostTensor> ordered(Map<String, HostTensor> w) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        config.parameterShapes().keySet().forEach(n -> out.put(n, w.get(n)));
        return out;
    }

    /** The selected coordinates of per-parameter arrays, in this oracle's order; each must be finite. */
    private double[] select(Map<String, HostTensor> perParameter, String what) {
        double[] out = new double[size];
        int k = 0;
        for (int p = 0; p < names.size(); p++) {
            HostTensor a = perParameter.get(names.get(p));
            for (int i : indices.get(p)) {
                double v = a == null ? 0 : a.data()[i];
                if (!Double.isFinite(v)) {
                    throw new HeadLabException(what + " of " + names.get(p) + " is not finite at this point");
                }
                out[k++] = v;
            }
        }
        return out;
    }

    /**
     * H·v by double backward through the model at the checkpoint's weights (exact up to float32 rounding): the
     * independent second implementation that {@link #hessianTimes(double[], double)} is checked against. Not for
     * the estimators: each call leaks its pass's graph in native memory ({@link Transformer#hessianTimes}; ADR
     * 0008), harmless for the tiny models of the checks.
     */
    public double[] hessianTimesByDoubleBackward(double[] v) {
        if (v.length != size) {
            throw new IllegalArgumentException("direction of " + v.length + " coordinates, not " + size);
        }
        Map<String, HostTensor> direction = new LinkedHashMap<>();
        int k = 0;
        for (int p = 0; p < names.size(); p++) {
            HostTensor t = weights.get(names.get(p));
            float[] d = new float[t.data().length];
            for (int i : indices.get(p)) {
                d[i] = (float) v[k++];
            }
            direction.put(names.get(p), new HostTensor(t.shape(), d));
        }
        Map<String, HostTensor> products;
        try (Transformer t = Transformer.create(config, ordered(weights))) {
            products = t.hessianTimes(sequences, mask, direction);
        }
        return select(products, "the Hessian-vector product");
    }

    /**
     * H·v by central differences of gradients: (g(w + h·v) − g(w − h·v)) / 2h. The error is O(h²) from the third
     * derivative plus float32 rounding of the gradients over 2h; see {@link HessianTrace#DEFAULT_STEP}.
     */
    public double[] hessianTimes(double[] v, double h) {
        double[] plus = new double[size];
        double[] minus = new double[size];
        for (int i = 0; i < size; i++) {
            plus[i] = h * v[i];
            minus[i] = -h * v[i];
        }
        double[] gp = at(plus);
        double[] gm = at(minus);
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            out[i] = (gp[i] - gm[i]) / (2 * h);
        }
        return out;
    }

    /** H·v at one finite-difference step, holding what it needs in native memory until closed. */
    @FunctionalInterface
    public interface HessianProduct extends AutoCloseable {
        double[] times(double[] v);

        /** Frees what the product holds; nothing by default. */
        @Override
        default void close() {
        }
    }

    /**
     * H·v by central differences at step {@code h}, the way the curvature estimators take it. For a mask of one head
     * ({@link ParameterMask#singleHead}) both displaced gradients come from one call of the head path
     * ({@link HeadPath#headGradients}: w + h·v and w − h·v as two chains over the same windows, the head's inputs
     * computed once at the checkpoint, nothing upstream of the head's layer run again), for any other mask from two
     * passes of the whole model ({@link #hessianTimes}). The same quotient either way; the head path's gradients
     * equal the whole model's to float rounding (LlcTransformerTest), checked here against {@link #hessianTimes}
     * and the double backward in HessianTraceTest.
     */
    public HessianProduct hessianProduct(double h) {
        int[] head = mask.singleHead(config);
        if (head == null) {
            return v -> hessianTimes(v, h);
        }
        return new HeadPathProduct(head[0], head[1], h);
    }

    /** {@link #hessianProduct} for a one-head mask. */
    private final class HeadPathProduct implements HessianProduct {
        private final double h;
        private final NDManager manager = TorchEngine.newManager();
        private final Transformer model;
        private final HeadPath.HeadInputs inputs;
        private final double[] centre = point();
        private final String[] keys = new String[names.size()];
        private final long[][] shapes = new long[names.size()][];
        private final int[][] rows;

        HeadPathProduct(int layer, int head, double h) {
            this.h = h;
            try {
                model = Transformer.create(config, ordered(weights), manager);
                inputs = model.headPath().headInputs(manager, sequences, layer, head);
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
            for (int p = 0; p < names.size(); p++) {
                String name = names.get(p);
                keys[p] = name.substring(name.lastIndexOf('.') + 1); // W_Q, …, b_V: the head path's keys
                // the mask's indices of a parameter are slice [head] in its row-major order: the chains' layout
                int[] full = config.parameterShapes().get(name);
                shapes[p] = new long[full.length];
                shapes[p][0] = 2;
                for (int a = 1; a < full.length; a++) {
                    shapes[p][a] = full[a];
                }
            }
            int[] all = new int[sequences.length];
            Arrays.setAll(all, i -> i);
            rows = new int[][] {all, all};
        }

        @Override
        public double[] times(double[] v) {
            if (v.length != size) {
                throw new IllegalArgumentException("direction of " + v.length + " coordinates, not " + size);
            }
            double[] out = new double[size];
            try (NDManager s = manager.newSubManager()) {
                Map<String, NDArray> displaced = new LinkedHashMap<>();
                int k = 0;
                for (int p = 0; p < keys.length; p++) {
                    int n = indices.get(p).length;
                    float[] both = new float[2 * n];
                    for (int i = 0; i < n; i++, k++) {
                        both[i] = (float) (centre[k] + h * v[k]);
                        both[n + i] = (float) (centre[k] - h * v[k]);
                    }
                    displaced.put(keys[p], s.create(both, new Shape(shapes[p])));
                }
                HeadPath.HeadGradients g = model.headPath().headGradients(s, inputs, rows, displaced);
                k = 0;
                for (int p = 0; p < keys.length; p++) {
                    float[] gr = g.gradients().get(keys[p]).toFloatArray();
                    int n = indices.get(p).length;
                    for (int i = 0; i < n; i++) {
                        double x = (gr[i] - (double) gr[n + i]) / (2 * h);
                        if (!Double.isFinite(x)) {
                            throw new HeadLabException("the gradient of " + names.get(p) + " is not finite at this"
                                    + " point");
                        }
                        out[k++] = x;
                    }
                }
            }
            return out;
        }

        @Override
        public void close() {
            inputs.close();
            model.close();
            manager.close();
        }
    }
}
