package org.headlab.core.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.headlab.core.HeadLabException;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;

/**
 * Which parameter coordinates a gradient (and later an SGLD chain) may touch: per TransformerLens parameter name
 * either the whole tensor or a 0/1 selection of its coordinates. Names that are absent are frozen entirely: the
 * model does not even track their gradient.
 *
 * <p>A head {@code l:h} is the slices {@code [h]} of {@code blocks.l.attn.W_Q/W_K/W_V/W_O}, optionally with the
 * slices {@code [h]} of {@code b_Q/b_K/b_V}; {@code b_O} is shared by all heads and never part of one
 * (estimators.md §3.1). Immutable.
 */
public final class ParameterMask {

    private final Map<String, int[]> shapes;
    /** name → selected coordinates (row-major); a null value means the whole tensor. Config order. */
    private final Map<String, boolean[]> selection;

    private ParameterMask(Map<String, int[]> shapes, Map<String, boolean[]> selection) {
        this.shapes = shapes;
        Map<String, boolean[]> ordered = new LinkedHashMap<>();
        for (String name : shapes.keySet()) {
            if (selection.containsKey(name)) {
                boolean[] s = selection.get(name);
                if (s == null || allTrue(s)) {
                    ordered.put(name, null);
                } else if (anyTrue(s)) {
                    ordered.put(name, s);
                }
            }
        }
        this.selection = Collections.unmodifiableMap(ordered);
    }

    /** Every parameter of the model (the full LLC). */
    public static ParameterMask full(ModelConfig config) {
        Map<String, int[]> shapes = config.parameterShapes();
        Map<String, boolean[]> sel = new LinkedHashMap<>();
        shapes.keySet().forEach(n -> sel.put(n, null));
        return new ParameterMask(shapes, sel);
    }

    /** Nothing at all; the neutral element of {@link #union}. */
    public static ParameterMask none(ModelConfig config) {
        return new ParameterMask(config.parameterShapes(), Map.of());
    }

    /**
     * Head {@code layer:head}: its slices of W_Q, W_K, W_V, W_O and, with {@code includeBiases}, of b_Q, b_K, b_V.
     */
    public static ParameterMask head(ModelConfig config, int layer, int head, boolean includeBiases) {
        checkLayer(config, layer);
        if (head < 0 || head >= config.nHeads()) {
            throw new HeadLabException("head " + layer + ":" + head + " does not exist: the model has heads 0.."
                    + (config.nHeads() - 1) + " per layer");
        }
        Map<String, int[]> shapes = config.parameterShapes();
        Map<String, boolean[]> sel = new LinkedHashMap<>();
        String a = "blocks." + layer + ".attn.";
        for (String w : new String[] {"W_Q", "W_K", "W_V", "W_O"}) {
            sel.put(a + w, firstAxisSlice(shapes.get(a + w), head));
        }
        if (includeBiases) {
            for (String b : new String[] {"b_Q", "b_K", "b_V"}) {
                sel.put(a + b, firstAxisSlice(shapes.get(a + b), head));
            }
        }
        return new ParameterMask(shapes, sel);
    }

    /**
     * {layer, head, biases 0/1} when this mask is exactly one head's W_Q/W_K/W_V/W_O slices (with or without its
     * b_Q/b_K/b_V), else null: the masks that {@link HeadPath} can differentiate without the rest of the model.
     */
    public int[] singleHead(ModelConfig config) {
        for (int l = 0; l < config.nLayers(); l++) {
            for (int h = 0; h < config.nHeads(); h++) {
                for (boolean b : new boolean[] {false, true}) {
                    ParameterMask m = head(config, l, h, b);
                    if (m.parameterNames().equals(parameterNames()) && m.size() == size()
                            && m.union(this).size() == m.size()) {
                        return new int[] {l, h, b ? 1 : 0};
                    }
                }
            }
        }
        return null;
    }

    /** Every parameter of block {@code layer}: norms, attention (all heads, b_O) and MLP. */
    public static ParameterMask layer(ModelConfig config, int layer) {
        checkLayer(config, layer);
        Map<String, int[]> shapes = config.parameterShapes();
        Map<String, boolean[]> sel = new LinkedHashMap<>();
        String prefix = "blocks." + layer + ".";
        shapes.keySet().stream().filter(n -> n.startsWith(prefix)).forEach(n -> sel.put(n, null));
        return new ParameterMask(shapes, sel);
    }

    /** Whole parameters by TransformerLens name. */
    public static ParameterMask named(ModelConfig config, Set<String> names) {
        Map<String, int[]> shapes = config.parameterShapes();
        Map<String, boolean[]> sel = new LinkedHashMap<>();
        for (String n : names) {
            if (!shapes.containsKey(n)) {
                throw new HeadLabException("parameter '" + n + "' does not exist in this model");
            }
            sel.put(n, null);
        }
        return new ParameterMask(shapes, sel);
    }

    /**
     * Explicit 0/1 masks per parameter name (any value other than 0 and 1 is refused); names not given are frozen.
     */
    public static ParameterMask of(ModelConfig config, Map<String, HostTensor> masks) {
        Map<String, int[]> shapes = config.parameterShapes();
        Map<String, boolean[]> sel = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : masks.entrySet()) {
            int[] shape = shapes.get(e.getKey());
            if (shape == null) {
                throw new HeadLabException("mask for parameter '" + e.getKey() + "' which does not exist");
            }
            if (!e.getValue().sameShape(shape)) {
                throw new HeadLabException("mask for '" + e.getKey() + "' has shape "
                        + Arrays.toString(e.getValue().shape()) + ", parameter has " + Arrays.toString(shape));
            }
            float[] d = e.getValue().data();
            boolean[] s = new boolean[d.length];
            for (int i = 0; i < d.length; i++) {
                if (d[i] != 0f && d[i] != 1f) {
                    throw new HeadLabException("mask for '" + e.getKey() + "' holds " + d[i] + " at index " + i
                            + "; only 0 and 1 are allowed");
                }
                s[i] = d[i] == 1f;
            }
            sel.put(e.getKey(), s);
        }
        return new ParameterMask(shapes, sel);
    }

    /** Coordinates selected by this mask or by {@code other}. */
    public ParameterMask union(ParameterMask other) {
        if (!sameShapes(other)) {
            throw new IllegalArgumentException("masks of differently shaped models cannot be combined");
        }
        Map<String, boolean[]> sel = new LinkedHashMap<>();
        for (String n : shapes.keySet()) {
            boolean mine = selection.containsKey(n);
            boolean theirs = other.selection.containsKey(n);
            if (!mine && !theirs) {
                continue;
            }
            boolean[] a = selection.get(n);
            boolean[] b = other.selection.get(n);
            if ((mine && a == null) || (theirs && b == null)) {
                sel.put(n, null);
            } else if (!mine) {
                sel.put(n, b);
            } else if (!theirs) {
                sel.put(n, a);
            } else {
                boolean[] u = new boolean[a.length];
                for (int i = 0; i < u.length; i++) {
                    u[i] = a[i] || b[i];
                }
                sel.put(n, u);
            }
        }
        return new ParameterMask(shapes, sel);
    }

    public static ParameterMask union(ParameterMask first, ParameterMask... more) {
        ParameterMask m = first;
        for (ParameterMask o : more) {
            m = m.union(o);
        }
        return m;
    }

    /** Names with at least one selected coordinate, in the config's parameter order. */
    public Set<String> parameterNames() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(selection.keySet()));
    }

    public boolean contains(String name) {
        return selection.containsKey(name);
    }

    /** True when every coordinate of {@code name} is selected. */
    public boolean isWhole(String name) {
        return selection.containsKey(name) && selection.get(name) == null;
    }

    /** The 0/1 mask of one parameter in its shape (all zeros for a frozen one). */
    public HostTensor mask(String name) {
        int[] shape = shapes.get(name);
        if (shape == null) {
            throw new IllegalArgumentException("no parameter '" + name + "'");
        }
        HostTensor t = HostTensor.zeros(shape);
        if (selection.containsKey(name)) {
            boolean[] s = selection.get(name);
            float[] d = t.data();
            for (int i = 0; i < d.length; i++) {
                d[i] = s == null || s[i] ? 1f : 0f;
            }
        }
        return t;
    }

    /** The selected coordinates of a partially selected parameter; null when it is whole or absent. */
    boolean[] partialSelection(String name) {
        boolean[] s = selection.get(name);
        return s == null ? null : s.clone();
    }

    /** Number of selected coordinates. */
    public long size() {
        long n = 0;
        for (Map.Entry<String, boolean[]> e : selection.entrySet()) {
            if (e.getValue() == null) {
                n += HostTensor.numel(shapes.get(e.getKey()));
            } else {
                for (boolean b : e.getValue()) {
                    n += b ? 1 : 0;
                }
            }
        }
        return n;
    }

    public boolean isEmpty() {
        return selection.isEmpty();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ParameterMask[");
        selection.forEach((n, s) -> sb.append(n).append(s == null ? "" : "(partial)").append(' '));
        return sb.append(size()).append(" coordinates]").toString();
    }

    /** True when this mask was made for a model with exactly {@code config}'s parameters and shapes. */
    public boolean matches(ModelConfig config) {
        return sameShapes(config.parameterShapes());
    }

    private boolean sameShapes(ParameterMask other) {
        return sameShapes(other.shapes);
    }

    private boolean sameShapes(Map<String, int[]> other) {
        if (!shapes.keySet().equals(other.keySet())) {
            return false;
        }
        return shapes.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), other.get(e.getKey())));
    }

    private static void checkLayer(ModelConfig config, int layer) {
        if (layer < 0 || layer >= config.nLayers()) {
            throw new HeadLabException("layer " + layer + " does not exist: the model has layers 0.."
                    + (config.nLayers() - 1));
        }
    }

    /** Row-major: slice {@code [i]} of the first axis is one contiguous run. */
    private static boolean[] firstAxisSlice(int[] shape, int index) {
        boolean[] s = new boolean[Math.toIntExact(HostTensor.numel(shape))];
        int run = s.length / shape[0];
        Arrays.fill(s, index * run, (index + 1) * run, true);
        return s;
    }

    private static boolean allTrue(boolean[] s) {
        for (boolean b : s) {
            if (!b) {
                return false;
            }
        }
        return true;
    }

    private static boolean anyTrue(boolean[] s) {
        for (boolean b : s) {
            if (b) {
                return true;
            }
        }
        return false;
    }
}
