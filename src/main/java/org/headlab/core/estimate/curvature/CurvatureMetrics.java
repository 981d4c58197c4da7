package org.headlab.core.estimate.curvature;

/**
 * The curvature estimators' metric names, written once (as {@code LlcMetrics} for the rLLC): the estimators put
 * them, figures and views read them. {@code MetricNamesTest} holds that no such literal appears anywhere else.
 */
public final class CurvatureMetrics {
    private CurvatureMetrics() {
    }

    public static final String HESSIAN_TRACE_MEAN = HessianTraceEstimator.ID + "/mean";
    public static final String HESSIAN_TRACE_STD = HessianTraceEstimator.ID + "/std";
    public static final String HESSIAN_TRACE_PROBES = HessianTraceEstimator.ID + "/probes";
    public static final String HESSIAN_TRACE_CONVERGED = HessianTraceEstimator.ID + "/converged";
    public static final String HESSIAN_TRACE_COORDINATES = HessianTraceEstimator.ID + "/coordinates";

    public static final String FISHER_TRACE_MEAN = FisherTraceEstimator.ID + "/mean";
    public static final String FISHER_TRACE_STD = FisherTraceEstimator.ID + "/std";
    public static final String FISHER_TRACE_SEQUENCES = FisherTraceEstimator.ID + "/sequences";

    public static final String HESSIAN_RANK_TOP_EIGENVALUE = HessianRankEstimator.ID + "/top_eigenvalue";
    public static final String HESSIAN_RANK_FIXED = HessianRankEstimator.ID + "/rank_fixed";
    public static final String HESSIAN_RANK_RELATIVE = HessianRankEstimator.ID + "/rank_relative";
    public static final String HESSIAN_RANK_DIMENSION = HessianRankEstimator.ID + "/dimension";
    public static final String HESSIAN_RANK_NODES = HessianRankEstimator.ID + "/nodes";
    public static final String HESSIAN_RANK_WEIGHTS = HessianRankEstimator.ID + "/weights";
}
