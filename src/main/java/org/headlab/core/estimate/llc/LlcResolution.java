package org.headlab.core.estimate.llc;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.headlab.core.estimate.EstimatorResult;

/**
 * Whether an rLLC estimate resolved anything, from its own loss traces: λ̂ against its standard error, and how many
 * draws fell below the init loss. An estimate at the noise floor of the minibatch loss (e.g. lm head 1:0 on its
 * text slice: λ̂ 0.096 ± 0.075 with 49 % of draws below the init loss) must not be drawn like a result.
 *
 * <p><b>Standard error.</b> λ̂ = nβ·(mean of the draws − init loss). Two parts, kept apart:
 * <ul>
 *   <li>{@code standardError} = nβ·SE_draws, of the mean over all draws of all included chains, by non-overlapping
 *       batch means: each chain cut into {@value #SEGMENTS} consecutive segments, SE = std(segment means)/√(number
 *       of segments). Segments of 20 draws outlast the autocorrelation of the SGLD loss at the paper's settings,
 *       and a chain still climbing away from w* widens it, as it should. The verdict uses this part.
 *   <li>{@code initError} = nβ·σ_b/√k, the uncertainty of the init loss (the mean of k minibatches at w*), with σ_b
 *       the minibatch noise of one loss read off the draws (σ_b² = mean over chains of Var(L_d − L_{d−1})/2). It is
 *       the same offset for every estimate at this checkpoint and slice (same w*, same init batches), so it cancels
 *       when heads are compared and is reported beside the verdict, not in it: on lm at step 1,200 it is ±1.05
 *       (σ_b 0.14, k 16), several times the draws' part (±0.15).
 * </ul>
 *
 * <p><b>Verdict.</b> {@link Verdict#RESOLVED} when λ̂ ≥ {@value #Z} SE; {@link Verdict#NOT_A_MINIMUM} when λ̂ ≤
 * −{@value #Z} SE (the chains walk downhill from w*: it is not a local minimum of the loss on this slice); else
 * {@link Verdict#NOISE_FLOOR} (not distinguishable from zero). {@link Verdict#NO_ESTIMATE} when no chain is left.
 *
 * @param standardError nβ·SE_draws (NaN with fewer than two segments)
 * @param initError nβ·σ_b/√k, shared by every estimate at the checkpoint
 * @param belowInitFraction the share of draws whose loss is below the init loss
 * @param batchNoise σ_b, the minibatch noise of one loss
 */
public record LlcResolution(Verdict verdict, double llc, double standardError, double initError,
        double belowInitFraction, double batchNoise) {

    /** Segments per chain for the batch-means standard error. */
    static final int SEGMENTS = 10;
    /** Standard errors that separate an estimate from zero (two-sided ≈ 5 %). */
    static final double Z = 2.0;

    /** The verdict, with the code stored as {@code llc/resolution}. */
    public enum Verdict {
        RESOLVED(0, "resolved"), NOISE_FLOOR(1, "noise floor"), NOT_A_MINIMUM(2, "not a local minimum"),
        NO_ESTIMATE(3, "no estimate");

        public final int code;
        public final String words;

        Verdict(int code, String words) {
            this.code = code;
            this.words = words;
        }

        public static Verdict ofCode(long code) {
            for (Verdict v : values()) {
                if (v.code == code) {
                    return v;
                }
            }
            throw new IllegalArgumentException("no rLLC verdict with code " + code);
        }
    }

    public boolean resolved() {
        return verdict == Verdict.RESOLVED;
    }

    /** From the sampler's loss matrix ([chain][draw], NaN rows for excluded chains). */
    public static LlcResolution of(double llc, double[][] loss, boolean[] included, double initLoss,
            int initBatches, double nbeta) {
        List<double[]> kept = new ArrayList<>();
        for (int c = 0; c < loss.length; c++) {
            if (included == null || included[c]) {
                kept.add(loss[c]);
            }
        }
        return compute(llc, kept, initLoss, initBatches, nbeta);
    }

    /**
     * From stored metrics ({@code llc/loss_trace}, {@code llc/num_chains}, {@code llc/init_loss}, {@code llc/mean},
     * and {@code llc/trace} for nβ), for results stored before {@code llc/se} existed; {@code initBatches} comes
     * from the result's parameters. Uses the stored {@code llc/se} and {@code llc/resolution} when present.
     */
    public static LlcResolution of(EstimatorResult r, int initBatches) {
        double llc = r.metrics().containsKey(LlcMetrics.MEAN) ? r.number(LlcMetrics.MEAN) : Double.NaN;
        double[] flat = r.array("llc/loss_trace");
        int chains = (int) r.number(LlcMetrics.NUM_CHAINS);
        int draws = chains == 0 ? 0 : flat.length / chains;
        double init = r.number(LlcMetrics.INIT_LOSS);
        List<double[]> kept = new ArrayList<>();
        for (int c = 0; c < chains; c++) {
            double[] row = java.util.Arrays.copyOfRange(flat, c * draws, (c + 1) * draws);
            if (Double.isFinite(row[0])) {
                kept.add(row);
            }
        }
        if (r.metrics().containsKey(LlcMetrics.SE) && r.metrics().containsKey(LlcMetrics.SE_INIT)
                && r.metrics().containsKey(LlcMetrics.RESOLUTION)) {
            double below = belowInit(kept, init);
            return new LlcResolution(Verdict.ofCode((long) r.number(LlcMetrics.RESOLUTION)), llc,
                    r.number(LlcMetrics.SE),
                    r.number(LlcMetrics.SE_INIT), below, batchNoise(kept));
        }
        double nbeta = Double.NaN;
        if (r.metrics().containsKey("llc/trace")) {
            double[] trace = r.array("llc/trace");
            for (int i = 0; i < flat.length && !Double.isFinite(nbeta); i++) {
                double dl = flat[i] - init;
                if (Double.isFinite(dl) && Math.abs(dl) > 1e-6) {
                    nbeta = trace[i] / dl;
                }
            }
        }
        return compute(llc, kept, init, initBatches, nbeta);
    }

    /**
     * The verdict of a stored rLLC result ({@code metrics} with {@code llc/loss_trace} and {@code llc/num_chains},
     * {@code paramsJson} the result key's parameters, for {@code init_batches}, default 16); empty when the result
     * has no traces to judge.
     */
    public static java.util.Optional<LlcResolution> ofStored(EstimatorResult metrics, String paramsJson) {
        if (!metrics.metrics().containsKey("llc/loss_trace") || !metrics.metrics().containsKey(LlcMetrics.NUM_CHAINS)) {
            return java.util.Optional.empty();
        }
        int initBatches = 16;
        try {
            initBatches = org.headlab.core.Json.mapper().readTree(paramsJson).path("init_batches").asInt(initBatches);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // the estimator's default
        }
        return java.util.Optional.of(of(metrics, initBatches));
    }

    private static LlcResolution compute(double llc, List<double[]> kept, double initLoss, int initBatches,
            double nbeta) {
        double below = belowInit(kept, initLoss);
        double sigma = batchNoise(kept);
        // init_batches 0: L(w*) over every window, exact, so it adds no error
        double initError = initBatches == 0 ? 0 : nbeta * sigma / Math.sqrt(initBatches);
        if (kept.isEmpty() || !Double.isFinite(llc)) {
            return new LlcResolution(Verdict.NO_ESTIMATE, llc, Double.NaN, initError, below, sigma);
        }
        List<Double> segmentMeans = new ArrayList<>();
        for (double[] chain : kept) {
            int n = finiteLength(chain);
            int segments = Math.min(SEGMENTS, n);
            for (int s = 0; s < segments; s++) {
                int from = s * n / segments;
                int to = (s + 1) * n / segments;
                double sum = 0;
                for (int d = from; d < to; d++) {
                    sum += chain[d];
                }
                segmentMeans.add(sum / (to - from));
            }
        }
        double se = nbeta * SgldSampler.std(segmentMeans) / Math.sqrt(segmentMeans.size());
        Verdict v;
        if (!Double.isFinite(se)) {
            v = Verdict.NOISE_FLOOR; // too few draws to tell: never drawn as resolved
        } else if (llc >= Z * se) {
            v = Verdict.RESOLVED;
        } else if (llc <= -Z * se) {
            v = Verdict.NOT_A_MINIMUM;
        } else {
            v = Verdict.NOISE_FLOOR;
        }
        return new LlcResolution(v, llc, se, initError, below, sigma);
    }

    private static int finiteLength(double[] chain) {
        int n = 0;
        while (n < chain.length && Double.isFinite(chain[n])) {
            n++;
        }
        return n;
    }

    private static double belowInit(List<double[]> kept, double init) {
        long below = 0;
        long all = 0;
        for (double[] chain : kept) {
            for (double l : chain) {
                if (Double.isFinite(l)) {
                    all++;
                    below += l < init ? 1 : 0;
                }
            }
        }
        return all == 0 ? Double.NaN : (double) below / all;
    }

    private static double batchNoise(List<double[]> kept) {
        double sum = 0;
        int n = 0;
        for (double[] chain : kept) {
            List<Double> diffs = new ArrayList<>();
            for (int d = 1; d < finiteLength(chain); d++) {
                diffs.add(chain[d] - chain[d - 1]);
            }
            double sd = SgldSampler.std(diffs);
            if (Double.isFinite(sd)) {
                sum += sd * sd / 2;
                n++;
            }
        }
        return n == 0 ? Double.NaN : Math.sqrt(sum / n);
    }

    /** One line of words: the verdict, the numbers behind it and what it means. */
    public String sentence() {
        String init = Double.isFinite(initError) ? String.format(Locale.ROOT, "; the init loss adds ±%.2g, the same for"
                + " every head at this checkpoint", initError) : "";
        return switch (verdict) {
            case RESOLVED -> String.format(Locale.ROOT, "resolved: λ̂ %.3g ± %.2g (standard error of the draws), %.0f %%"
                    + " of draws below the init loss", llc, standardError, 100 * belowInitFraction) + init;
            case NOISE_FLOOR -> String.format(Locale.ROOT, "noise floor: λ̂ %.3g is within %.0f standard errors"
                    + " (%.2g) of zero, %.0f %% of draws below the init loss; not a result", llc, Z, standardError,
                    100 * belowInitFraction) + init;
            case NOT_A_MINIMUM -> String.format(Locale.ROOT, "not a local minimum: λ̂ %.3g is %.1f standard errors"
                    + " below zero, %.0f %% of draws below the init loss; SGLD walks downhill from w* on this slice",
                    llc, -llc / standardError, 100 * belowInitFraction);
            case NO_ESTIMATE -> "no estimate: every chain diverged";
        };
    }
}
