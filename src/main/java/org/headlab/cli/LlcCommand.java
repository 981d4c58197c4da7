package org.headlab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.llc.LlcCalibration;
import org.headlab.core.estimate.llc.LlcData;
import org.headlab.core.estimate.llc.LlcEstimator;
import org.headlab.core.estimate.llc.LlcMetrics;
import org.headlab.core.estimate.llc.LlcResolution;
import org.headlab.core.estimate.llc.LlcResult;
import org.headlab.core.estimate.llc.SgldConfig;
import org.headlab.core.model.ParameterMask;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.session.RunSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code llc RUN --step S|--all-steps --head L:H|--layer L|--full}: refined LLC estimates. */
@Command(name = "llc", mixinStandardHelpOptions = true,
        description = "Estimate a (weight- and data-) refined local learning coefficient with SGLD (devinterp).",
        footer = {"", "Exit status: 0 done, 1 no estimate at some step (every chain diverged), 2 a usage or input"
            + " error."})
final class LlcCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RUN", description = "The run folder.")
    Path runDir;

    static final class Steps {
        @Option(names = "--step", description = "Checkpoint step.")
        Integer step;
        @Option(names = "--all-steps", description = "Every checkpoint of the run.")
        boolean all;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Steps steps;

    static final class Target {
        @Option(names = "--head", description = "One head, LAYER:HEAD (its W_Q, W_K, W_V, W_O slices).")
        String head;
        @Option(names = "--layer", description = "Every parameter of one layer.")
        Integer layer;
        @Option(names = "--full", description = "Every parameter.")
        boolean full;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--head-biases", description = "Include the head's b_Q, b_K, b_V slices.")
    boolean headBiases;

    @Option(names = "--dataset", description = "Dataset slice of the run (default: the first).")
    String dataset;

    @Option(names = "--calibrated", description = "Use ε, nβ and γ that llc-calibrate chose for this target and"
            + " slice (RUN/llc-calibration.json, the entry at the nearest step); other settings as given.")
    boolean calibrated;

    @Option(names = "--plain", description = "Use the plain one-model-per-chain path (reference).")
    boolean plain;

    @Option(names = "--json", description = "Print JSON with devinterp's keys.")
    boolean json;

    @Mixin
    SgldOptions sgld;

    @Override
    public Integer call() {
        try (RunSession session = RunSession.open(runDir)) {
            ModelConfig config = session.run().config();
            ParameterMask mask = mask(config, target, headBiases);
            LlcData data = data(session, dataset);
            SgldConfig cfg = sgld.config();
            if (calibrated) {
                int at = steps.all ? session.run().steps().get(session.run().steps().size() - 1) : steps.step;
                double[] c = LlcCalibration.calibrated(session.run().dir(), describe(target), data.name(), at);
                cfg = cfg.withEpsilon(c[0]).withNbeta(c[1]).withGamma(c[2]);
            }
            List<Integer> stepList = steps.all ? session.run().steps() : List.of(steps.step);
            PrintWriter out = spec.commandLine().getOut();
            List<Integer> noEstimate = new ArrayList<>();
            List<Map<String, Object>> rows = new ArrayList<>();
            if (!json) {
                out.printf("%s on '%s' (%d sequences × %d tokens), %s%n", describe(target), data.name(), data.size(),
                        data.length(), cfg.toMap());
                out.printf("%8s %10s %9s %9s %9s %8s %8s %7s %7s %5s  %s%n", "step", LlcMetrics.MEAN, LlcMetrics.STD,
                        LlcMetrics.SE,
                        "init_loss", "mala", "neg%", "rhat", "max|z|", "conv", "warnings");
            }
            for (int step : stepList) {
                LlcResult r = LlcEstimator.estimate(config, session.run().weights(step), mask, data, cfg,
                        () -> Thread.currentThread().isInterrupted(),
                        plain ? LlcEstimator.Path.PLAIN : LlcEstimator.Path.AUTO,
                        org.headlab.core.estimate.llc.SgldSampler.Progress.NONE);
                if (!r.diverged().isEmpty() && r.diverged().size() == cfg.chains()) {
                    noEstimate.add(step);
                }
                if (json) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("step", step);
                    row.putAll(r.toMap());
                    rows.add(row);
                } else {
                    LlcResolution res = r.resolution();
                    out.printf("%8d %10.4f %9.4f %9.4f %9.4f %8.3f %7.1f%% %7.3f %7.2f %5s  %s%n", step, r.llcMean(),
                            r.llcStd(), res.standardError(), r.initLoss(), r.malaMean(),
                            100 * r.health().negativeFraction(), r.convergence().rHat(), r.convergence().maxAbsZ(),
                            r.convergence().converged() ? "yes" : "no", String.join("; ", r.warnings()));
                    // the verdict in words, on its own line: a noise-floor number must not read like a result
                    out.printf("%8s %s%n", "", res.sentence());
                }
            }
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("run", session.run().name());
                doc.put("target", describe(target));
                doc.put("dataset", data.name());
                doc.put("results", rows);
                JsonOutput.print(out, doc);
            }
            if (!noEstimate.isEmpty()) {
                // a NaN with exit 0 reads as a result in a script: every chain diverged is a failure
                spec.commandLine().getErr().printf("headlab: no estimate at step%s %s: every chain diverged (epsilon"
                        + " %s); try a smaller --epsilon or a larger --gamma%n", noEstimate.size() > 1 ? "s" : "",
                        noEstimate.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", ")),
                        cfg.epsilon());
                return 1;
            }
        }
        return 0;
    }

    static String describe(Target t) {
        return t.head != null ? "head " + t.head : t.layer != null ? "layer " + t.layer : "full model";
    }

    static ParameterMask mask(ModelConfig config, Target t, boolean biases) {
        if (t.head != null) {
            Head h = Head.parse(t.head).checkedAgainst(config);
            return ParameterMask.head(config, h.layer(), h.head(), biases);
        }
        if (t.layer != null) {
            return ParameterMask.layer(config, t.layer);
        }
        return ParameterMask.full(config);
    }

    static LlcData data(RunSession session, String name) {
        if (name == null) {
            if (session.run().datasets().isEmpty()) {
                throw new HeadLabException("run '" + session.run().name() + "' has no dataset to estimate the LLC on");
            }
            name = session.run().datasets().get(0).name();
        }
        return LlcData.fromRun(session, name);
    }
}
