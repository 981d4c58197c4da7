package org.headlab.core.estimate.llc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;

/**
 * The SGLD step of estimators.md §2.2, written once with its coefficients and applied either to Java doubles (the
 * normal-crossing self-check) or to engine arrays (the transformer), so both samplers run the same update:
 *
 * <pre>
 *   drift = nβ·g + γ·(w − w*)
 *   w    ← w − (ε/2)·M⊙drift + sqrt(ε)·σ·M⊙ξ
 * </pre>
 *
 * Coordinates outside the mask M are never written, so they stay bit-identical to w*. The step also returns the
 * squared norms MALA needs (§2.7): ‖M⊙(w−w*)‖² at the pre-step weights, ‖Δ + (ε/2)·drift‖² of this step (the
 * forward proposal term) and ‖−Δ_prev + (ε/2)·drift‖² (the reverse term of the previous step), Δ = w_new − w.
 */
public final class SgldUpdate {
    private final double epsilon;
    private final double gamma;
    private final double nbeta;
    private final double noiseStd;

    public SgldUpdate(SgldConfig config) {
        this(config.epsilon(), config.gamma(), config.nbeta(), config.noiseLevel());
    }

    public SgldUpdate(double epsilon, double gamma, double nbeta, double noiseLevel) {
        this.epsilon = epsilon;
        this.gamma = gamma;
        this.nbeta = nbeta;
        this.noiseStd = Math.sqrt(epsilon) * noiseLevel;
    }

    public double epsilon() {
        return epsilon;
    }

    public double gamma() {
        return gamma;
    }

    public double nbeta() {
        return nbeta;
    }

    /** sqrt(ε)·σ: the standard deviation of the noise added per coordinate. */
    public double noiseStd() {
        return noiseStd;
    }

    /** MALA's squared norms of one step (sums over the masked coordinates). */
    public record StepTerms(double locSq, double fwdSq, double revSqPrev) {
        public static final StepTerms NONE = new StepTerms(Double.NaN, Double.NaN, Double.NaN);

        public StepTerms plus(StepTerms o) {
            return new StepTerms(locSq + o.locSq, fwdSq + o.fwdSq, revSqPrev + o.revSqPrev);
        }
    }

    /**
     * One step on Java doubles, in place over the coordinates {@code coords} (all others untouched).
     *
     * @param xi standard normal noise per coordinate of {@code coords}, in that order
     * @param prevDelta the previous step's Δ per coordinate of {@code coords} (NaN entries before the first
     *     step); overwritten with this step's Δ
     */
    public StepTerms step(double[] w, double[] w0, double[] g, double[] xi, int[] coords, double[] prevDelta) {
        double half = epsilon / 2;
        double locSq = 0;
        double fwdSq = 0;
        double revSq = 0;
        for (int j = 0; j < coords.length; j++) {
            int i = coords[j];
            double off = w[i] - w0[i];
            double drift = nbeta * g[i] + gamma * off;
            double delta = -half * drift + noiseStd * xi[j];
            locSq += off * off;
            double f = delta + half * drift;
            fwdSq += f * f;
            double r = -prevDelta[j] + half * drift;
            revSq += r * r;
            prevDelta[j] = delta;
            w[i] += delta;
        }
        return new StepTerms(locSq, fwdSq, revSq);
    }

    /**
     * One step on engine arrays, {@code w} updated in place. Must run outside a GradientCollector (Java numbers
     * are used as operands). Temporaries land in the current manager scope of the operands; the caller runs this
     * inside a step sub-manager (with {@code w, w0, g, xi, mask} temporarily attached to it). This step's Δ is
     * attached to {@code keep} so that it survives until the next step, which closes it.
     *
     * @param g the gradient, 0 outside the mask
     * @param xi standard normal noise, 0 outside the mask
     * @param mask boolean array of w's shape (true = sampled), or null when every coordinate is sampled
     * @param prevDelta holder of the previous Δ (element 0, null before the first step); replaced by this Δ
     * @param mala whether to compute the MALA norms (otherwise {@link StepTerms#NONE})
     * @param rows 1 to sum the MALA norms over the whole array; C to sum per leading index (C chains stacked)
     */
    public StepTerms[] step(NDArray w, NDArray w0, NDArray g, NDArray xi, NDArray mask, NDArray[] prevDelta,
            boolean mala, NDManager keep, int rows) {
        double half = epsilon / 2;
        NDArray off = w.sub(w0);
        NDArray drift = g.mul(nbeta).addi(off.mul(gamma));
        NDArray delta = drift.mul(-half).addi(xi.mul(noiseStd));
        if (mask != null) {
            // where(), not a multiply: frozen coordinates get exactly +0.0, whatever the drift there
            NDArray zeros = w.zerosLike();
            delta = NDArrays.where(mask, delta, zeros);
            drift = NDArrays.where(mask, drift, zeros);
            off = NDArrays.where(mask, off, zeros);
        }
        StepTerms[] terms = new StepTerms[rows];
        java.util.Arrays.fill(terms, StepTerms.NONE);
        if (mala) {
            NDArray halfDrift = drift.mul(half);
            float[] locSq = sumSq(off, rows);
            float[] fwdSq = sumSq(delta.add(halfDrift), rows);
            float[] revSq = prevDelta[0] == null ? null : sumSq(halfDrift.sub(prevDelta[0]), rows);
            for (int r = 0; r < rows; r++) {
                terms[r] = new StepTerms(locSq[r], fwdSq[r], revSq == null ? Double.NaN : revSq[r]);
            }
        }
        w.addi(delta);
        if (prevDelta[0] != null) {
            prevDelta[0].close();
        }
        delta.attach(keep);
        prevDelta[0] = delta;
        return terms;
    }

    private static float[] sumSq(NDArray a, int rows) {
        return a.square().reshape(rows, -1).sum(new int[] {1}).toFloatArray();
    }
}
