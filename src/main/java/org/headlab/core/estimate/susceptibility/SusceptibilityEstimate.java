package org.headlab.core.estimate.susceptibility;

import java.util.Map;
import java.util.function.BooleanSupplier;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.llc.LlcData;
import org.headlab.core.estimate.llc.LlcEstimator;
import org.headlab.core.estimate.llc.LlcResult;
import org.headlab.core.estimate.llc.SgldConfig;
import org.headlab.core.estimate.llc.SgldSampler;
import org.headlab.core.model.ParameterMask;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;

/**
 * Per-token susceptibilities of a component (a head, a layer) from the rLLC's own chains (ADR 0011): the component's
 * SGLD estimate runs with a probe evaluated at every draw, and the reference gap Δ comes from the full model's chains
 * on the same probe (devinterp's convention) or from the component's chains themselves.
 */
public final class SusceptibilityEstimate {
    private SusceptibilityEstimate() {
    }

    /** Where Δ_k = E[L̄ − ℓ_k] comes from. */
    public enum Reference {
        /** The full model's chains (devinterp 2.0; one more SGLD run per checkpoint, shared by every head). */
        FULL,
        /** The component's own chains: χ_k is then the covariance of φ and L̄ − ℓ_k. */
        SELF;

        public static Reference of(String s) {
            return switch (s) {
                case "full" -> FULL;
                case "self" -> SELF;
                default -> throw new HeadLabException("reference must be full or self, got '" + s + "'");
            };
        }

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * @param component the component's rLLC from the same draws
     * @param reference the full model's LLC whose chains gave Δ (null with {@link Reference#SELF} or a given Δ)
     * @param bif the token-wise BIF over the component's draws when asked for, else null
     */
    public record Result(LlcResult component, LlcResult reference, Susceptibility susceptibility, int[][] probe,
            double[][] bif) {
    }

    /**
     * {@code count} windows spread evenly over {@code data} (rows i·n/count), the default probe of a slice; all of
     * them when the slice has fewer.
     */
    public static int[] probeRows(LlcData data, int requested) {
        int n = data.size();
        if (requested < 1) {
            throw new HeadLabException("a probe of " + requested + " windows from '" + data.name() + "': give at"
                    + " least 1");
        }
        int count = Math.min(requested, n);
        int[] rows = new int[count];
        for (int i = 0; i < count; i++) {
            rows[i] = (int) ((long) i * n / count);
        }
        return rows;
    }

    /** The windows of {@code rows}. */
    public static int[][] windows(LlcData data, int[] rows) {
        int[][] w = new int[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            w[i] = data.sequences()[rows[i]].clone();
        }
        return w;
    }

    /** The full model's chains on {@code probe}: Δ_k = E[L̄ − ℓ_k] over their draws, and the LLC they give. */
    public static Gap referenceGap(ModelConfig config, Map<String, HostTensor> weights, LlcData data, int[][] probe,
            SgldConfig cfg, BooleanSupplier cancelled) {
        ProbeStatistics stats = new ProbeStatistics(probe, cfg.chains(), false);
        LlcResult r = LlcEstimator.estimate(config, weights, ParameterMask.full(config), data, cfg, cancelled,
                LlcEstimator.Path.AUTO, SgldSampler.Progress.NONE, stats);
        return new Gap(stats.meanGap(included(r)), r);
    }

    /** Δ per probe token and the estimate whose chains gave it. */
    public record Gap(double[] gap, LlcResult from) {
    }

    /**
     * The component's estimate with the probe; {@code gap} from {@link #referenceGap} (the caller may share it
     * between heads), or null with {@link Reference#SELF}.
     */
    public static Result estimate(ModelConfig config, Map<String, HostTensor> weights, ParameterMask mask,
            LlcData data, int[][] probe, SgldConfig cfg, Gap gap, boolean bif, BooleanSupplier cancelled) {
        ProbeStatistics stats = new ProbeStatistics(probe, cfg.chains(), bif);
        LlcResult r = LlcEstimator.estimate(config, weights, mask, data, cfg, cancelled, LlcEstimator.Path.AUTO,
                SgldSampler.Progress.NONE, stats);
        boolean[] included = included(r);
        Susceptibility s = stats.susceptibility(cfg.nbeta(), gap == null ? null : gap.gap(), included);
        return new Result(r, gap == null ? null : gap.from(), s, probe, bif ? stats.bif(included) : null);
    }

    /** The chains an estimate kept (a diverged chain's λ̂ is NaN). */
    static boolean[] included(LlcResult r) {
        double[] perChain = r.llcPerChain();
        boolean[] in = new boolean[perChain.length];
        for (int c = 0; c < in.length; c++) {
            in[c] = !Double.isNaN(perChain[c]);
        }
        return in;
    }
}
