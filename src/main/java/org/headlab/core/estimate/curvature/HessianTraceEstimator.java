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
 * The trace of the loss Hessian restricted to one head's W_Q/W_K/W_V/W_O slices (the paper's Appendix D baseline
 * beside the rLLC), by {@link HessianTrace} on the first {@code sequences} windows of a slice.
 *
 * <p>Metrics: {@code hessian_trace/mean} (the trace), {@code hessian_trace/std} (its standard error over probes, so
 * curves draw it as the band), {@code hessian_trace/probes}, {@code hessian_trace/converged} (1 when the running
 * mean met the tolerance), {@code hessian_trace/coordinates}.
 */
public final class HessianTraceEstimator implements Estimator {
    public static final String ID = "hessian_trace";
    public static final Parameter<Integer> PROBES = Parameter.integer("probes", 100, 1, 100_000,
            "most Rademacher probes (PyHessian: 100)");
    public static final Parameter<Double> TOL = Parameter.real("tol", 1e-3, 0, 1,
            "stop when the running mean changes by less than this, relative (PyHessian: 1e-3)");
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
        return "Hessian trace restricted to a head's weights (Hutchinson, Rademacher probes)";
    }

    @Override
    public Scope scope() {
        return Scope.HEAD;
    }

    @Override
    public ParameterSet parameters() {
        return ParameterSet.of(PROBES, TOL, SEQUENCES, STEP, SEED);
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
        HessianTrace.Result r;
        try (MaskedGradient.HessianProduct hv = g.hessianProduct(step)) {
            r = HessianTrace.hutchinson(hv::times, g.size(), task.params().get(PROBES), task.params().get(TOL),
                    task.params().get(SEED), HeadLoss.checking(cancel));
        }
        if (!Double.isFinite(r.trace())) {
            throw new HeadLabException("the Hessian trace is not finite (" + r.trace() + ")");
        }
        return EstimatorResult.builder()
                .put(CurvatureMetrics.HESSIAN_TRACE_MEAN, r.trace())
                .put(CurvatureMetrics.HESSIAN_TRACE_STD, r.standardError())
                .put(CurvatureMetrics.HESSIAN_TRACE_PROBES, (long) r.probes())
                .put(CurvatureMetrics.HESSIAN_TRACE_CONVERGED, r.converged() ? 1L : 0L)
                .put(CurvatureMetrics.HESSIAN_TRACE_COORDINATES, (long) g.size())
                .build();
    }
}
