package org.headlab.core.sweep;

import org.headlab.testing.Benchmark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.Estimator;
import org.headlab.core.estimate.EstimatorContext;
import org.headlab.core.estimate.EstimatorRegistry;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.jobs.CancellationToken;
import org.headlab.core.jobs.WorkerPool;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.run.RandomWeights;
import org.headlab.core.run.RunWriter;
import org.headlab.core.session.RunSession;
import org.headlab.core.store.ResultKey;
import org.headlab.core.store.ResultStore;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throughput of a full loss sweep and the pool's overhead against the same tasks in a plain loop, side by side in
 * one JVM (docs/benchmarks.md). Off by default: {@code mvn -o test -Dtest=SweepBenchmarkTest -Dheadlab.bench=true}.
 */
@Benchmark
class SweepBenchmarkTest {
    static final ModelConfig CONFIG = ModelConfig.attnOnly(2, 8, 128, 16, 7, 64);
    static final int CHECKPOINTS = Integer.getInteger("headlab.bench.checkpoints", 24);
    static final int SEQUENCES = Integer.getInteger("headlab.bench.sequences", 64);
    static final int REPEATS = 3;

    @TempDir
    Path tmp;

    @Test
    void lossSweepThroughputAndPoolOverhead() throws Exception {
        String load0 = Files.readString(Path.of("/proc/loadavg")).strip();
        Path run = writeRun();
        EstimatorRegistry registry = EstimatorRegistry.standard();
        StringBuilder report = new StringBuilder();
        try (RunSession session = RunSession.open(run)) {
            DatasetSlices slices = new DatasetSlices(session);
            List<Estimator> loss = List.of(registry.get("loss"));
            List<TaskSpec> tasks = SweepPlan.tasks(session.run(), slices, loss, Map.of(), null, null, null);
            tasks.forEach(t -> session.run().weights(t.step())); // read every checkpoint once: warm the cache
            plainLoop(session, slices, registry, tasks, null); // warm-up: engine start, JIT
            for (int r = 0; r < REPEATS; r++) {
                double loop = plainLoop(session, slices, registry, tasks, fresh(run, "main" + r));
                // the same loop as ONE job on a 1-worker pool: same kind of thread as the pool's tasks, no per-task
                // queueing (the main thread runs PyTorch much slower here; see docs/benchmarks.md)
                double loopStore;
                try (WorkerPool one = WorkerPool.withWorkers(1)) {
                    ResultStore st = fresh(run, "loop" + r);
                    loopStore = one.submit("plain loop", org.headlab.core.jobs.Priority.BATCH,
                            c -> plainLoop(session, slices, registry, tasks, st)).join();
                }
                double pool1 = pooled(session, slices, registry, tasks, fresh(run, "p1-" + r), 1);
                double pool2 = pooled(session, slices, registry, tasks, fresh(run, "p2-" + r), 2);
                report.append(String.format(Locale.ROOT, "| %d | %d | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f |%n", r + 1,
                        tasks.size(), loop, loopStore, pool1, pool2, (pool1 - loopStore) / tasks.size(),
                        tasks.size() / (pool2 / 1000)));
            }
        }
        String header = "| repeat | tasks | loop + store on main thread ms | loop + store on one worker thread ms | pool(1) + store ms | pool(2) + store ms"
                + " | pool overhead ms/task (pool(1) − worker loop) | pool(2) tasks/s |\n"
                + "|---|---|---|---|---|---|---|---|\n";
        report.append("\nload average before/after: ").append(load0).append(" / ")
                .append(Files.readString(Path.of("/proc/loadavg")).strip()).append('\n');
        Files.writeString(Path.of("target", "bench-sweep.md"), header + report);
        System.out.print(header + report);
    }

    static double plainLoop(RunSession session, DatasetSlices slices, EstimatorRegistry registry, List<TaskSpec> tasks,
            ResultStore store) {
        long t0 = System.nanoTime();
        for (TaskSpec t : tasks) {
            long s = System.nanoTime();
            try (EstimatorContext ctx = new EstimatorContext(session, slices)) {
                var result = registry.get(t.estimator()).evaluate(ctx, t, CancellationToken.none());
                if (store != null) {
                    store.put(ResultKey.of(t), t.step(), result, (System.nanoTime() - s) / 1_000_000);
                }
            }
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        if (store != null) {
            store.close();
        }
        return ms;
    }

    static double pooled(RunSession session, DatasetSlices slices, EstimatorRegistry registry, List<TaskSpec> tasks,
            ResultStore store, int workers) throws InterruptedException {
        try (store; WorkerPool pool = WorkerPool.withWorkers(workers)) {
            long t0 = System.nanoTime();
            SweepProgress p = Sweep.start(pool, session, slices, registry, store, tasks, null).await();
            if (p.computed() != tasks.size()) {
                throw new AssertionError("expected every task computed: " + p);
            }
            return (System.nanoTime() - t0) / 1e6;
        }
    }

    static ResultStore fresh(Path run, String name) {
        return ResultStore.open(run.resolve(".headlab").resolve(name + ".db"));
    }

    Path writeRun() throws Exception {
        Path dir = tmp.resolve("bench");
        try (RunWriter w = RunWriter.create(dir, CONFIG, FixtureRuns.BRACKETS_TOKENIZER, "bench", "benchmark")) {
            for (int i = 0; i < CHECKPOINTS; i++) {
                w.addCheckpoint(i * 100, RandomWeights.gaussian(CONFIG, 50L + i, 0.2, true));
            }
            SplittableRandom rnd = new SplittableRandom(1);
            List<String> texts = new ArrayList<>();
            for (int s = 0; s < SEQUENCES; s++) {
                StringBuilder b = new StringBuilder();
                for (int c = 0; c < 63; c++) {
                    b.append("()[]ab".charAt(rnd.nextInt(6)));
                }
                texts.add(b.toString());
            }
            w.addDataset("train", "random bracket strings", texts);
            w.commit();
        }
        Files.createDirectories(dir.resolve(".headlab"));
        return dir;
    }
}
