package org.headlab.core.estimate.ablation;

import java.util.List;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.Estimator;
import org.headlab.core.estimate.EstimatorContext;
import org.headlab.core.estimate.EstimatorResult;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.Parameter;
import org.headlab.core.estimate.ParameterSet;
import org.headlab.core.estimate.Params;
import org.headlab.core.estimate.Scope;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.jobs.CancellationToken;
import org.headlab.core.model.Transformer;

/**
 * The SPI face of {@link AblationScores} (HEAD scope): the head's z is ablated ({@code kind} zero, mean or
 * resample) on the first {@code windows} windows of the slice ({@code length} tokens each, 0 = n_ctx).
 *
 * <p>Metrics: {@code ablation/<kind>/delta_loss} (ablated − clean), {@code /normalized} (delta / clean),
 * {@code /loss} (ablated), {@code /clean_loss}.
 */
public final class AblationEstimator implements Estimator {
    public static final Parameter<String> KIND = Parameter.choice("kind", "resample", List.of("zero", "mean",
            "resample"), "what the head's z is replaced by");
    public static final Parameter<Integer> SEED = Parameter.integer("seed", 0, 0, Integer.MAX_VALUE,
            "seed of the resampling");
    public static final Parameter<Integer> WINDOWS = Parameter.integer("windows", 64, 1, 1_000_000,
            "at most this many windows of the slice");
    public static final Parameter<Integer> LENGTH = Parameter.integer("length", 0, 0, 1_000_000,
            "window length in tokens (0 = n_ctx)");
    public static final Parameter<Integer> BATCH = Parameter.integer("batch", 16, 1, 65_536,
            "windows per forward pass");

    @Override
    public String id() {
        return "ablation";
    }

    @Override
    public String description() {
        return "Δloss when one head's output is zero-, mean- or resample-ablated";
    }

    @Override
    public Scope scope() {
        return Scope.HEAD;
    }

    @Override
    public ParameterSet parameters() {
        return ParameterSet.of(KIND, SEED, WINDOWS, LENGTH, BATCH);
    }

    @Override
    public boolean usesDataset() {
        return true;
    }

    /** The ablation a parameter set names. */
    public static Ablation ablation(Params p) {
        return switch (p.get(KIND)) {
            case "zero" -> new Ablation.Zero();
            case "mean" -> new Ablation.Mean(null);
            default -> new Ablation.Resample(p.get(SEED));
        };
    }

    /** The windows a task evaluates on. */
    public static int[][] windows(DatasetSlices.Slice slice, int nCtx, Params p) {
        int length = p.get(LENGTH) == 0 ? nCtx : p.get(LENGTH);
        if (length < 2 || length > nCtx) {
            throw new HeadLabException("ablation length " + length + " must be in 2..n_ctx = " + nCtx);
        }
        return slice.windowArray(length, p.get(WINDOWS));
    }

    @Override
    public EstimatorResult evaluate(EstimatorContext ctx, TaskSpec task, CancellationToken cancel) {
        cancel.checkpoint();
        Params p = task.params();
        int[][] windows = windows(ctx.slice(task.dataset()), ctx.run().config().nCtx(), p);
        Transformer model = ctx.model(task.step());
        cancel.checkpoint();
        Head head = task.target().asHead();
        AblationResult r = AblationScores.compute(model, windows, List.of(head), ablation(p), p.get(BATCH));
        AblationResult.Entry e = r.entries().get(0);
        String kind = p.get(KIND);
        return EstimatorResult.builder()
                .put(AblationMetrics.deltaLoss(kind), e.delta())
                .put(AblationMetrics.normalized(kind), e.normalized())
                .put(AblationMetrics.loss(kind), e.ablatedLoss())
                .put(AblationMetrics.cleanLoss(kind), r.cleanLoss())
                .build();
    }
}
