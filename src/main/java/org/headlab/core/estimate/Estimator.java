package org.headlab.core.estimate;

import org.headlab.core.jobs.CancellationToken;

/**
 * The estimator SPI (JMC's IRule, kept small; docs/decisions/0003-estimator-spi.md). An estimator is stateless
 * and thread-safe: the pool calls {@link #evaluate} for many tasks at once, each with its own context.
 * Implementations are listed in {@code META-INF/services/org.headlab.core.estimate.Estimator} and found by
 * {@link EstimatorRegistry}.
 */
public interface Estimator {

    /** Stable id used on the command line and in the result key ("loss", "llc", "ablation"). */
    String id();

    /** One line for help texts. */
    String description();

    /** What one task covers; a sweep makes one task per checkpoint and per target of this scope. */
    Scope scope();

    /** The typed parameters, with defaults. */
    ParameterSet parameters();

    /** Whether tasks read a dataset slice (then the slice and its hash are part of the key). */
    boolean usesDataset();

    /**
     * Computes one task. Call {@code cancel.checkpoint()} between units of work; allocate native memory only in
     * {@code ctx.manager()} (closed when the task ends, whether it succeeds, fails or is cancelled). A user
     * mistake (bad data for this estimator) throws HeadLabException with one clear line.
     */
    EstimatorResult evaluate(EstimatorContext ctx, TaskSpec task, CancellationToken cancel);
}
