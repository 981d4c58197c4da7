package org.headlab.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.headlab.core.HeadLabException;
import org.headlab.core.run.HostTensor;

/**
 * PyTorch's {@code torch.optim.AdamW} (single-tensor path, {@code amsgrad=False}, {@code maximize=False}) on Java
 * float arrays, plus {@code torch.nn.utils.clip_grad_norm_}. Per parameter, with step t counted from 1:
 *
 * <pre>
 *   p ← p·(1 − lr·wd)                      decoupled weight decay, applied to every parameter
 *   m ← m + (g − m)·(1 − β1)               (lerp, as PyTorch)
 *   v ← β2·v + (1 − β2)·g²
 *   p ← p − (lr / (1 − β1^t)) · m / (sqrt(v) / sqrt(1 − β2^t) + eps)
 * </pre>
 *
 * The update runs in plain Java rather than on the engine: the sample models have tens of thousands of parameters,
 * so it costs well under a millisecond, and float arithmetic in a fixed order makes it bit-reproducible on every
 * machine. Scalars (bias corrections, step size) are computed in double as PyTorch does, elementwise math in float.
 */
public final class AdamW {

    /** Hyperparameters; the defaults are the paper's (estimators.md §1.2). */
    public record Settings(double lr, double beta1, double beta2, double eps, double weightDecay) {
        public static final Settings PAPER = new Settings(1e-3, 0.9, 0.999, 1e-8, 0.05);

        public Settings {
            if (!(lr > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0)
                    || !(weightDecay >= 0)) {
                throw new HeadLabException("AdamW needs lr > 0, 0 <= betas < 1, eps > 0, weight decay >= 0; got lr "
                        + lr + ", betas " + beta1 + "/" + beta2 + ", eps " + eps + ", weight decay " + weightDecay);
            }
        }

        public Settings withLr(double newLr) {
            return new Settings(newLr, beta1, beta2, eps, weightDecay);
        }

        public Settings withWeightDecay(double wd) {
            return new Settings(lr, beta1, beta2, eps, wd);
        }
    }

    private final Settings settings;
    private final Map<String, float[]> m = new LinkedHashMap<>();
    private final Map<String, float[]> v = new LinkedHashMap<>();
    private long step;

    public AdamW(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /** Updates taken so far (PyTorch's {@code state['step']}). */
    public long step() {
        return step;
    }

    /**
     * One update of every parameter in {@code params} (changed in place) with the gradients {@code grads} (same
     * names and lengths). Moments start at zero for a parameter seen the first time.
     */
    public void update(Map<String, float[]> params, Map<String, float[]> grads) {
        step++;
        double bc1 = 1 - Math.pow(settings.beta1, step);
        double bc2 = 1 - Math.pow(settings.beta2, step);
        float stepSize = (float) (settings.lr / bc1);
        float bc2Sqrt = (float) Math.sqrt(bc2);
        float decay = (float) (1 - settings.lr * settings.weightDecay);
        float oneMinusB1 = (float) (1 - settings.beta1);
        float b2 = (float) settings.beta2;
        float oneMinusB2 = (float) (1 - settings.beta2);
        float eps = (float) settings.eps;
        for (Map.Entry<String, float[]> e : params.entrySet()) {
            float[] p = e.getValue();
            float[] g = grads.get(e.getKey());
            if (g == null || g.length != p.length) {
                throw new IllegalArgumentException("gradient of '" + e.getKey() + "' is missing or has the wrong size");
            }
            float[] mm = m.computeIfAbsent(e.getKey(), k -> new float[p.length]);
            float[] vv = v.computeIfAbsent(e.getKey(), k -> new float[p.length]);
            for (int i = 0; i < p.length; i++) {
                float gi = g[i];
                p[i] = p[i] * decay;
                mm[i] = mm[i] + (gi - mm[i]) * oneMinusB1;
                vv[i] = vv[i] * b2 + gi * gi * oneMinusB2;
                float denom = (float) Math.sqrt(vv[i]) / bc2Sqrt + eps;
                p[i] = p[i] - stepSize * (mm[i] / denom);
            }
        }
    }

    /**
     * {@code clip_grad_norm_(grads, maxNorm)}: the global L2 norm over all gradients; when it exceeds {@code maxNorm}
     * every gradient is scaled by {@code maxNorm / (norm + 1e-6)}. Returns the norm before clipping.
     */
    public static double clipGradNorm(Map<String, float[]> grads, double maxNorm) {
        double sq = 0;
        for (float[] g : grads.values()) {
            for (float x : g) {
                sq += (double) x * x;
            }
        }
        double norm = Math.sqrt(sq);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) {
            float c = (float) coef;
            for (float[] g : grads.values()) {
                for (int i = 0; i < g.length; i++) {
                    g[i] *= c;
                }
            }
        }
        return norm;
    }

    /** The moments as tensors named {@code m.<param>} and {@code v.<param>}, for a resume sidecar. */
    public Map<String, HostTensor> state() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        m.forEach((n, a) -> out.put("m." + n, new HostTensor(new int[] {a.length}, a.clone())));
        v.forEach((n, a) -> out.put("v." + n, new HostTensor(new int[] {a.length}, a.clone())));
        return out;
    }

    /** Restores what {@link #state()} and {@link #step()} returned. */
    public void restore(Map<String, HostTensor> state, long steps) {
        m.clear();
        v.clear();
        state.forEach((n, t) -> {
            if (n.startsWith("m.")) {
                m.put(n.substring(2), t.data().clone());
            } else if (n.startsWith("v.")) {
                v.put(n.substring(2), t.data().clone());
            } else {
                throw new HeadLabException("optimizer state holds an unknown tensor '" + n + "'");
            }
        });
        this.step = steps;
    }
}
