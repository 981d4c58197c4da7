package org.headlab.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.headlab.core.HeadLabException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The weight cache: its byte bound, its LRU order, and one load per step under concurrency. */
class RunWeightCacheTest {
    @TempDir
    Path tmp;

    @Test
    void smallBoundEvictsOlderCheckpointsAndReloadsThemCorrectly() {
        int[] steps = {0, 10, 20, 30, 40, 50, 60, 70, 80, 90};
        TinyRuns.write(tmp.resolve("run"), steps);
        long perCheckpoint = TinyRuns.bytesPerCheckpoint();
        Run run = Run.open(tmp.resolve("run"), 3 * perCheckpoint);

        for (int step : steps) {
            run.weights(step);
            assertTrue(run.cacheStats().bytes() <= 3 * perCheckpoint, "bound holds after step " + step);
        }
        WeightCache.Stats afterSweep = run.cacheStats();
        assertEquals(10, afterSweep.loads());
        assertEquals(3, afterSweep.entries());
        assertEquals(7, afterSweep.evictions());

        Map<String, HostTensor> reloaded = run.weights(0); // evicted long ago: read from disk again
        assertEquals(11, run.cacheStats().loads());
        Map<String, HostTensor> expected = TinyRuns.weights(0);
        expected.forEach((name, t) -> SafetensorsRoundTripTest.assertRawBitsEqual(t.data(),
                reloaded.get(name).data(), name));
    }

    @Test
    void recentlyUsedEntriesSurviveEviction() {
        TinyRuns.write(tmp.resolve("run"), 0, 1, 2);
        Run run = Run.open(tmp.resolve("run"), 2 * TinyRuns.bytesPerCheckpoint());

        Map<String, HostTensor> first = run.weights(0);
        run.weights(1);
        assertSame(first, run.weights(0), "a hit returns the cached map"); // 0 is now most recent
        run.weights(2); // evicts 1, the least recently used

        assertEquals(3, run.cacheStats().loads());
        assertSame(first, run.weights(0));
        run.weights(1);
        assertEquals(4, run.cacheStats().loads(), "step 1 had to be reloaded");
    }

    @Test
    void checkpointLargerThanTheBoundIsReturnedButNotKept() {
        TinyRuns.write(tmp.resolve("run"), 0);
        Run run = Run.open(tmp.resolve("run"), TinyRuns.bytesPerCheckpoint() - 1);

        assertEquals(TinyRuns.CONFIG.parameterShapes().size(), run.weights(0).size());
        assertEquals(0, run.cacheStats().bytes());
        run.weights(0);
        assertEquals(2, run.cacheStats().loads());
    }

    @Test
    void concurrentRequestsForOneStepShareOneLoad() throws Exception {
        WeightCache cache = new WeightCache(1 << 20);
        AtomicInteger loaderCalls = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        Map<String, HostTensor> value = Map.of("x", HostTensor.zeros(4));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Map<String, HostTensor>>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return cache.get(7, step -> {
                        loaderCalls.incrementAndGet();
                        sleep(300); // long enough that the other threads arrive while the load is in flight
                        return value;
                    });
                }));
            }
            start.countDown();
            for (Future<Map<String, HostTensor>> r : results) {
                assertSame(value, r.get(10, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, loaderCalls.get());
        assertEquals(1, cache.stats().loads());
    }

    @Test
    void failedLoadReachesEveryWaiterAndIsNotCached() {
        WeightCache cache = new WeightCache(1 << 20);
        HeadLabException e = assertThrows(HeadLabException.class, () -> cache.get(3, step -> {
            throw new HeadLabException("disk says no");
        }));
        assertEquals("disk says no", e.getMessage());
        assertFalse(cache.contains(3));

        Map<String, HostTensor> value = Map.of("x", HostTensor.zeros(1));
        assertSame(value, cache.get(3, step -> value), "a later call tries again");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
