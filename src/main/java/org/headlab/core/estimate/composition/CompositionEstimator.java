package org.headlab.core.estimate.composition;

import org.headlab.core.estimate.Estimator;
import org.headlab.core.estimate.EstimatorContext;
import org.headlab.core.estimate.EstimatorResult;
import org.headlab.core.estimate.Parameter;
import org.headlab.core.estimate.ParameterSet;
import org.headlab.core.estimate.Params;
import org.headlab.core.estimate.Scope;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.jobs.CancellationToken;
import org.headlab.core.run.ModelConfig;

/**
 * The SPI face of {@link CompositionScores} (MODEL scope: once per checkpoint, every sender × receiver).
 *
 * <p>Metrics: {@code composition/q}, {@code /k}, {@code /v}: [L][H][L][H] arrays flattened row-major
 * (TransformerLens all_composition_scores layout; index ((l1·H + h1)·L + l2)·H + h2), {@code composition/n_layers},
 * {@code composition/n_heads}, and the random-matrix baseline {@code composition/baseline_<q|k|v>_mean},
 * {@code _std}.
 */
public final class CompositionEstimator implements Estimator {
    public static final Parameter<Integer> BASELINE_DRAWS = Parameter.integer("baseline_draws", 200, 2, 1_000_000,
            "random sender/receiver pairs of the baseline");
    public static final Parameter<Integer> SEED = Parameter.integer("seed", 0, 0, Integer.MAX_VALUE,
            "seed of the baseline");

    @Override
    public String id() {
        return "composition";
    }

    @Override
    public String description() {
        return "Q/K/V composition scores of every head pair, with a random-matrix baseline";
    }

    @Override
    public Scope scope() {
        return Scope.MODEL;
    }

    @Override
    public ParameterSet parameters() {
        return ParameterSet.of(BASELINE_DRAWS, SEED);
    }

    @Override
    public boolean usesDataset() {
        return false;
    }

    @Override
    public EstimatorResult evaluate(EstimatorContext ctx, TaskSpec task, CancellationToken cancel) {
        cancel.checkpoint();
        ModelConfig config = ctx.run().config();
        CompositionScores.Result r = CompositionScores.compute(config, ctx.run().weights(task.step()));
        cancel.checkpoint();
        CompositionScores.Baselines b = CompositionScores.randomBaseline(config, task.params().get(BASELINE_DRAWS),
                task.params().get(SEED));
        return EstimatorResult.builder()
                .put(CompositionMetrics.Q, flat(r.q()))
                .put(CompositionMetrics.K, flat(r.k()))
                .put(CompositionMetrics.V, flat(r.v()))
                .put(CompositionMetrics.N_LAYERS, (long) config.nLayers())
                .put(CompositionMetrics.N_HEADS, (long) config.nHeads())
                .put(CompositionMetrics.baselineMean("q"), b.q().mean())
                .put(CompositionMetrics.baselineStd("q"), b.q().std())
                .put(CompositionMetrics.baselineMean("k"), b.k().mean())
                .put(CompositionMetrics.baselineStd("k"), b.k().std())
                .put(CompositionMetrics.baselineMean("v"), b.v().mean())
                .put(CompositionMetrics.baselineStd("v"), b.v().std())
                .build();
    }

    /** A composition result read back: the scores and the random baseline they are judged against. */
    public record Decoded(CompositionScores.Result scores, CompositionScores.Baselines baselines) {
    }

    /** Reads a result this estimator wrote with {@code params} (stored or fresh) back into scores and baselines. */
    public static Decoded decode(EstimatorResult r, Params params) {
        int l = (int) r.number(CompositionMetrics.N_LAYERS);
        int h = (int) r.number(CompositionMetrics.N_HEADS);
        int draws = params.get(BASELINE_DRAWS);
        return new Decoded(new CompositionScores.Result(unflat(r.array(CompositionMetrics.Q), l, h),
                unflat(r.array(CompositionMetrics.K), l, h), unflat(r.array(CompositionMetrics.V), l, h)),
                new CompositionScores.Baselines(baseline(r, "q", draws), baseline(r, "k", draws),
                        baseline(r, "v", draws)));
    }

    private static CompositionScores.Baseline baseline(EstimatorResult r, String mode, int draws) {
        return new CompositionScores.Baseline(r.number("composition/baseline_" + mode + "_mean"),
                r.number("composition/baseline_" + mode + "_std"), draws);
    }

    /** The inverse of {@link #flat}: [L][H][L][H] from row-major. */
    static double[][][][] unflat(double[] flat, int layers, int heads) {
        if (flat.length != layers * heads * layers * heads) {
            throw new IllegalArgumentException("a composition array of " + flat.length + " values is not "
                    + layers + "×" + heads + "×" + layers + "×" + heads);
        }
        double[][][][] out = new double[layers][heads][layers][heads];
        int i = 0;
        for (int l1 = 0; l1 < layers; l1++) {
            for (int h1 = 0; h1 < heads; h1++) {
                for (int l2 = 0; l2 < layers; l2++) {
                    for (int h2 = 0; h2 < heads; h2++) {
                        out[l1][h1][l2][h2] = flat[i++];
                    }
                }
            }
        }
        return out;
    }

    /** [L][H][L][H] row-major. */
    public static double[] flat(double[][][][] a) {
        java.util.List<Double> out = new java.util.ArrayList<>();
        for (double[][][] x : a) {
            for (double[][] y : x) {
                for (double[] z : y) {
                    for (double v : z) {
                        out.add(v);
                    }
                }
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
