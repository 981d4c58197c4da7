package org.headlab.core.estimate.llc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.headlab.core.model.TorchEngine;
import org.headlab.core.model.HeadPath;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;

/**
 * The fast path for a chain restricted to one head l:h. Two savings, both exact up to float rounding:
 * (a) the head's inputs and the residual stream without the head are computed once per window at w*, when a
 * minibatch first draws it ({@link HeadWindowCache}; in a sweep, once for all the layer's heads:
 * {@link LayerWindowCache}), so a step runs only the head and the layers after it; (b) all C chains run
 * as one engine call, as C·B rows of one batch with chain-specific head weights stacked as [C,...]
 * ({@link Transformer#headGradients}). Noise is drawn per chain in the same canonical order as the plain path,
 * so the same seed gives the same chains.
 */
final class HeadChainsTarget implements SgldTarget {
    private static final String[] WEIGHTS = {"W_Q", "W_K", "W_V", "W_O"};
    private static final String[] BIASES = {"b_Q", "b_K", "b_V"};

    private final NDManager root;
    private final Transformer centre;
    private final HeadWindowCache inputs;
    private final LayerWindowCache ownLayerInputs;
    private final LlcData data;
    private final int layer;
    private final int head;
    private final int chains;
    private final List<String> keys = new ArrayList<>();
    private final Map<String, NDArray> w = new LinkedHashMap<>();
    private final Map<String, NDArray> w0 = new LinkedHashMap<>();
    private final Map<String, NDArray[]> prevDelta = new LinkedHashMap<>();
    private final NDManager stateManager;
    private NDManager gradManager;
    private HeadPath.HeadGradients grads;
    private boolean[] lastActive;
    private int[] lastRows0;
    private int[][] upcoming = new int[0][];
    private int[][] probe;
    private HeadPath.HeadInputs probeInputs;

    /**
     * @param shared the layer's inputs on {@code data} shared with other heads' estimates (a sweep's), or null to
     *     compute them for this estimate alone
     */
    HeadChainsTarget(ModelConfig config, Map<String, HostTensor> weights, int layer, int head,
            boolean includeBiases, LlcData data, int chains, LayerWindowCache shared) {
        this.root = TorchEngine.newManager();
        try {
            this.data = data;
            this.layer = layer;
            this.head = head;
            this.chains = chains;
            this.centre = Transformer.create(config, weights, root);
            if (shared != null && shared.layer() != layer) {
                throw new IllegalArgumentException("layer " + shared.layer() + "'s inputs for a head of layer " + layer);
            }
            this.ownLayerInputs = shared == null ? new LayerWindowCache(config, weights, data, layer) : null;
            this.inputs = new HeadWindowCache(centre, shared == null ? ownLayerInputs : shared, data, head,
                    root.newSubManager());
            this.stateManager = root.newSubManager();
            List<String> names = new ArrayList<>(List.of(WEIGHTS));
            if (includeBiases) {
                names.addAll(List.of(BIASES));
            }
            for (String k : names) {
                NDArray slice = centre.parameter("blocks." + layer + ".attn." + k).get(new NDIndex(head));
                NDArray stacked = slice.expandDims(0).repeat(0, chains);
                slice.close();
                stacked.attach(root);
                w0.put(k, stacked);
                NDArray copy = stacked.duplicate();
                copy.attach(root);
                w.put(k, copy);
                prevDelta.put(k, new NDArray[3]); // previous Δ, RMSProp's g² mean | SGNHT's momentum, thermostat
                keys.add(k);
            }
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
    }

    @Override
    public int size() {
        return data.size();
    }

    @Override
    public int chains() {
        return chains;
    }

    @Override
    public double centreLoss(int[] rows) {
        return centre.loss(data.rows(rows));
    }

    @Override
    public double[] lossesAndGradients(int[][] rows, boolean[] active) {
        int[][] all = new int[chains][];
        for (int c = 0; c < chains; c++) {
            // an inactive chain still occupies its rows (its weights were reset to w*); its loss is ignored
            all[c] = rows[c] != null ? rows[c] : firstActiveRows(rows);
        }
        if (gradManager != null) {
            gradManager.close();
        }
        gradManager = root.newSubManager();
        HeadPath.HeadInputs in = inputs.ensure(all, upcoming);
        long t0 = SgldProfile.start();
        grads = centre.headPath().headGradients(gradManager, in, all, w);
        SgldProfile.add("head: forward+backward", t0);
        double[] out = grads.losses().clone();
        for (int c = 0; c < chains; c++) {
            if (!active[c]) {
                out[c] = Double.NaN;
            }
        }
        return out;
    }

    @Override
    public double[][] probeLosses(int[][] probeWindows, boolean[] active) {
        if (probeWindows != probe) {
            // the head's inputs do not depend on its weights: computed once at w* for the estimate's probe
            if (probeInputs != null) {
                probeInputs.close();
            }
            probeInputs = centre.headPath().headInputs(root, probeWindows, layer, head);
            probe = probeWindows;
        }
        int[] all = new int[probeWindows.length];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        int[][] rows = new int[chains][];
        java.util.Arrays.fill(rows, all);
        long t0 = SgldProfile.start();
        double[][] out = centre.headPath().headTokenLosses(probeInputs, rows, w);
        SgldProfile.add("head: probe forward", t0);
        for (int c = 0; c < chains; c++) {
            if (!active[c]) {
                out[c] = null;
            }
        }
        return out;
    }

    @Override
    public void upcoming(int[][] rows) {
        upcoming = rows;
    }

    private static int[] firstActiveRows(int[][] rows) {
        for (int[] r : rows) {
            if (r != null) {
                return r;
            }
        }
        throw new IllegalStateException("no active chain");
    }

    @Override
    public SgldUpdate.StepTerms[] step(SgldUpdate update, RandomGenerator[] rngs, boolean[] active, boolean mala) {
        boolean allActive = true;
        for (boolean a : active) {
            allActive &= a;
        }
        long t0 = SgldProfile.start();
        // noise in the plain path's order: per chain, then parameter, then coordinate
        Map<String, float[]> noise = new LinkedHashMap<>();
        for (String k : keys) {
            noise.put(k, new float[Math.toIntExact(w.get(k).size())]);
        }
        for (int c = 0; c < chains; c++) {
            if (!active[c]) {
                continue;
            }
            for (String k : keys) {
                float[] xi = noise.get(k);
                int per = xi.length / chains;
                for (int i = c * per; i < (c + 1) * per; i++) {
                    xi[i] = (float) rngs[c].nextGaussian();
                }
            }
        }
        t0 = SgldProfile.add("head: noise (Java)", t0);
        SgldUpdate.StepTerms[] terms = new SgldUpdate.StepTerms[chains];
        java.util.Arrays.fill(terms, new SgldUpdate.StepTerms(0, 0, 0));
        try (NDManager s = root.newSubManager()) {
            for (String k : keys) {
                NDArray wk = w.get(k);
                NDArray x0 = w0.get(k);
                NDArray g = grads.gradients().get(k);
                NDArray xi = s.create(noise.get(k), wk.getShape());
                NDArray mask = null;
                s.tempAttachAll(wk, x0, g);
                if (!allActive) {
                    resetInactive(wk, x0, active, s);
                    mask = activeMask(active, wk.getShape(), s);
                }
                SgldUpdate.StepTerms[] t = update.step(wk, x0, g, xi, mask, prevDelta.get(k), mala, stateManager,
                        chains);
                for (int c = 0; c < chains; c++) {
                    terms[c] = terms[c].plus(t[c]);
                }
            }
        }
        SgldProfile.add("head: update", t0);
        return terms;
    }

    private void resetInactive(NDArray wk, NDArray x0, boolean[] active, NDManager s) {
        for (int c = 0; c < chains; c++) {
            if (!active[c]) {
                wk.set(new NDIndex(c), x0.get(new NDIndex(c)));
            }
        }
    }

    private NDArray activeMask(boolean[] active, Shape shape, NDManager s) {
        int per = Math.toIntExact(shape.size() / chains);
        boolean[] m = new boolean[per * chains];
        for (int c = 0; c < chains; c++) {
            java.util.Arrays.fill(m, c * per, (c + 1) * per, active[c]);
        }
        return s.create(m, shape);
    }

    /** Chain c's current value of slice [h] of one head parameter (W_Q, ...), in Java memory (tests). */
    float[] chainWeights(int chain, String key) {
        try (NDArray a = w.get(key).get(new NDIndex(chain))) {
            return a.toFloatArray();
        }
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", "head");
        m.put("mask", "head " + layer + ":" + head + " " + keys);
        m.put("dataset", data.name());
        m.put("samples", data.size());
        m.put("sequence_length", data.length());
        return m;
    }

    @Override
    public void close() {
        root.close();
        if (ownLayerInputs != null) {
            ownLayerInputs.close();
        }
    }
}
