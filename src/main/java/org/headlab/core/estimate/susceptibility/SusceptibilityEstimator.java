package org.headlab.core.estimate.susceptibility;

import java.util.Map;
import org.headlab.core.estimate.Estimator;
import org.headlab.core.estimate.EstimatorContext;
import org.headlab.core.estimate.EstimatorResult;
import org.headlab.core.estimate.Parameter;
import org.headlab.core.estimate.ParameterSet;
import org.headlab.core.estimate.Scope;
import org.headlab.core.estimate.SharedWork;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.estimate.llc.LlcData;
import org.headlab.core.estimate.llc.LlcSweepEstimator;
import org.headlab.core.estimate.llc.SgldConfig;
import org.headlab.core.jobs.CancellationToken;
import org.headlab.core.model.ParameterMask;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;

/**
 * {@code susceptibility} (HEAD scope): the head's rLLC chains at the rLLC's settings with a probe of the slice's
 * windows evaluated at every draw; per-token susceptibilities ({@link SusceptibilityMetrics}) stored with the rLLC of
 * the same draws. With reference {@code full} the full model's chains on the same probe give Δ, once per checkpoint ×
 * slice × probe × settings in a sweep, shared by its heads.
 */
public final class SusceptibilityEstimator implements Estimator {
    public static final String ID = "susceptibility";
    /**
     * The rLLC's init batches with the old default, 16: χ does not read the init loss (a covariance with the draws'
     * losses), only the λ̂ stored beside it does, and the shipped susceptibility rows keep their keys (ADR 0014).
     */
    public static final Parameter<Integer> INIT_BATCHES = Parameter.integer("init_batches", 16, 0, 65_536,
            "minibatches (slice order) whose mean loss at w* is the init loss of the rLLC stored beside χ; 0 = every"
            + " window of the slice");
    public static final Parameter<Integer> PROBE_WINDOWS = Parameter.integer("probe_windows", 8, 1, 4096,
            "windows of the slice (evenly spaced) whose per-token losses are taken at every draw");
    public static final Parameter<String> REFERENCE = Parameter.choice("reference", "full",
            java.util.List.of("full", "self"), "where E[L̄ − ℓ] comes from: the full model's chains (devinterp) or"
                    + " the head's own");

    /** What the full model's reference chains depend on. */
    private record GapKey(String checkpointHash, String dataset, String datasetHash, int probeWindows,
            SgldConfig cfg) {
    }

    /** The reference gap, computed by the first head that needs it (outside SharedWork's lock). */
    private static final class SharedGap implements AutoCloseable {
        private final java.util.function.Supplier<SusceptibilityEstimate.Gap> make;
        private SusceptibilityEstimate.Gap gap;

        SharedGap(java.util.function.Supplier<SusceptibilityEstimate.Gap> make) {
            this.make = make;
        }

        synchronized SusceptibilityEstimate.Gap get() {
            if (gap == null) {
                gap = make.get();
            }
            return gap;
        }

        @Override
        public void close() {
            // Java memory only
        }
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "per-token susceptibilities of one head from its rLLC chains (devinterp 2.0, ADR 0011)";
    }

    @Override
    public Scope scope() {
        return Scope.HEAD;
    }

    @Override
    public ParameterSet parameters() {
        return ParameterSet.of(LlcSweepEstimator.EPSILON, LlcSweepEstimator.GAMMA, LlcSweepEstimator.NBETA,
                LlcSweepEstimator.CHAINS, LlcSweepEstimator.DRAWS, LlcSweepEstimator.BURNIN, LlcSweepEstimator.BATCH,
                INIT_BATCHES, LlcSweepEstimator.SEED, LlcSweepEstimator.SAMPLER,
                LlcSweepEstimator.INCLUDE_BIASES, PROBE_WINDOWS, REFERENCE);
    }

    @Override
    public boolean usesDataset() {
        return true;
    }

    @Override
    public EstimatorResult evaluate(EstimatorContext ctx, TaskSpec task, CancellationToken cancel) {
        cancel.checkpoint();
        ModelConfig config = ctx.run().config();
        LlcData data = LlcSweepEstimator.data(ctx, task);
        Map<String, HostTensor> weights = ctx.run().weights(task.step());
        SgldConfig cfg = LlcSweepEstimator.config(task.params());
        int[] rows = SusceptibilityEstimate.probeRows(data, task.params().get(PROBE_WINDOWS));
        int[][] probe = SusceptibilityEstimate.windows(data, rows);
        java.util.function.BooleanSupplier cancelled = LlcSweepEstimator.cancelledBy(cancel);
        ParameterMask mask = ParameterMask.head(config, task.target().layer(), task.target().head(),
                task.params().get(LlcSweepEstimator.INCLUDE_BIASES));
        SusceptibilityEstimate.Result r;
        if (SusceptibilityEstimate.Reference.of(task.params().get(REFERENCE)) == SusceptibilityEstimate.Reference.FULL) {
            GapKey key = new GapKey(task.checkpointHash(), task.dataset(), task.datasetHash(), rows.length, cfg);
            try (SharedWork.Lease<SharedGap> shared = ctx.shared().acquire(key, () -> new SharedGap(
                    () -> SusceptibilityEstimate.referenceGap(config, weights, data, probe, cfg, cancelled)))) {
                r = SusceptibilityEstimate.estimate(config, weights, mask, data, probe, cfg, shared.get().get(),
                        false, cancelled);
            }
        } else {
            r = SusceptibilityEstimate.estimate(config, weights, mask, data, probe, cfg, null, false, cancelled);
        }
        if (r.susceptibility().chains() == 0) {
            throw new org.headlab.core.HeadLabException("every chain diverged: no susceptibility at epsilon "
                    + cfg.epsilon() + "; try a smaller epsilon or a larger gamma");
        }
        // a result holds a number per probe token (1,016 on lm): stored to the digits the estimate has (χ to 4
        // significant digits, its error to 2), without the rLLC's traces (the llc estimator keeps those), so that
        // a run can ship them; devinterp's value is χ/nβ
        var llc = r.component();
        EstimatorResult.Builder b = EstimatorResult.builder()
                .put(org.headlab.core.estimate.llc.LlcMetrics.MEAN, llc.llcMean())
                .put(org.headlab.core.estimate.llc.LlcMetrics.STD, llc.llcStd())
                .put(org.headlab.core.estimate.llc.LlcMetrics.SE, llc.resolution().standardError())
                .put(org.headlab.core.estimate.llc.LlcMetrics.SE_INIT, llc.resolution().initError())
                .put(org.headlab.core.estimate.llc.LlcMetrics.RESOLUTION, (long) llc.resolution().verdict().code)
                .put(org.headlab.core.estimate.llc.LlcMetrics.INIT_LOSS, llc.initLoss())
                .put(org.headlab.core.estimate.llc.LlcMetrics.NUM_CHAINS, (long) llc.llcPerChain().length)
                .put(SusceptibilityMetrics.CHI, r.susceptibility().chi(), 4)
                .put(SusceptibilityMetrics.CHI_SE, r.susceptibility().se(), 2)
                .put(SusceptibilityMetrics.PROBE_ROWS, java.util.Arrays.stream(rows).asDoubleStream().toArray())
                .put(SusceptibilityMetrics.PROBE_TOKENS, java.util.Arrays.stream(probe)
                        .flatMapToInt(java.util.Arrays::stream).asDoubleStream().toArray());
        if (r.reference() != null) {
            b.put(SusceptibilityMetrics.REFERENCE_LLC, r.reference().llcMean());
        }
        return b.build();
    }
}
