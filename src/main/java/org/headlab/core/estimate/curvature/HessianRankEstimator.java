package org.headlab.core.estimate.curvature;

import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.Estimator;
import org.headlab.core.estimate.EstimatorContext;
import org.headlab.core.estimate.EstimatorResult;
import org.headlab.core.estimate.Parameter;
import org.headlab.core.estimate.ParameterSet;
import org.headlab.core.estimate.Scope;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.jobs.CancellationToken;

/**
 * The spectrum of the loss Hessian restricted to one head's weights ({@link HessianSpectrum}: stochastic Lanczos
 * quadrature on central-difference Hessian-vector products): its top eigenvalue and its rank counted against a fixed
 * threshold and against a fraction of the top eigenvalue (the paper's Appendix D asks which of the two to keep fixed
 * over training; both are stored).
 *
 * <p>Metrics: {@code hessian_rank/top_eigenvalue}, {@code hessian_rank/rank_fixed}, {@code hessian_rank/rank_relative},
 * {@code hessian_rank/dimension}, and the quadrature {@code hessian_rank/nodes}, {@code hessian_rank/weights}.
 */
public final class HessianRankEstimator implements Estimator {
    public static final String ID = "hessian_rank";
    public static final Parameter<Integer> PROBES = Parameter.integer("probes", 4, 1, 1000, "Lanczos start vectors");
    public static final Parameter<Integer> STEPS = Parameter.integer("steps", 40, 2, 10_000,
            "Lanczos steps per probe (each two gradient passes)");
    public static final Parameter<Double> THRESHOLD = Parameter.real("threshold", 1e-3, 0, 1e6,
            "fixed threshold: eigenvalues with |λ| above it count");
    public static final Parameter<Double> FRACTION = Parameter.real("fraction", 1e-2, 0, 1,
            "relative threshold: |λ| above this fraction of the top eigenvalue counts");
    public static final Parameter<Integer> SEQUENCES = Parameter.integer("sequences", 64, 1, 100_000,
            "windows of the slice the loss is averaged over");
    public static final Parameter<Double> STEP = Parameter.real("step", HessianTrace.DEFAULT_STEP, 1e-6, 1e-1,
            "central-difference step of the Hessian-vector products");
    public static final Parameter<Integer> SEED = Parameter.integer("seed", 0, 0, Integer.MAX_VALUE, "probe seed");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "top Hessian eigenvalue and Hessian rank restricted to a head's weights (stochastic Lanczos)";
    }

    @Override
    public Scope scope() {
        return Scope.HEAD;
    }

    @Override
    public ParameterSet parameters() {
        return ParameterSet.of(PROBES, STEPS, THRESHOLD, FRACTION, SEQUENCES, STEP, SEED);
    }

    @Override
    public boolean usesDataset() {
        return true;
    }

    @Override
    public EstimatorResult evaluate(EstimatorContext ctx, TaskSpec task, CancellationToken cancel) {
        cancel.checkpoint();
        MaskedGradient g = HeadLoss.of(ctx, task, SEQUENCES).gradient();
        double step = task.params().get(STEP);
        HessianSpectrum.Result r;
        try (MaskedGradient.HessianProduct hv = g.hessianProduct(step)) {
            r = HessianSpectrum.lanczos(hv::times, g.size(), task.params().get(PROBES), task.params().get(STEPS),
                    task.params().get(THRESHOLD), task.params().get(FRACTION), task.params().get(SEED),
                    HeadLoss.checking(cancel));
        }
        if (!Double.isFinite(r.topEigenvalue())) {
            throw new HeadLabException("the top Hessian eigenvalue is not finite (" + r.topEigenvalue() + ")");
        }
        return EstimatorResult.builder()
                .put(CurvatureMetrics.HESSIAN_RANK_TOP_EIGENVALUE, r.topEigenvalue())
                .put(CurvatureMetrics.HESSIAN_RANK_FIXED, r.rankAboveThreshold())
                .put(CurvatureMetrics.HESSIAN_RANK_RELATIVE, r.rankAboveFraction())
                .put(CurvatureMetrics.HESSIAN_RANK_DIMENSION, (long) r.dimension())
                .put(CurvatureMetrics.HESSIAN_RANK_NODES, r.nodes())
                .put(CurvatureMetrics.HESSIAN_RANK_WEIGHTS, r.weights())
                .build();
    }
}
