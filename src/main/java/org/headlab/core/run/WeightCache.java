package org.headlab.core.run;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.IntFunction;

/**
 * Checkpoint weights kept in memory, least recently used first out, bounded by their total float32 bytes. Callers
 * asking for the same step at once share one load: the first one reads the file, the others wait for its result.
 * A single checkpoint larger than the bound is returned but not kept, so the bound always holds.
 */
public final class WeightCache {
    private final long maxBytes;
    private final LinkedHashMap<Integer, Map<String, HostTensor>> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<Integer, CompletableFuture<Map<String, HostTensor>>> inFlight = new HashMap<>();
    private long bytes;
    private long loads;
    private long hits;
    private long evictions;

    /** What the cache holds and has done, for tests and a memory readout. */
    public record Stats(long loads, long hits, long evictions, int entries, long bytes, long maxBytes) {
    }

    public WeightCache(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("cache bound must be >= 0, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    public Map<String, HostTensor> get(int step, IntFunction<Map<String, HostTensor>> loader) {
        CompletableFuture<Map<String, HostTensor>> pending;
        synchronized (this) {
            Map<String, HostTensor> cached = entries.get(step);
            if (cached != null) {
                hits++;
                return cached;
            }
            pending = inFlight.get(step);
            if (pending == null) {
                inFlight.put(step, new CompletableFuture<>());
                loads++;
            }
        }
        return pending == null ? loadAndPublish(step, loader) : await(pending);
    }

    private Map<String, HostTensor> loadAndPublish(int step, IntFunction<Map<String, HostTensor>> loader) {
        Map<String, HostTensor> value;
        try {
            value = loader.apply(step);
        } catch (RuntimeException | Error e) {
            CompletableFuture<Map<String, HostTensor>> waiting;
            synchronized (this) {
                waiting = inFlight.remove(step);
            }
            waiting.completeExceptionally(e);
            throw e;
        }
        CompletableFuture<Map<String, HostTensor>> waiting;
        synchronized (this) {
            waiting = inFlight.remove(step);
            keep(step, value);
        }
        waiting.complete(value);
        return value;
    }

    private static Map<String, HostTensor> await(CompletableFuture<Map<String, HostTensor>> pending) {
        try {
            return pending.join();
        } catch (CompletionException e) {
            // the loader's own exception (a one-line HeadLabException, usually) is what the caller should see
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    private void keep(int step, Map<String, HostTensor> value) {
        long size = sizeOf(value);
        if (size > maxBytes) {
            return;
        }
        entries.put(step, value);
        bytes += size;
        Iterator<Map.Entry<Integer, Map<String, HostTensor>>> eldest = entries.entrySet().iterator();
        while (bytes > maxBytes && eldest.hasNext()) {
            Map.Entry<Integer, Map<String, HostTensor>> e = eldest.next();
            bytes -= sizeOf(e.getValue());
            eldest.remove();
            evictions++;
        }
    }

    public synchronized void clear() {
        entries.clear();
        bytes = 0;
    }

    public synchronized boolean contains(int step) {
        return entries.containsKey(step);
    }

    public synchronized Stats stats() {
        return new Stats(loads, hits, evictions, entries.size(), bytes, maxBytes);
    }

    static long sizeOf(Map<String, HostTensor> tensors) {
        long n = 0;
        for (HostTensor t : tensors.values()) {
            n += (long) t.size() * Float.BYTES;
        }
        return n;
    }
}
