package org.headlab.core.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.headlab.core.model.Transformer;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Attention maps on live models kept per checkpoint: reused, bounded, and the same numbers as a fresh model. */
class RunSessionLiveModelsTest {
    @TempDir
    Path tmp;

    private static float[][][][] fresh(RunSession s, int step, String text) {
        try (Transformer t = Transformer.create(s.run().config(), s.run().weights(step))) {
            return t.attentionPatterns(s.encode(text).ids());
        }
    }

    private static long modelBytes(RunSession s) {
        long n = 0;
        for (var t : s.run().weights(0).values()) {
            n += 4L * t.size();
        }
        return n;
    }

    private static void assertSame(float[][][][] expected, float[][][][] actual) {
        for (int l = 0; l < expected.length; l++) {
            for (int h = 0; h < expected[l].length; h++) {
                for (int q = 0; q < expected[l][h].length; q++) {
                    assertArrayEquals(expected[l][h][q], actual[l][h][q], 0f);
                }
            }
        }
    }

    @Test
    void scrubbingBackAndForthBuildsEachCheckpointsModelOnceWithinTheBound() {
        try (RunSession s = RunSession.open(FixtureRuns.brackets(tmp, "b"))) {
            long oneModel = modelBytes(s);
            s.setLiveModelBudget(2 * oneModel);
            for (int pass = 0; pass < 3; pass++) {
                for (int step : List.of(0, 10)) {
                    assertSame(fresh(s, step, "([])"), s.attention(step, "([])").patterns());
                }
            }
            assertEquals(2, s.liveModelBuilds(), "one build per checkpoint, then reuse");
            s.attention(100, "()");
            assertEquals(2, s.liveModelCount(), "the bound holds: step 0 was evicted");
            s.attention(10, "()");
            assertEquals(3, s.liveModelBuilds(), "step 10 was still live");
            s.attention(0, "()");
            assertEquals(4, s.liveModelBuilds(), "step 0 had to be built again");

            s.useLiveModels(false);
            s.attention(0, "()");
            s.attention(0, "()");
            assertEquals(6, s.liveModelBuilds(), "bypassed: a model per map");
            assertEquals(2, s.liveModelCount(), "and the kept ones stay");
            s.useLiveModels(true);
            s.setLiveModelBudget(0);
            assertEquals(0, s.liveModelCount());
            s.attention(0, "()");
            assertEquals(7, s.liveModelBuilds());
            assertEquals(0, s.liveModelCount(), "no budget: nothing kept");
        }
    }

    @Test
    void concurrentMapsWithEvictionsGiveTheFreshModelsNumbers() throws Exception {
        try (RunSession s = RunSession.open(FixtureRuns.brackets(tmp, "c"))) {
            s.setLiveModelBudget(modelBytes(s)); // most calls evict a model another thread may be using
            List<Integer> steps = FixtureRuns.STEPS;
            List<float[][][][]> expected = new ArrayList<>();
            for (int step : steps) {
                expected.add(fresh(s, step, "([a])b"));
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < 60; i++) {
                    int k = i % steps.size();
                    done.add(pool.submit(() -> assertSame(expected.get(k),
                            s.attention(steps.get(k), "([a])b").patterns())));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
            assertEquals(1, s.liveModelCount());
        }
    }
}
