package org.headlab.core.model;

import org.headlab.testing.Benchmark;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.run.RandomWeights;
import org.junit.jupiter.api.Test;

/** Forward+backward timings; run with {@code -Dheadlab.bench=true} on an otherwise idle machine. */
@Benchmark
class TransformerTimingTest {

    @Test
    void forwardBackwardTimings() {
        time("tiny d16 V50 B4 T12", ModelConfig.attnOnly(2, 4, 16, 4, 50, 12).withPositionalEmbedding("shortformer"),
                4, 12);
        time("d64 V500 B32 T64 (feasibility row 1)",
                ModelConfig.attnOnly(2, 8, 64, 8, 500, 64).withPositionalEmbedding("shortformer"), 32, 64);
        time("d256 V5000 B32 T64 (feasibility row 4)",
                ModelConfig.attnOnly(2, 8, 256, 32, 5000, 64).withPositionalEmbedding("shortformer"), 32, 64);
    }

    private static void time(String label, ModelConfig c, int batch, int length) {
        int[][] tokens = Fixtures.tokens(c, batch, length, 1);
        try (Transformer model = Transformer.create(c, RandomWeights.gpt2(c, 1))) {
            for (ParameterMask mask : new ParameterMask[] {ParameterMask.full(c), ParameterMask.head(c, 1, c.nHeads() - 1, false)}) {
                double[] ms = new double[30];
                for (int i = -5; i < ms.length; i++) {
                    long t0 = System.nanoTime();
                    try (NDManager out = TorchEngine.newManager()) {
                        model.gradientArrays(out, tokens, mask);
                    }
                    if (i >= 0) {
                        ms[i] = (System.nanoTime() - t0) / 1e6;
                    }
                }
                double[] fwd = new double[30];
                for (int i = -5; i < fwd.length; i++) {
                    long t0 = System.nanoTime();
                    model.loss(tokens);
                    if (i >= 0) {
                        fwd[i] = (System.nanoTime() - t0) / 1e6;
                    }
                }
                Arrays.sort(ms);
                Arrays.sort(fwd);
                System.out.printf("TIMING %s mask=%s: fwd+bwd median %.2f ms (p10 %.2f, p90 %.2f); forward+loss %.2f ms%n",
                        label, mask.size() == c.parameterCount() ? "full" : "head", ms[15], ms[3], ms[27], fwd[15]);
            }
        }
    }
}
