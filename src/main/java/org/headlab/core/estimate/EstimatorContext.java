package org.headlab.core.estimate;

import ai.djl.ndarray.NDManager;
import org.headlab.core.model.TorchEngine;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.Run;
import org.headlab.core.session.RunSession;

/**
 * What one task may use: the run (shared, thread-safe), the encoded dataset slices (shared), the sweep's
 * {@link SharedWork} and a native memory scope of its own. The runner opens one context per task in try-with-resources, so every NDArray the task made
 * in {@link #manager()} (including models from {@link #model(int)}) is freed when the task ends, fails or is
 * cancelled.
 */
public final class EstimatorContext implements AutoCloseable {
    private final RunSession session;
    private final DatasetSlices slices;
    private final SharedWork shared;
    private NDManager manager;
    private boolean closed;

    /** A task on its own: nothing is shared with other tasks. */
    public EstimatorContext(RunSession session, DatasetSlices slices) {
        this(session, slices, SharedWork.none());
    }

    /** A task of a sweep whose tasks share {@code shared}. */
    public EstimatorContext(RunSession session, DatasetSlices slices, SharedWork shared) {
        this.session = session;
        this.slices = slices;
        this.shared = shared;
    }

    public Run run() {
        return session.run();
    }

    public RunSession session() {
        return session;
    }

    /** Work this task may share with the other tasks of its sweep (leases must be closed before the task ends). */
    public SharedWork shared() {
        return shared;
    }

    public DatasetSlices.Slice slice(String name) {
        return slices.slice(name);
    }

    /** This task's native memory scope, made on first use. */
    public synchronized NDManager manager() {
        if (closed) {
            throw new IllegalStateException("the task's context is closed");
        }
        if (manager == null) {
            manager = TorchEngine.newManager();
        }
        return manager;
    }

    /** The model at {@code step}, in this task's scope (do not close it yourself; closing it early is harmless). */
    public Transformer model(int step) {
        return Transformer.create(run().config(), run().weights(step), manager());
    }

    /** True once closed; and then no native memory of this task is left. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /** Whether the task used native memory, and it is all freed (for tests). */
    public synchronized boolean nativeMemoryFreed() {
        return manager == null || !manager.isOpen();
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (manager != null) {
            manager.close();
        }
    }
}
