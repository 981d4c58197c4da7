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

    /** Standard normal by Box–Muller: a fixed algorithm, so weights do not depend on the JDK's Random. */
    private static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
