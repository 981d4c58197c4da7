package org.headlab.core.estimate.llc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.headlab.core.model.GradientArrays;
import org.headlab.core.model.ParameterMask;
import org.headlab.core.model.TorchEngine;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;

/**
 * The straightforward sampler target: one full model per chain, one full forward + backward per chain and step
 * ({@link Transformer#gradientArrays}), any {@link ParameterMask}. The reference the fast paths are checked against.
 * All native memory lives in one root manager closed by {@link #close()}.
 */
final class PlainTransformerTarget implements SgldTarget {
    private final NDManager root;
    private final Transformer centre;
    private final Transformer[] chains;
    private final ParameterMask mask;
    private final LlcData data;
    private final List<String> names;
    private final Map<String, NDArray> w0 = new LinkedHashMap<>();
    private final Map<String, NDArray> maskArrays = new LinkedHashMap<>();
    private final Map<String, int[]> selected = new LinkedHashMap<>();
    private final NDManager[] chainManagers;
    private final GradientArrays[] grads;
    private final List<Map<String, NDArray[]>> prevDelta = new ArrayList<>();

    PlainTransformerTarget(ModelConfig config, Map<String, HostTensor> weights, ParameterMask mask, LlcData data,
            int chainCount) {
        this.root = TorchEngine.newManager();
        try {
            this.mask = mask;
            this.data = data;
            this.names = List.copyOf(mask.parameterNames());
            this.centre = Transformer.create(config, weights, root);
            this.chains = new Transformer[chainCount];
            this.chainManagers = new NDManager[chainCount];
            this.grads = new GradientArrays[chainCount];
            for (int c = 0; c < chainCount; c++) {
                chains[c] = Transformer.create(config, weights, root);
                chainManagers[c] = root.newSubManager();
                Map<String, NDArray[]> pd = new LinkedHashMap<>();
                names.forEach(n -> pd.put(n, new NDArray[3])); // previous Δ, RMSProp's g² mean | SGNHT's p, ξ
                prevDelta.add(pd);
            }
            for (String n : names) {
                w0.put(n, centre.parameter(n).duplicate());
                w0.get(n).attach(root);
                HostTensor m = mask.mask(n);
                float[] md = m.data();
                int count = 0;
                for (float v : md) {
                    count += v == 1f ? 1 : 0;
                }
                int[] sel = new int[count];
                for (int i = 0, j = 0; i < md.length; i++) {
                    if (md[i] == 1f) {
                        sel[j++] = i;
                    }
                }
                selected.put(n, sel);
                if (!mask.isWhole(n)) {
                    NDArray b = root.create(md, shape(m.shape())).toType(DataType.BOOLEAN, false);
                    maskArrays.put(n, b);
                }
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
        return chains.length;
    }

    @Override
    public double centreLoss(int[] rows) {
        return centre.loss(data.rows(rows));
    }

    @Override
    public double[] lossesAndGradients(int[][] rows, boolean[] active) {
        double[] out = new double[chains.length];
        for (int c = 0; c < chains.length; c++) {
            if (grads[c] != null) {
                grads[c].close();
                grads[c] = null;
            }
            if (!active[c]) {
                out[c] = Double.NaN;
                continue;
            }
            long t0 = SgldProfile.start();
            grads[c] = chains[c].gradientArrays(chainManagers[c], data.rows(rows[c]), mask);
            SgldProfile.add("plain: forward+backward", t0);
            out[c] = grads[c].loss();
        }
        return out;
    }

    @Override
    public double[][] probeLosses(int[][] probe, boolean[] active) {
        double[][] out = new double[chains.length][];
        for (int c = 0; c < chains.length; c++) {
            if (active[c]) {
                out[c] = flatten(chains[c].tokenLosses(probe));
            }
        }
        return out;
    }

    static double[] flatten(float[][] perWindow) {
        int n = 0;
        for (float[] r : perWindow) {
            n += r.length;
        }
        double[] out = new double[n];
        int i = 0;
        for (float[] r : perWindow) {
            for (float v : r) {
                out[i++] = v;
            }
        }
        return out;
    }

    @Override
    public SgldUpdate.StepTerms[] step(SgldUpdate update, RandomGenerator[] rngs, boolean[] active, boolean mala) {
        SgldUpdate.StepTerms[] terms = new SgldUpdate.StepTerms[chains.length];
        for (int c = 0; c < chains.length; c++) {
            if (!active[c]) {
                continue;
            }
            SgldUpdate.StepTerms sum = new SgldUpdate.StepTerms(0, 0, 0);
            long t0 = SgldProfile.start();
            try (NDManager s = root.newSubManager()) {
                for (String n : names) {
                    NDArray w = chains[c].parameter(n);
                    NDArray g = grads[c].gradients().get(n);
                    NDArray m = maskArrays.get(n);
                    NDArray x0 = w0.get(n);
                    NDArray xi = s.create(noise(rngs[c], n, w.size()), w.getShape());
                    s.tempAttachAll(m == null ? new NDArray[] {w, g, x0} : new NDArray[] {w, g, x0, m});
                    sum = sum.plus(update.step(w, x0, g, xi, m, prevDelta.get(c).get(n), mala, chainManagers[c],
                            1)[0]);
                }
            }
            SgldProfile.add("plain: noise + update", t0);
            terms[c] = sum;
        }
        return terms;
    }

    /** Standard normals for the selected coordinates (row-major), 0 elsewhere. */
    private float[] noise(RandomGenerator rng, String name, long size) {
        float[] xi = new float[Math.toIntExact(size)];
        for (int i : selected.get(name)) {
            xi[i] = (float) rng.nextGaussian();
        }
        return xi;
    }

    /** Chain c's current value of a parameter, in Java memory (tests). */
    float[] chainWeights(int chain, String name) {
        return chains[chain].parameter(name).toFloatArray();
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", "plain");
        m.put("mask", mask.toString());
        m.put("sampled_coordinates", mask.size());
        m.put("dataset", data.name());
        m.put("samples", data.size());
        m.put("sequence_length", data.length());
        return m;
    }

    @Override
    public void close() {
        root.close();
    }

    static Shape shape(int[] s) {
        long[] l = new long[s.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = s[i];
        }
        return new Shape(l);
    }
}
