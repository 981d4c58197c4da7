package org.headlab.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.run.RandomWeights;
import org.junit.jupiter.api.Test;

/**
 * Gradient passes of two models on two threads at once (no JVM-wide lock since {@link ThreadAutograd}) give exactly
 * what each gives alone: checked against the same passes run one after the other on this thread, and against a
 * model with no gradient pass running beside it. Many rounds, so that the passes really overlap.
 */
class ConcurrentGradientsTest {

    @Test
    void twoWorkersComputeGradientsAtOnceAndGetTheSerialNumbers() throws Exception {
        ModelConfig c = Fixtures.tiny("LN", "standard", "gelu");
        int[][] tokensA = Fixtures.tokens(c, 4, 10, 1);
        int[][] tokensB = Fixtures.tokens(c, 4, 10, 2);
        ParameterMask maskA = ParameterMask.head(c, 1, 0, true);
        ParameterMask maskB = ParameterMask.full(c);
        try (Transformer a = Transformer.create(c, RandomWeights.gaussian(c, 3, 0.4, true));
                Transformer b = Transformer.create(c, RandomWeights.gaussian(c, 4, 0.4, true))) {
            LossAndGradients serialA = a.lossAndGradients(tokensA, maskA);
            LossAndGradients serialB = b.lossAndGradients(tokensB, maskB);
            int rounds = 40;
            CountDownLatch start = new CountDownLatch(1);
            CompletableFuture<List<LossAndGradients>> fa = CompletableFuture.supplyAsync(() -> run(a, tokensA, maskA,
                    rounds, start));
            CompletableFuture<List<LossAndGradients>> fb = CompletableFuture.supplyAsync(() -> run(b, tokensB, maskB,
                    rounds, start));
            start.countDown();
            for (LossAndGradients r : fa.get(120, TimeUnit.SECONDS)) {
                same(serialA, r);
            }
            for (LossAndGradients r : fb.get(120, TimeUnit.SECONDS)) {
                same(serialB, r);
            }
        }
    }

    private static List<LossAndGradients> run(Transformer m, int[][] tokens, ParameterMask mask, int rounds,
            CountDownLatch start) {
        try {
            start.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        List<LossAndGradients> out = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            out.add(m.lossAndGradients(tokens, mask));
        }
        return out;
    }

    private static void same(LossAndGradients expected, LossAndGradients actual) {
        assertEquals(expected.loss(), actual.loss(), 0.0);
        assertEquals(expected.gradients().keySet(), actual.gradients().keySet());
        expected.gradients().forEach((name, g) -> assertArrayEquals(g.data(), actual.gradients().get(name).data(),
                name));
    }
}
