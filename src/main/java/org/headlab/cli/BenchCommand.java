package org.headlab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.llc.HeadPathFlops;
import org.headlab.core.estimate.llc.LlcData;
import org.headlab.core.estimate.llc.LlcEstimator;
import org.headlab.core.estimate.llc.SgldConfig;
import org.headlab.core.estimate.llc.SgldProfile;
import org.headlab.core.estimate.llc.SgldSampler;
import org.headlab.core.model.MatmulPeak;
import org.headlab.core.model.ParameterMask;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.session.RunSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bench sgld RUN}: SGLD chain-steps per second, optimized head path vs. the plain loop, side by side. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Micro-benchmarks.",
        subcommands = {BenchCommand.Sgld.class})
final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "sgld", mixinStandardHelpOptions = true,
            description = "SGLD steps/s for a head-restricted LLC: the optimized sampler (precomputed head inputs,"
                    + " chains batched) and a plain one-chain-at-a-time full-forward loop, same engine, same process.")
    static final class Sgld implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "RUN", description = "The run folder.")
        Path runDir;

        @Option(names = "--step", description = "Checkpoint step (default: the last).")
        Integer step;

        @Option(names = "--head", description = "Head LAYER:HEAD (default 0:0).")
        String head = "0:0";

        @Option(names = "--chains", description = "Chains (default 4).")
        int chains = 4;

        @Option(names = "--draws", description = "Draws per chain per measurement (default 20).")
        int draws = 20;

        @Option(names = "--batch", description = "Sequences per minibatch (default 32).")
        int batch = 32;

        @Option(names = "--repeats", description = "Alternating measurements of each path (default 3).")
        int repeats = 3;

        @Option(names = "--sampler", description = "sgld (default), rmsprop_sgld or sgnht: the update both paths"
                + " time.")
        String sampler = "sgld";

        @Option(names = "--no-plain", description = "Time only the optimized path (the plain loop takes minutes on"
                + " large runs); still prints the FLOP count and the fraction of the measured matmul peak.")
        boolean noPlain;

        @Override
        public Integer call() {
            try (RunSession session = RunSession.open(runDir)) {
                ModelConfig config = session.run().config();
                int s = step != null ? step : session.run().steps().get(session.run().steps().size() - 1);
                Head h = Head.parse(head).checkedAgainst(config);
                ParameterMask mask = ParameterMask.head(config, h.layer(), h.head(), false);
                LlcData data = LlcCommand.data(session, null);
                SgldConfig cfg = SgldConfig.paper().withChains(chains).withDraws(draws).withBatchSize(batch)
                        .withInitBatches(1).withMala(false).withSampler(SgldConfig.Sampler.of(sampler));
                PrintWriter out = spec.commandLine().getOut();
                // which section of each path's time goes where: -Dheadlab.sgld.profile=true
                out.printf("run %s step %d, head %s, %d chains × %d draws, batch %d × %d tokens (of %d windows),"
                        + " %d cores, sampler %s%n", session.run().name(), s, h, chains, draws, batch, data.length(),
                        data.size(), Runtime.getRuntime().availableProcessors(), cfg.sampler().id);
                // warm-up of both paths
                time(config, session, s, mask, data, cfg.withDraws(2), LlcEstimator.Path.AUTO);
                if (!noPlain) {
                    time(config, session, s, mask, data, cfg.withDraws(2), LlcEstimator.Path.PLAIN);
                }
                SgldProfile.reportAndReset();
                double bestFast = 0;
                double bestPlain = 0;
                double cpuFast = 0;
                double cpuPlain = 0;
                double bestFastSeconds = Double.MAX_VALUE;
                for (int r = 0; r < repeats; r++) {
                    double[] f = time(config, session, s, mask, data, cfg, LlcEstimator.Path.AUTO);
                    String fastProfile = SgldProfile.reportAndReset();
                    double[] p = noPlain ? new double[] {Double.NaN, Double.NaN}
                            : time(config, session, s, mask, data, cfg, LlcEstimator.Path.PLAIN);
                    String plainProfile = SgldProfile.reportAndReset();
                    bestFastSeconds = Math.min(bestFastSeconds, f[0]);
                    double fast = chains * draws / f[0];
                    double plain = chains * draws / p[0];
                    out.printf("  repeat %d: optimized %.1f chain-steps/s, plain %.1f chain-steps/s, ratio %.2f;"
                            + " process CPU %.1f s vs %.1f s, ratio %.2f%n", r, fast, plain, fast / plain, f[1], p[1],
                            p[1] / f[1]);
                    if (SgldProfile.enabled()) {
                        out.print(fastProfile);
                        out.print(plainProfile);
                    }
                    bestFast = Math.max(bestFast, fast);
                    bestPlain = Math.max(bestPlain, plain);
                    cpuFast += f[1];
                    cpuPlain += p[1];
                }
                // wall-clock rates swing with other processes on shared cores; CPU seconds of this process do not
                // (much), so both are printed
                out.printf("optimized %.1f steps/s, plain %.1f steps/s, ratio %.2f (best of %d); CPU ratio %.2f"
                        + " (all repeats)%n", bestFast, bestPlain, bestFast / bestPlain, repeats, cpuPlain / cpuFast);
                printPeak(out, config, h, data, cfg, bestFastSeconds);
            }
            return 0;
        }

        /**
         * The head path's matmul FLOPs per step ({@link HeadPathFlops}), the engine's measured fp32 matmul rate at
         * the unembedding's two shapes (forward, input gradient) and at 2048³, and the fraction of the best of
         * those that the fastest optimized estimate reached, counting its whole wall time (input pass, init loss
         * and the update included, their FLOPs not: a lower bound).
         */
        private static void printPeak(PrintWriter out, ModelConfig config, Head h, LlcData data, SgldConfig cfg,
                double seconds) {
            long rows = (long) cfg.chains() * cfg.batchSize();
            long t = data.length();
            double perStep = HeadPathFlops.perStep(config, h.layer(), rows, t);
            int m = Math.toIntExact(rows * (t - 1));
            double fwd = MatmulPeak.gflops(m, config.dModel(), config.dVocab(), 5);
            double bwd = MatmulPeak.gflops(m, config.dVocab(), config.dModel(), 5);
            double square = MatmulPeak.gflops(2048, 2048, 2048, 5);
            double peak = Math.max(square, Math.max(fwd, bwd));
            double achieved = perStep * cfg.iterations() / seconds / 1e9;
            out.printf("head path: %.2f GFLOP of matmuls per step (%d rows × %d tokens, forward + backward);"
                    + " engine fp32 matmul [%d,%d]×[%d,%d] %.1f GFLOP/s, [%d,%d]×[%d,%d] %.1f GFLOP/s, 2048³ %.1f"
                    + " GFLOP/s; the fastest estimate: %.1f GFLOP/s = %.0f %% of %.1f%n", perStep / 1e9, rows, t, m,
                    config.dModel(), config.dModel(), config.dVocab(), fwd, m, config.dVocab(), config.dVocab(),
                    config.dModel(), bwd, square, achieved, 100 * achieved / peak, peak);
        }

        /** {wall seconds, CPU seconds of this process (every thread, OpenMP workers too)}. */
        private static double[] time(ModelConfig config, RunSession session, int step, ParameterMask mask,
                LlcData data, SgldConfig cfg, LlcEstimator.Path path) {
            com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            long c0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            LlcEstimator.estimate(config, session.run().weights(step), mask, data, cfg, () -> false, path,
                    SgldSampler.Progress.NONE);
            return new double[] {(System.nanoTime() - t0) / 1e9, (os.getProcessCpuTime() - c0) / 1e9};
        }
    }

}
