package org.headlab.core.run;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Fresh weights for a config, as TransformerLens' GPT-2 initialisation does it: every {@code W_*} drawn from
 * N(0, (0.8/sqrt(d_model))²), biases 0, LayerNorm weights 1 and biases 0 (estimators.md §1.1). Seeded and
 * deterministic: the same config and seed give the same bits on every machine.
 */
public final class RandomWeights {
    private RandomWeights() {
    }

    public static Map<String, HostTensor> gpt2(ModelConfig config, long seed) {
        return gaussian(config, seed, 0.8 / Math.sqrt(config.dModel()), false);
    }

    /**
     * Like {@link #gpt2} but with the given standard deviation, optionally also for biases and LayerNorm
     * parameters (LN weights become 1 + noise). Tests use this to exercise every parameter with non-trivial
     * values.
     */
    public static Map<String, HostTensor> gaussian(ModelConfig config, long seed, double std, boolean perturbAll) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : config.parameterShapes().entrySet()) {
            String name = e.getKey();
            String leaf = name.substring(name.lastIndexOf('.') + 1);
            HostTensor t = HostTensor.zeros(e.getValue());
            float[] d = t.data();
            boolean isWeight = leaf.startsWith("W_");
            boolean isLnWeight = leaf.equals("w");
            for (int i = 0; i < d.length; i++) {
                double noise = gaussian(rng) * std;
                if (isWeight) {
                    d[i] = (float) noise;
                } else if (isLnWeight) {
                    d[i] = (float) (1.0 + (perturbAll ? noise : 0.0));
                } else {
                    d[i] = perturbAll ? (float) noise : 0f;
                }
            }
            out.put(name, t);
        }
        return out;
    }

    /**
     * {@code weights} with {@code pos_embed.W_pos} replaced by the sinusoids of Vaswani et al. (2017),
     * {@code sin(p / 10000^(2i/d))} in even and {@code cos} in odd columns, scaled to the RMS of the GPT-2 init.
     * Why: with sinusoids a fixed linear map of the query's position scores the key at any chosen offset, so a
     * previous-token head (the first half of an induction circuit) needs one matrix instead of 128 position vectors
     * learned one by one; small models trained briefly form it much sooner. The positions stay trainable.
     */
    public static Map<String, HostTensor> withSinusoidalPositions(Map<String, HostTensor> weights,
            ModelConfig config) {
        String name = "pos_embed.W_pos";
        if (!weights.containsKey(name)) {
            throw new IllegalArgumentException("this model has no " + name);
        }
        int n = config.nCtx();
        int d = config.dModel();
        double scale = 0.8 / Math.sqrt(d) * Math.sqrt(2.0); // sin and cos have RMS 1/sqrt(2)
        HostTensor pos = HostTensor.zeros(new int[] {n, d});
        float[] data = pos.data();
        for (int p = 0; p < n; p++) {
            for (int i = 0; i < d; i++) {
                double freq = Math.pow(10000.0, -(2.0 * (i / 2)) / d);
                data[p * d + i] = (float) (scale * (i % 2 == 0 ? Math.sin(p * freq) : Math.cos(p * freq)));
            }
        }
        Map<String, HostTensor> out = new LinkedHashMap<>(weights);
        out.put(name, pos);
        return out;
    }

    /** Standard normal by Box–Muller: a fixed algorithm, so weights do not depend on the JDK's Random. */
    private static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
