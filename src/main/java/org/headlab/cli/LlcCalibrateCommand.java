package org.headlab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.headlab.core.estimate.llc.LlcCalibration;
import org.headlab.core.estimate.llc.LlcData;
import org.headlab.core.estimate.llc.LlcEstimator;
import org.headlab.core.estimate.llc.LlcMetrics;
import org.headlab.core.estimate.llc.LlcResult;
import org.headlab.core.estimate.llc.SgldConfig;
import org.headlab.core.model.ParameterMask;
import org.headlab.core.session.RunSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code llc-calibrate RUN --step S ...}: sweeps ε × nβ (× γ) and judges each setting the way devinterp users do
 * by eye: no divergence (stable), converged by {@link org.headlab.core.estimate.llc.Convergence} (every chain's
 * Geweke |z| ≤ 2.5, first 10 % vs last 50 % of its loss trace, and Gelman–Rubin R̂ ≤ 1.1 across chains), MALA
 * acceptance ≥ 0.5 (aim ~0.9), and λ̂ ≥ 0.
 */
@Command(name = "llc-calibrate", mixinStandardHelpOptions = true,
        description = "Sweep epsilon × nbeta (× gamma), report which SGLD settings give stable, converged, resolved"
                + " estimates, and record the chosen one with its evidence in RUN/llc-calibration.json.")
final class LlcCalibrateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RUN", description = "The run folder.")
    Path runDir;

    @Option(names = "--step", required = true, description = "Checkpoint step.")
    int step;

    @ArgGroup(exclusive = true, multiplicity = "1")
    LlcCommand.Target target;

    @Option(names = "--head-biases", description = "Include the head's b_Q, b_K, b_V slices.")
    boolean headBiases;

    @Option(names = "--dataset", description = "Dataset slice (default: the first).")
    String dataset;

    @Option(names = "--epsilons", split = ",", description = "Step sizes to try (default 1e-4,3e-4,1e-3,3e-3).")
    List<Double> epsilons = List.of(1e-4, 3e-4, 1e-3, 3e-3);

    @Option(names = "--nbetas", split = ",", description = "nβ values to try (default 10,30,100).")
    List<Double> nbetas = List.of(10.0, 30.0, 100.0);

    @Option(names = "--gammas", split = ",", description = "γ values to try (default: the --gamma value, 200).")
    List<Double> gammas;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Option(names = "--no-store", description = "Do not record the choice in RUN/llc-calibration.json.")
    boolean noStore;

    @Mixin
    SgldOptions sgld;

    @Override
    public Integer call() {
        try (RunSession session = RunSession.open(runDir)) {
            ParameterMask mask = LlcCommand.mask(session.run().config(), target, headBiases);
            LlcData data = LlcCommand.data(session, dataset);
            SgldConfig base = sgld.config();
            List<Double> gs = gammas == null ? List.of(base.gamma()) : gammas;
            PrintWriter out = spec.commandLine().getOut();
            List<Map<String, Object>> rows = new ArrayList<>();
            List<LlcCalibration.Trial> trials = new ArrayList<>();
            if (!json) {
                out.printf("%9s %7s %7s %10s %9s %7s %7s %7s  %s%n", "epsilon", "nbeta", "gamma", LlcMetrics.MEAN,
                        LlcMetrics.STD,
                        "mala", "rhat", "max|z|", "verdict");
            }
            for (double g : gs) {
                for (double e : epsilons) {
                    for (double nb : nbetas) {
                        SgldConfig cfg = base.withEpsilon(e).withNbeta(nb).withGamma(g);
                        LlcResult r = LlcEstimator.estimate(session.run().config(), session.run().weights(step), mask,
                                data, cfg, () -> false);
                        Map<String, Object> v = verdict(r);
                        trials.add(new LlcCalibration.Trial(e, nb, g, r.llcMean(), r.llcStd(), r.malaMean(),
                                r.diverged().isEmpty(), r.convergence().converged(),
                                r.resolution().verdict().words));
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("epsilon", e);
                        row.put("nbeta", nb);
                        row.put("gamma", g);
                        row.put(LlcMetrics.MEAN, r.toMap().get(LlcMetrics.MEAN));
                        row.put(LlcMetrics.STD, r.toMap().get(LlcMetrics.STD));
                        row.put("mala_accept/mean", r.toMap().get("mala_accept/mean"));
                        row.putAll(v);
                        rows.add(row);
                        if (!json) {
                            out.printf("%9.1e %7.1f %7.1f %10.4f %9.4f %7.3f %7.3f %7.2f  %s%n", e, nb, g, r.llcMean(),
                                    r.llcStd(), r.malaMean(), r.convergence().rHat(), r.convergence().maxAbsZ(),
                                    v.get("verdict"));
                        }
                    }
                }
            }
            LlcCalibration.Choice choice = LlcCalibration.choose(trials, base.nbeta());
            java.nio.file.Path stored = noStore ? null : LlcCalibration.store(session.run().dir(),
                    LlcCommand.describe(target), data.name(), step, trials, choice);
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("step", step);
                doc.put("target", LlcCommand.describe(target));
                doc.put("settings", rows);
                doc.put("chosen", choice.chosen().map(t -> Map.of("epsilon", t.epsilon(), "nbeta", t.nbeta(),
                        "gamma", t.gamma())).orElse(null));
                doc.put("reason", choice.reason());
                JsonOutput.print(out, doc);
            } else {
                out.println("chosen: " + choice.reason() + (stored == null ? "" : "; stored in " + stored
                        + " (llc --calibrated uses it)"));
            }
        }
        return 0;
    }

    static Map<String, Object> verdict(LlcResult r) {
        boolean stable = r.diverged().isEmpty();
        // Geweke z per chain and Gelman–Rubin R̂ on the loss traces (Convergence), not a by-eye flatness test
        boolean converged = stable && r.convergence().converged();
        boolean acceptance = r.malaMean() >= 0.5;
        boolean negative = r.llcMean() < 0;
        List<String> notes = new ArrayList<>();
        if (!stable) notes.add("diverged");
        if (stable && !converged) notes.add("not converged (" + r.convergence().reason() + ")");
        if (!acceptance) notes.add("low acceptance");
        if (negative) notes.add("negative λ");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stable", stable);
        m.put("converged", converged);
        m.put("rhat", finite(r.convergence().rHat()));
        m.put("geweke_max_abs_z", finite(r.convergence().maxAbsZ()));
        m.put("acceptance_ok", acceptance);
        m.put("negative_llc", negative);
        m.put("verdict", notes.isEmpty() ? "ok" : String.join(", ", notes));
        return m;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
