package org.headlab.cli;

import org.headlab.testing.Benchmark;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.headlab.core.data.DyckGenerator;
import org.headlab.core.data.TokenizerSpec;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.run.RandomWeights;
import org.headlab.core.run.RunWriter;
import org.junit.jupiter.api.Test;

/**
 * Opt-in timing of the four estimator commands over all heads × all checkpoints (docs/benchmarks.md, "Mechanistic
 * estimators"): {@code mvn -o test -Dtest=EstimatorBenchmarkTest -Dheadlab.bench=true}. The run: 2 layers × 8 heads,
 * d_model 64, d_head 8, character vocabulary of 9 brackets/letters, n_ctx 64, 30 random-weight checkpoints, a dataset
 * of 64 Dyck-2 strings of 32 brackets (33 tokens with BOS).
 */
@Benchmark
class EstimatorBenchmarkTest {

    @Test
    void timeAllFourEstimatorsOverAllHeadsAndCheckpoints() throws Exception {
        Path dir = Files.createTempDirectory("headlab-bench");
        ModelConfig config = ModelConfig.attnOnly(2, 8, 64, 8, 9, 64);
        List<String> vocab = List.of("<bos>", "(", ")", "[", "]", "a", "b", "c", "d");
        Path run;
        try (RunWriter w = RunWriter.create(dir.resolve("bench"), config, TokenizerSpec.chars(vocab, "<bos>"),
                "bench", "random-weight benchmark run")) {
            for (int i = 0; i < 30; i++) {
                w.addCheckpoint(i * 100, RandomWeights.gaussian(config, 100L + i, 0.15, true));
            }
            SplittableRandom rng = new SplittableRandom(1);
            List<String> texts = new ArrayList<>();
            DyckGenerator g = new DyckGenerator(2, 6, 32, 32, false);
            for (int i = 0; i < 64; i++) {
                texts.add(g.sample(rng).text());
            }
            w.addDataset("dyck", "Dyck-2 strings of 32 brackets", texts);
            w.training(Map.of("note", "benchmark: random weights"));
            run = w.commit().dir();
        }
        String r = run.toString();
        String paths = "K:1:0,K:1:1,K:1:2,K:1:3,K:1:4,K:1:5,K:1:6,K:1:7,logits";
        String[][] commands = {
            {"compose", r, "--all-steps", "--csv"},
            {"patterns", r, "--all-steps", "--csv"},
            {"ablate", r, "--all-steps", "--csv", "--ablation", "resample"},
            {"patch", r, "--all-steps", "--csv", "--ablation", "resample", "--path", paths},
        };
        StringBuilder report = new StringBuilder();
        for (String[] c : commands) {
            long t0 = System.nanoTime();
            CliTest.Result res = CliTest.cli(c);
            double s = (System.nanoTime() - t0) / 1e9;
            assertEquals(0, res.code(), res.err());
            report.append(String.format(Locale.ROOT, "%-9s %7.1f s  %d rows%n", c[0], s,
                    res.out().strip().split("\n").length - 1));
        }
        System.out.print(report);
        Files.writeString(Path.of("target", "estimator-benchmark.txt"), report.toString());
    }
}
