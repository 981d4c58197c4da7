package org.headlab.core.estimate;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Work that the tasks of one sweep share (e.g. the activations every head of a layer needs at a checkpoint): made
 * by the first task that asks for it, freed when the last holder lets go and another entry has been let go since,
 * and at the latest when the sweep ends. The most recently released entry is kept because one worker runs a
 * layer's heads one after another, so the entry has no holder between two of them. Values hold native memory
 * ({@link AutoCloseable}); making one must be quick (the maker runs under this object's lock), the heavy work
 * belongs in the value's own lazily filled methods. Thread-safe.
 *
 * <p>{@link #none()} shares nothing: every lease gets a value of its own, freed when the lease closes (a task run
 * outside a sweep).
 */
public final class SharedWork implements AutoCloseable {
    private final boolean share;
    private final Map<Object, Entry> entries = new HashMap<>();
    private Object idle;
    private boolean closed;

    private static final class Entry {
        final AutoCloseable value;
        int holders;

        Entry(AutoCloseable value) {
            this.value = value;
        }
    }

    /** A sweep's shared work. */
    public SharedWork() {
        this(true);
    }

    private SharedWork(boolean share) {
        this.share = share;
    }

    /** Shares nothing: every lease makes and frees its own value. */
    public static SharedWork none() {
        return new SharedWork(false);
    }

    /** One holder's use of a shared value; closing it lets go (once). */
    public final class Lease<T extends AutoCloseable> implements AutoCloseable {
        private final Object key;
        private final T value;
        private boolean released;

        private Lease(Object key, T value) {
            this.key = key;
            this.value = value;
        }

        public T get() {
            return value;
        }

        @Override
        public void close() {
            synchronized (SharedWork.this) {
                if (released) {
                    return;
                }
                released = true;
            }
            release(key, value);
        }
    }

    /**
     * The value under {@code key}, made with {@code make} if no task holds or kept it; the key must identify
     * everything the value depends on (a record of checkpoint hash, slice hash, layer, …), and the same key must
     * always come with the same value type.
     */
    @SuppressWarnings("unchecked")
    public synchronized <T extends AutoCloseable> Lease<T> acquire(Object key, Supplier<T> make) {
        if (!share || closed) {
            return new Lease<>(null, make.get());
        }
        Entry e = entries.get(key);
        if (e == null) {
            e = new Entry(make.get());
            entries.put(key, e);
        }
        if (key.equals(idle)) {
            idle = null;
        }
        e.holders++;
        return new Lease<>(key, (T) e.value);
    }

    private void release(Object key, AutoCloseable value) {
        AutoCloseable toFree = null;
        synchronized (this) {
            if (key == null) {
                toFree = value;
            } else {
                Entry e = entries.get(key);
                if (--e.holders == 0) {
                    if (closed) {
                        entries.remove(key);
                        toFree = e.value;
                    } else {
                        if (idle != null) {
                            toFree = entries.remove(idle).value;
                        }
                        idle = key;
                    }
                }
            }
        }
        free(toFree);
    }

    /** How many values are alive (held or kept); for tests. */
    public synchronized int alive() {
        return entries.size();
    }

    /** Frees every value no task holds; values still held are freed when their last lease closes. */
    @Override
    public void close() {
        java.util.List<AutoCloseable> toFree = new java.util.ArrayList<>();
        synchronized (this) {
            closed = true;
            idle = null;
            entries.values().removeIf(e -> {
                if (e.holders == 0) {
                    toFree.add(e.value);
                    return true;
                }
                return false;
            });
        }
        toFree.forEach(SharedWork::free);
    }

    private static void free(AutoCloseable value) {
        if (value == null) {
            return;
        }
        try {
            value.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not free shared work", e);
        }
    }
}
