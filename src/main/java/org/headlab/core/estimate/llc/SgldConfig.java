package org.headlab.core.estimate.llc;

import java.util.LinkedHashMap;
import java.util.Map;
import org.headlab.core.HeadLabException;

/**
 * Every hyperparameter of one LLC estimate (estimators.md §2.2–2.6). {@link #paper()} gives the paper's final
 * settings; each {@code withX} returns a copy with one value changed.
 *
 * @param epsilon SGLD step size ε (devinterp {@code lr})
 * @param gamma localization strength γ
 * @param nbeta effective inverse temperature nβ, used both in SGLD and in the estimate
 * @param noiseLevel σ, the noise standard deviation multiplier (1 keeps the posterior guarantees)
 * @param chains number of independent chains C
 * @param draws recorded draws per chain D
 * @param burnin SGLD steps before the first recorded draw
 * @param batchSize sequences per SGLD minibatch
 * @param initBatches minibatches (dataset order) whose mean loss at w* is the init loss; 0: every sample, the exact
 *     loss at w* (the first k batches of an ordered slice are not a sample of it: on lm's text slice they sit up to
 *     0.036 above its loss, which moves every λ̂ of a checkpoint by up to nβ·0.036; docs/findings.md)
 * @param seed one independent random stream per chain is split from this seed
 * @param mala whether to compute MALA acceptance (costs a few reductions per step)
 * @param sampler the SGMCMC update ({@link Sampler}): plain SGLD (the paper's), RMSProp-preconditioned SGLD or SGNHT
 */
public record SgldConfig(double epsilon, double gamma, double nbeta, double noiseLevel, int chains, int draws,
        int burnin, int batchSize, int initBatches, long seed, boolean mala, Sampler sampler) {

    /**
     * The update rule. {@code rmsprop_sgld} is devinterp's RMSProp-preconditioned SGLD (estimators.md §2.2, [V]
     * {@code preconditioner.py}): V ← αV + (1−α)g² on the raw minibatch gradient (V starts at 0), G = 1/(√V + ε_rms),
     * the drift and the localization scaled by G, the noise by √G; α 0.99, ε_rms 0.1. {@code sgnht} is the stochastic
     * gradient Nosé–Hoover thermostat (Ding et al. 2014; devinterp's {@code sgnht.py}) with the same localized,
     * tempered potential as SGLD ({@link SgldUpdate}).
     */
    public enum Sampler {
        SGLD("sgld"), RMSPROP_SGLD("rmsprop_sgld"), SGNHT("sgnht");

        public static final double RMS_ALPHA = 0.99;
        public static final double RMS_EPS = 0.1;
        /** SGNHT's diffusion factor A: the thermostat's start and the noise's scale (devinterp's default). */
        public static final double SGNHT_DIFFUSION = 0.01;

        public final String id;

        Sampler(String id) {
            this.id = id;
        }

        public static Sampler of(String id) {
            for (Sampler s : values()) {
                if (s.id.equals(id)) {
                    return s;
                }
            }
            throw new HeadLabException("unknown sampler '" + id + "' (known: sgld, rmsprop_sgld, sgnht)");
        }
    }

    /** The plain-SGLD config (what every estimate used before the sampler was a setting). */
    public SgldConfig(double epsilon, double gamma, double nbeta, double noiseLevel, int chains, int draws,
            int burnin, int batchSize, int initBatches, long seed, boolean mala) {
        this(epsilon, gamma, nbeta, noiseLevel, chains, draws, burnin, batchSize, initBatches, seed, mala,
                Sampler.SGLD);
    }

    public SgldConfig {
        check(epsilon > 0 && Double.isFinite(epsilon), "epsilon must be a positive number, got " + epsilon);
        check(gamma >= 0 && Double.isFinite(gamma), "gamma must be ≥ 0, got " + gamma);
        check(nbeta > 0 && Double.isFinite(nbeta), "nbeta must be a positive number, got " + nbeta);
        check(noiseLevel >= 0 && Double.isFinite(noiseLevel), "noise level must be ≥ 0, got " + noiseLevel);
        check(chains >= 1, "chains must be ≥ 1, got " + chains);
        check(draws >= 1, "draws must be ≥ 1, got " + draws);
        check(burnin >= 0, "burn-in must be ≥ 0, got " + burnin);
        check(batchSize >= 1, "batch size must be ≥ 1, got " + batchSize);
        check(initBatches >= 0, "init-loss batches must be ≥ 0 (0: the whole data set), got " + initBatches);
        check(sampler != null, "no sampler");
    }

    /** The paper's final settings: ε 1e-3, γ 200, nβ 30, σ 1, 4 chains × 200 draws, burn-in 0, batch 32, 16 init batches. */
    public static SgldConfig paper() {
        return new SgldConfig(1e-3, 200, 30, 1, 4, 200, 0, 32, 0, 0L, true);
    }

    /** devinterp's {@code default_nbeta}: B / ln B for B > 1, else 1. */
    public static double defaultNbeta(int effectiveBatch) {
        return effectiveBatch > 1 ? effectiveBatch / Math.log(effectiveBatch) : 1.0;
    }

    public SgldConfig withEpsilon(double v) {
        return new SgldConfig(v, gamma, nbeta, noiseLevel, chains, draws, burnin, batchSize, initBatches, seed,
                mala, sampler);
    }

    public SgldConfig withGamma(double v) {
        return new SgldConfig(epsilon, v, nbeta, noiseLevel, chains, draws, burnin, batchSize, initBatches, seed,
                mala, sampler);
    }

    public SgldConfig withNbeta(double v) {
        return new SgldConfig(epsilon, gamma, v, noiseLevel, chains, draws, burnin, batchSize, initBatches, seed,
                mala, sampler);
    }

    public SgldConfig withNoiseLevel(double v) {
        return new SgldConfig(epsilon, gamma, nbeta, v, chains, draws, burnin, batchSize, initBatches, seed, mala,
                sampler);
    }

    public SgldConfig withChains(int v) {
        return new SgldConfig(epsilon, gamma, nbeta, noiseLevel, v, draws, burnin, batchSize, initBatches, seed,
                mala, sampler);
    }

    public SgldConfig withDraws(int v) {
        return new SgldConfig(epsilon, gamma, nbeta, noiseLevel, chains, v, burnin, batchSize, initBatches, seed,
                mala, sampler);
    }

    public SgldConfig withBurnin(int v) {
        return new SgldConfig(epsilon, gamma, nbeta, noiseLevel, chains, draws, v, batchSize, initBatches, seed,
                mala, sampler);
    }

    public SgldConfig withBatchSize(int v) {
        return new SgldConfig(epsilon, gamma, nbeta, noiseLevel, chains, draws, burnin, v, initBatches, seed, mala,
                sampler);
    }

    public SgldConfig withInitBatches(int v) {
        return new SgldConfig(epsilon, gamma, nbeta, noiseLevel, chains, draws, burnin, batchSize, v, seed, mala,
                sampler);
    }

    public SgldConfig withSeed(long v) {
        return new SgldConfig(epsilon, gamma, nbeta, noiseLevel, chains, draws, burnin, batchSize, initBatches, v,
                mala, sampler);
    }

    public SgldConfig withMala(boolean v) {
        return new SgldConfig(epsilon, gamma, nbeta, noiseLevel, chains, draws, burnin, batchSize, initBatches,
                seed, v, sampler);
    }

    public SgldConfig withSampler(Sampler v) {
        return new SgldConfig(epsilon, gamma, nbeta, noiseLevel, chains, draws, burnin, batchSize, initBatches, seed,
                mala, v);
    }

    /** Total SGLD iterations per chain. */
    public int iterations() {
        return burnin + draws;
    }

    /** The settings under devinterp-like names, for results. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epsilon", epsilon);
        m.put("gamma", gamma);
        m.put("nbeta", nbeta);
        m.put("noise_level", noiseLevel);
        m.put("num_chains", chains);
        m.put("num_draws", draws);
        m.put("num_burnin_steps", burnin);
        m.put("num_steps_bw_draws", 1);
        m.put("batch_size", batchSize);
        m.put("num_init_loss_batches", initBatches);
        m.put("seed", seed);
        m.put("sampler", sampler.id);
        return m;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new HeadLabException(message);
        }
    }
}
