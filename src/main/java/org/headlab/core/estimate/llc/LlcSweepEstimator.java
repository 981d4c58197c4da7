package org.headlab.core.estimate.llc;

import java.util.Map;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.Estimator;
import org.headlab.core.estimate.EstimatorContext;
import org.headlab.core.estimate.EstimatorResult;
import org.headlab.core.estimate.Parameter;
import org.headlab.core.estimate.ParameterSet;
import org.headlab.core.estimate.Params;
import org.headlab.core.estimate.Scope;
import org.headlab.core.estimate.SharedWork;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.jobs.CancellationToken;
import org.headlab.core.model.ParameterMask;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;

/**
 * The SPI face of {@link LlcEstimator}: a thin adapter that turns a task into an {@link SgldConfig}, a
 * {@link ParameterMask} and the slice's n_ctx windows ({@link DatasetSlices.Slice#windows()}), calls the estimator
 * and flattens its {@link LlcResult} into metrics. Two ids: {@code llc} (HEAD scope: weight-refined on the head's
 * W_Q, W_K, W_V, W_O slices, biases optional) and {@code llc_full} (MODEL scope: every parameter).
 *
 * <p>Metrics (devinterp's names under {@code llc/}; [chain][draw] arrays are flattened row-major, shape in
 * {@code llc/num_chains} × {@code llc/num_draws}): {@code llc/mean}, {@code llc/std}, {@code llc/chain_means},
 * {@code llc/means}, {@code llc/stds}, {@code llc/trace}, {@code llc/loss_trace}, {@code llc/init_loss},
 * {@code llc/mala_accept_mean}, {@code llc/mala_accept_std}, {@code llc/loss_negative_fraction},
 * {@code llc/loss_noise}, {@code llc/loss_negative_beyond_noise_fraction}, {@code llc/loss_mean_z},
 * {@code llc/diverged_chains}, {@code llc/geweke_z} (per chain), {@code llc/geweke_max_abs_z}, {@code llc/rhat},
 * {@code llc/converged} (1/0, {@link Convergence}), {@code llc/se}, {@code llc/se_init} and {@code llc/resolution}
 * (the standard error of λ̂ from the draws, the init loss's share, and the verdict code of {@link LlcResolution}: 0 resolved, 1 noise floor, 2 not a local minimum, 3 no
 * estimate), {@code llc/windows}, {@code llc/window_length}.
 *
 * <p>Cancellation: the sampler polls its cancel flag before every SGLD step; the flag is bridged to
 * {@link CancellationToken#checkpoint()}, which throws once the task is cancelled (and blocks while paused).
 */
public class LlcSweepEstimator implements Estimator {
    public static final Parameter<Double> EPSILON = Parameter.real("epsilon", 1e-3, 1e-12, 1, "SGLD step size ε");
    public static final Parameter<Double> GAMMA = Parameter.real("gamma", 200, 0, 1e9, "localization strength γ");
    public static final Parameter<Double> NBETA = Parameter.real("nbeta", 30, 1e-9, 1e9, "inverse temperature nβ");
    public static final Parameter<Integer> CHAINS = Parameter.integer("chains", 4, 1, 256, "SGLD chains");
    public static final Parameter<Integer> DRAWS = Parameter.integer("draws", 200, 1, 1_000_000, "draws per chain");
    public static final Parameter<Integer> BURNIN = Parameter.integer("burnin", 0, 0, 1_000_000, "burn-in steps");
    public static final Parameter<Integer> BATCH = Parameter.integer("batch", 32, 1, 65_536,
            "n_ctx windows per SGLD minibatch");
    /**
     * 0 by default since session 12 (ADR 0014): the first batches of an ordered slice are not a sample of it, and the
     * whole slice costs one forward pass. The shipped results were rebased onto it from their draws.
     */
    public static final Parameter<Integer> INIT_BATCHES = Parameter.integer("init_batches", 0, 0, 65_536,
            "minibatches (slice order) whose mean loss at w* is the init loss; 0 = every window of the slice");
    public static final Parameter<Integer> SEED = Parameter.integer("seed", 0, 0, Integer.MAX_VALUE, "seed");
    /** Keyed only when not sgld: results stored before the sampler was a setting keep their keys. */
    public static final Parameter<String> SAMPLER = Parameter.choice("sampler", "sgld",
            java.util.List.of("sgld", "rmsprop_sgld", "sgnht"), "SGMCMC update: sgld (the paper's), rmsprop_sgld or sgnht")
            .keyedOnlyWhenChanged();
    public static final Parameter<Boolean> INCLUDE_BIASES = Parameter.bool("include_biases", false,
            "include the head's b_Q, b_K, b_V slices");

    private final boolean head;

    /** What a {@link LayerWindowCache} depends on: the checkpoint, the slice and its windows, the layer. */
    private record LayerKey(String checkpointHash, String dataset, String datasetHash, int windowLength, int layer) {
    }

    /** The HEAD-scope {@code llc}. */
    public LlcSweepEstimator() {
        this(true);
    }

    protected LlcSweepEstimator(boolean head) {
        this.head = head;
    }

    /** The head-scope estimator's id (rLLC) and the model-scope one's. */
    public static final String ID = "llc";
    public static final String FULL_ID = "llc_full";

    /** The MODEL-scope {@code llc_full}: the plain LLC of every parameter. */
    public static final class Full extends LlcSweepEstimator {
        public Full() {
            super(false);
        }
    }

    @Override
    public String id() {
        return head ? ID : FULL_ID;
    }

    @Override
    public String description() {
        return head ? "weight-refined LLC of one head (SGLD, devinterp)" : "LLC of the full model (SGLD, devinterp)";
    }

    @Override
    public Scope scope() {
        return head ? Scope.HEAD : Scope.MODEL;
    }

    @Override
    public ParameterSet parameters() {
        return head ? ParameterSet.of(EPSILON, GAMMA, NBETA, CHAINS, DRAWS, BURNIN, BATCH, INIT_BATCHES, SEED,
                SAMPLER, INCLUDE_BIASES) : ParameterSet.of(EPSILON, GAMMA, NBETA, CHAINS, DRAWS, BURNIN, BATCH,
                INIT_BATCHES, SEED, SAMPLER);
    }

    @Override
    public boolean usesDataset() {
        return true;
    }

    /** The sampler settings of a task's parameters (MALA on, noise level 1, as the paper). */
    public static SgldConfig config(Params p) {
        return SgldConfig.paper().withEpsilon(p.get(EPSILON)).withGamma(p.get(GAMMA)).withNbeta(p.get(NBETA))
                .withChains(p.get(CHAINS)).withDraws(p.get(DRAWS)).withBurnin(p.get(BURNIN))
                .withBatchSize(p.get(BATCH)).withInitBatches(p.get(INIT_BATCHES)).withSeed(p.get(SEED))
                .withSampler(SgldConfig.Sampler.of(p.get(SAMPLER)));
    }

    /** The weight refinement of a task. */
    public ParameterMask mask(ModelConfig config, TaskSpec task) {
        return head ? ParameterMask.head(config, task.target().layer(), task.target().head(),
                task.params().get(INCLUDE_BIASES)) : ParameterMask.full(config);
    }

    @Override
    public EstimatorResult evaluate(EstimatorContext ctx, TaskSpec task, CancellationToken cancel) {
        cancel.checkpoint();
        ModelConfig config = ctx.run().config();
        LlcData data = data(ctx, task);
        Map<String, HostTensor> weights = ctx.run().weights(task.step());
        java.util.function.BooleanSupplier cancelled = cancelledBy(cancel);
        LlcResult r;
        if (head) {
            // the sweep's heads of this layer, checkpoint and slice share the pass up to the layer's attention
            int layer = task.target().layer();
            LayerKey key = new LayerKey(task.checkpointHash(), task.dataset(), task.datasetHash(), data.length(),
                    layer);
            try (SharedWork.Lease<LayerWindowCache> inputs = ctx.shared().acquire(key,
                    () -> new LayerWindowCache(config, weights, data, layer))) {
                r = LlcEstimator.estimate(config, weights, mask(config, task), data, config(task.params()),
                        cancelled, LlcEstimator.Path.AUTO, SgldSampler.Progress.NONE, inputs.get());
            }
        } else {
            r = LlcEstimator.estimate(config, weights, mask(config, task), data, config(task.params()), cancelled);
        }
        if (!r.diverged().isEmpty() && r.diverged().size() == task.params().get(CHAINS)) {
            // not stored: a NaN in the store would be drawn and exported as a result; the sweep reports it failed
            throw new org.headlab.core.HeadLabException("every chain diverged (the first at draw "
                    + r.diverged().get(0).draw() + "): no estimate at epsilon " + task.params().get(EPSILON)
                    + "; try a smaller epsilon or a larger gamma");
        }
        return metrics(r, data);
    }

    /** The task's slice as the sampler's data: its n_ctx windows. */
    public static LlcData data(EstimatorContext ctx, TaskSpec task) {
        DatasetSlices.Slice slice = ctx.slice(task.dataset());
        return LlcData.windows(slice.name(), slice.windows(slice.windowLength()));
    }

    /** The sampler's cancel flag bridged to the task's token, which throws once the task is cancelled. */
    public static java.util.function.BooleanSupplier cancelledBy(CancellationToken cancel) {
        return () -> {
            cancel.checkpoint(); // throws CancelledException once cancelled
            return false;
        };
    }

    /** An {@link LlcResult} as flat metrics (see the class comment). */
    public static EstimatorResult metrics(LlcResult r, LlcData data) {
        return metrics(r, data.size(), data.length());
    }

    /** As {@link #metrics(LlcResult, LlcData)} for a slice of {@code windows} windows of {@code windowLength}. */
    static EstimatorResult metrics(LlcResult r, long windows, long windowLength) {
        EstimatorResult.Builder b = EstimatorResult.builder()
                .put(LlcMetrics.MEAN, r.llcMean())
                .put(LlcMetrics.STD, r.llcStd())
                .put("llc/chain_means", r.llcPerChain())
                .put("llc/means", r.llcMeans())
                .put("llc/stds", r.llcStds())
                .put("llc/trace", flat(r.llcTrace()))
                .put("llc/loss_trace", flat(r.lossTrace()))
                .put(LlcMetrics.INIT_LOSS, r.initLoss())
                .put(LlcMetrics.NUM_CHAINS, (long) r.llcPerChain().length)
                .put("llc/num_draws", (long) r.llcMeans().length)
                .put("llc/loss_negative_fraction", r.health().negativeFraction())
                .put("llc/loss_noise", r.health().noise())
                .put("llc/loss_negative_beyond_noise_fraction", r.health().negativeBeyondNoiseFraction())
                .put("llc/loss_mean_z", r.health().meanZ())
                .put("llc/diverged_chains", (long) r.diverged().size())
                .put("llc/geweke_z", r.convergence().gewekeZ())
                .put("llc/geweke_max_abs_z", r.convergence().maxAbsZ())
                .put("llc/rhat", r.convergence().rHat())
                .put("llc/converged", r.convergence().converged() ? 1L : 0L)
                .put(LlcMetrics.SE, r.resolution().standardError())
                .put(LlcMetrics.SE_INIT, r.resolution().initError())
                .put(LlcMetrics.RESOLUTION, (long) r.resolution().verdict().code)
                .put("llc/windows", windows)
                .put("llc/window_length", windowLength);
        if (r.malaTrace() != null) {
            b.put("llc/mala_accept_mean", r.malaMean()).put("llc/mala_accept_std", r.malaStd());
        }
        return b.build();
    }

    static double[] flat(double[][] a) {
        int n = 0;
        for (double[] row : a) {
            n += row.length;
        }
        double[] out = new double[n];
        int i = 0;
        for (double[] row : a) {
            System.arraycopy(row, 0, out, i, row.length);
            i += row.length;
        }
        return out;
    }
}
