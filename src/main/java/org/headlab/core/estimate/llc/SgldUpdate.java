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
 *
 * <p>SGNHT (Ding et al. 2014, "Bayesian sampling using stochastic gradient thermostats"; as devinterp's
 * {@code sgnht.py}, with the localization added to the force so that all samplers sample the same localized,
 * tempered posterior) keeps a momentum p per coordinate and a thermostat ξ per chain and parameter block:
 *
 * <pre>
 *   p ← p − ε·drift − ξ·p + sqrt(2·ε·A)·σ·ζ
 *   w ← w + p
 *   ξ ← ξ + mean(p²) − ε
 * </pre>
 *
 * with A = {@link SgldConfig.Sampler#SGNHT_DIFFUSION}, ξ starting at A and p at 0 (devinterp draws p from
 * N(0, ε); from 0 the thermostat lets the kinetic energy in within the burn-in). devinterp keeps one ξ for all
 * parameters; one per block (a head's W_Q, W_K, …, each thousands of coordinates) keeps the update local to
 * the block and controls each block's temperature. MALA's acceptance is a test of the overdamped proposal and is
 * not defined for it: SGNHT steps report {@link StepTerms#NONE}.
 */
public final class SgldUpdate {
    private final double epsilon;
    private final double gamma;
    private final double nbeta;
    private final double noiseStd;
    private final boolean rmsprop;
    private final boolean sgnht;

    public SgldUpdate(SgldConfig config) {
        this(config.epsilon(), config.gamma(), config.nbeta(), config.noiseLevel(), config.sampler());
    }

    public SgldUpdate(double epsilon, double gamma, double nbeta, double noiseLevel) {
        this(epsilon, gamma, nbeta, noiseLevel, SgldConfig.Sampler.SGLD);
    }

    /**
     * With {@link SgldConfig.Sampler#RMSPROP_SGLD} the step is preconditioned per coordinate by G = 1/(√V + ε_rms),
     * V the running mean of g² (α 0.99, from 0): w ← w − (ε/2)·G⊙drift + √(ε·G)·σ·ξ. MALA's norms are then taken
     * in the metric of the current G (‖·‖²_{G⁻¹}), which treats G as fixed across one step.
     */
    public SgldUpdate(double epsilon, double gamma, double nbeta, double noiseLevel, SgldConfig.Sampler sampler) {
        this.epsilon = epsilon;
        this.gamma = gamma;
        this.nbeta = nbeta;
        this.noiseStd = Math.sqrt(epsilon) * noiseLevel;
        this.rmsprop = sampler == SgldConfig.Sampler.RMSPROP_SGLD;
        this.sgnht = sampler == SgldConfig.Sampler.SGNHT;
    }

    /** Whether steps carry MALA's norms (not for SGNHT, whose proposal is not the overdamped one). */
    public boolean hasMala() {
        return !sgnht;
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
        return step(w, w0, g, xi, coords, prevDelta, null);
    }

    /**
     * As above; {@code sqAvg} (per coordinate of {@code coords}, zeros before the first step) is RMSProp's running
     * mean of g², updated in place; null for plain SGLD.
     */
    public StepTerms step(double[] w, double[] w0, double[] g, double[] xi, int[] coords, double[] prevDelta,
            double[] sqAvg) {
        return step(w, w0, g, xi, coords, prevDelta, sqAvg, null);
    }

    /**
     * As above; with SGNHT {@code aux} is the momentum per coordinate of {@code coords} (zeros before the first
     * step) and {@code thermostat} a one-element array holding ξ ({@link SgldConfig.Sampler#SGNHT_DIFFUSION}
     * before the first step), both updated in place; with RMSProp-SGLD {@code aux} is the running mean of g².
     */
    public StepTerms step(double[] w, double[] w0, double[] g, double[] xi, int[] coords, double[] prevDelta,
            double[] aux, double[] thermostat) {
        if (sgnht) {
            double kick = Math.sqrt(2 * SgldConfig.Sampler.SGNHT_DIFFUSION) * noiseStd;
            double energy = 0;
            for (int j = 0; j < coords.length; j++) {
                int i = coords[j];
                double drift = nbeta * g[i] + gamma * (w[i] - w0[i]);
                double p = aux[j] - epsilon * drift;
                p += -thermostat[0] * p + kick * xi[j];
                aux[j] = p;
                prevDelta[j] = p;
                w[i] += p;
                energy += p * p;
            }
            if (coords.length > 0) {
                thermostat[0] += energy / coords.length - epsilon;
            }
            return StepTerms.NONE;
        }
        double[] sqAvg = aux;
        double half = epsilon / 2;
        double locSq = 0;
        double fwdSq = 0;
        double revSq = 0;
        for (int j = 0; j < coords.length; j++) {
            int i = coords[j];
            double pre = 1;
            if (rmsprop) {
                double a = SgldConfig.Sampler.RMS_ALPHA;
                sqAvg[j] = a * sqAvg[j] + (1 - a) * g[i] * g[i];
                pre = 1 / (Math.sqrt(sqAvg[j]) + SgldConfig.Sampler.RMS_EPS);
            }
            double off = w[i] - w0[i];
            double drift = nbeta * g[i] + gamma * off;
            double delta = -half * pre * drift + noiseStd * Math.sqrt(pre) * xi[j];
            locSq += off * off;
            double f = delta + half * pre * drift;
            fwdSq += f * f / pre;
            double r = -prevDelta[j] + half * pre * drift;
            revSq += r * r / pre;
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
     * @param prevDelta holder of the previous Δ (element 0, null before the first step), replaced by this Δ; with
     *     RMSProp-SGLD, element 1 holds the running mean of g² (null before the first step); with SGNHT, elements 1
     *     and 2 hold the momentum and the thermostat (the holder has length 3 for every sampler)
     * @param mala whether to compute the MALA norms (otherwise {@link StepTerms#NONE})
     * @param rows 1 to sum the MALA norms over the whole array; C to sum per leading index (C chains stacked)
     */
    public StepTerms[] step(NDArray w, NDArray w0, NDArray g, NDArray xi, NDArray mask, NDArray[] prevDelta,
            boolean mala, NDManager keep, int rows) {
        double half = epsilon / 2;
        NDArray off = w.sub(w0);
        NDArray drift = g.mul(nbeta).addi(off.mul(gamma));
        if (sgnht) {
            return sgnhtStep(w, drift, xi, mask, prevDelta, keep, rows);
        }
        NDArray pre = null;
        NDArray delta;
        if (rmsprop) {
            double a = SgldConfig.Sampler.RMS_ALPHA;
            NDArray sq = g.square().muli(1 - a);
            NDArray v = prevDelta[1] == null ? sq : prevDelta[1].mul(a).addi(sq);
            if (prevDelta[1] != null) {
                prevDelta[1].close();
            }
            v.attach(keep);
            prevDelta[1] = v;
            pre = v.sqrt().addi(SgldConfig.Sampler.RMS_EPS).pow(-1);
            drift = drift.mul(pre); // G⊙drift from here on: the step and MALA's proposal mean use it
            delta = drift.mul(-half).addi(xi.mul(pre.sqrt()).muli(noiseStd));
        } else {
            delta = drift.mul(-half).addi(xi.mul(noiseStd));
        }
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
            NDArray fwd = delta.add(halfDrift);
            NDArray rev = prevDelta[0] == null ? null : halfDrift.sub(prevDelta[0]);
            if (pre != null) { // ‖·‖² in the metric G⁻¹ (masked coordinates are 0 in both)
                NDArray scale = pre.pow(-0.5);
                fwd = fwd.mul(scale);
                rev = rev == null ? null : rev.mul(scale);
            }
            float[] fwdSq = sumSq(fwd, rows);
            float[] revSq = rev == null ? null : sumSq(rev, rows);
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

    /**
     * SGNHT on engine arrays: holder element 1 is the momentum (null before the first step: 0), element 2 the
     * thermostat per row as a {@code rows × 1 × …} array (null: {@link SgldConfig.Sampler#SGNHT_DIFFUSION}); the
     * holder then has length 3. Masked-out coordinates keep momentum 0 and do not count in mean(p²).
     */
    private StepTerms[] sgnhtStep(NDArray w, NDArray drift, NDArray xi, NDArray mask, NDArray[] holder,
            NDManager keep, int rows) {
        long[] rowShape = new long[Math.max(1, w.getShape().dimension())];
        java.util.Arrays.fill(rowShape, 1);
        rowShape[0] = rows;
        if (holder[2] == null) {
            float[] start = new float[rows];
            java.util.Arrays.fill(start, (float) SgldConfig.Sampler.SGNHT_DIFFUSION);
            holder[2] = keep.create(start).reshape(rowShape);
        }
        NDArray p = holder[1] == null ? drift.mul(-epsilon) : holder[1].sub(drift.mul(epsilon));
        p = p.subi(p.mul(holder[2])).addi(xi.mul(Math.sqrt(2 * SgldConfig.Sampler.SGNHT_DIFFUSION) * noiseStd));
        float[] count;
        if (mask != null) {
            p = NDArrays.where(mask, p, w.zerosLike());
            count = mask.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).reshape(rows, -1).sum(new int[] {1})
                    .toFloatArray();
        } else {
            count = new float[rows];
            java.util.Arrays.fill(count, (float) (w.size() / rows));
        }
        float[] energy = sumSq(p, rows);
        float[] xiNow = holder[2].toFloatArray();
        for (int r = 0; r < rows; r++) {
            if (count[r] > 0) {
                xiNow[r] += (float) (energy[r] / count[r] - epsilon);
            }
        }
        holder[2].close();
        holder[2] = keep.create(xiNow).reshape(rowShape);
        w.addi(p);
        if (holder[1] != null) {
            holder[1].close();
        }
        p.attach(keep);
        holder[1] = p;
        StepTerms[] terms = new StepTerms[rows];
        java.util.Arrays.fill(terms, StepTerms.NONE);
        return terms;
    }

    private static float[] sumSq(NDArray a, int rows) {
        return a.square().reshape(rows, -1).sum(new int[] {1}).toFloatArray();
    }
}
