package org.headlab.core.jobs;

/** The body of a job. Throw {@link CancellationToken.CancelledException} (via checkpoint()) to stop early. */
@FunctionalInterface
public interface Work<T> {
    T run(TaskContext context) throws Exception;
}
