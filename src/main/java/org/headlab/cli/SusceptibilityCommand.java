package org.headlab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.llc.LlcData;
import org.headlab.core.estimate.llc.LlcResult;
import org.headlab.core.estimate.llc.SgldConfig;
import org.headlab.core.estimate.susceptibility.Susceptibility;
import org.headlab.core.estimate.susceptibility.SusceptibilityEstimate;
import org.headlab.core.figure.SusceptibilityFigures;
import org.headlab.core.model.ParameterMask;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.session.RunSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code susceptibility RUN --step S --head L:H [--dataset D] [--text T]}: per-token susceptibilities of a head. */
@Command(name = "susceptibility", mixinStandardHelpOptions = true,
        description = {"Per-token susceptibilities of one head from its rLLC chains (devinterp 2.0's estimator, ADR"
            + " 0011): at every SGLD draw the per-token losses of a probe are taken at the chains' weights;"
            + " χ = −nβ·Cov(φ, ℓ − L̄) with φ = L̄ − L0 and the mean gap E[L̄ − ℓ] from the full model's chains"
            + " (--reference full, devinterp's) or the head's own (self). Positive: up-weighting that token raises"
            + " the head's loss excess (its rLLC); negative: lowers it.",
            "To store them with the run, sweep the estimator: sweep RUN --estimators susceptibility --heads L:H"},
        footer = {"", "Exit status: 0 done, 1 every chain diverged, 2 a usage or input error."})
final class SusceptibilityCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RUN", description = "The run folder.")
    Path runDir;

    @Option(names = "--step", required = true, description = "Checkpoint step.")
    int step;

    @Option(names = "--head", required = true, description = "The head, LAYER:HEAD.")
    String head;

    @Option(names = "--dataset", description = "Dataset slice the chains sample from (default: the first).")
    String dataset;

    @Option(names = "--text", description = "Probe this text (one window) instead of windows of the slice.")
    String text;

    @Option(names = "--probe-windows", defaultValue = "8",
            description = "Windows of the slice, evenly spaced, that form the probe (default 8).")
    int probeWindows;

    @Option(names = "--reference", defaultValue = "full",
            description = "full (devinterp: the full model's chains give E[L̄ − ℓ]; one more SGLD run) or self.")
    String reference;

    @Option(names = "--bif", description = "Also the token-wise Bayesian influence function (correlations).")
    boolean bif;

    @Option(names = "--top", defaultValue = "15", description = "Tokens listed with the largest |χ| (default 15).")
    int top;

    @Option(names = "--json", description = "Print JSON: every probe token's χ, its error and devinterp's value.")
    boolean json;

    @Mixin
    SgldOptions sgld;

    @Override
    public Integer call() {
        SusceptibilityEstimate.Reference ref = SusceptibilityEstimate.Reference.of(reference);
        if (top < 0) {
            throw new HeadLabException("--top must be ≥ 0, got " + top);
        }
        try (RunSession session = RunSession.open(runDir)) {
            ModelConfig config = session.run().config();
            Head h = Head.parse(head).checkedAgainst(config);
            if (!session.run().steps().contains(step)) {
                throw new HeadLabException("run '" + session.run().name() + "' has no checkpoint at step " + step);
            }
            LlcData data = LlcCommand.data(session, dataset);
            SgldConfig cfg = sgld.config();
            int[] rows;
            int[][] probe;
            if (text != null) {
                int[] ids = session.encode(text).ids();
                if (ids.length < 2) {
                    throw new HeadLabException("--text must encode to at least 2 tokens, got " + ids.length);
                }
                rows = new int[0];
                probe = new int[][] {Arrays.copyOf(ids, Math.min(ids.length, config.nCtx()))};
            } else {
                rows = SusceptibilityEstimate.probeRows(data, probeWindows);
                probe = SusceptibilityEstimate.windows(data, rows);
            }
            java.util.function.BooleanSupplier cancelled = () -> Thread.currentThread().isInterrupted();
            var weights = session.run().weights(step);
            SusceptibilityEstimate.Gap gap = ref == SusceptibilityEstimate.Reference.FULL
                    ? SusceptibilityEstimate.referenceGap(config, weights, data, probe, cfg, cancelled) : null;
            SusceptibilityEstimate.Result r = SusceptibilityEstimate.estimate(config, weights,
                    ParameterMask.head(config, h.layer(), h.head(), false), data, probe, cfg, gap, bif, cancelled);
            Susceptibility s = r.susceptibility();
            PrintWriter out = spec.commandLine().getOut();
            List<String> vocab = session.vocabulary();
            List<String> labels = SusceptibilityFigures.tokenLabels(probe, vocab,
                    SusceptibilityFigures.TokenStyle.QUOTED);
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("run", session.run().name());
                doc.put("step", step);
                doc.put("head", h.toString());
                doc.put("dataset", data.name());
                doc.put("reference", ref.id());
                doc.put("settings", cfg.toMap());
                doc.put("probe_rows", rows);
                doc.put("probe_tokens", labels);
                doc.put("chi", s.chi());
                doc.put("chi_se", s.se());
                doc.put("chi_devinterp", s.devinterp());
                doc.put("chains", s.chains());
                doc.put("llc", r.component().toMap());
                if (r.reference() != null) {
                    doc.put("reference_llc", r.reference().llcMean());
                }
                if (r.bif() != null) {
                    doc.put("bif", r.bif());
                }
                JsonOutput.print(out, doc);
            } else {
                print(out, h, data, rows, ref, r, labels, cfg);
            }
            return s.chains() == 0 ? 1 : 0;
        }
    }

    /** "context → predicted" for every probe token, in the order of the χ arrays. */
    private void print(PrintWriter out, Head h, LlcData data, int[] rows,
            SusceptibilityEstimate.Reference ref, SusceptibilityEstimate.Result r, List<String> labels,
            SgldConfig cfg) {
        Susceptibility s = r.susceptibility();
        LlcResult llc = r.component();
        out.printf("susceptibility of head %s at step %d, chains on '%s' (%d windows × %d tokens), %s%n", h, step,
                data.name(), data.size(), data.length(), cfg.toMap());
        out.printf("probe: %s, %d tokens; reference: %s%n", rows.length == 0 ? "the given text"
                : rows.length + " windows (rows " + Arrays.toString(rows) + ")", labels.size(),
                r.reference() == null ? "the head's own chains"
                        : String.format("the full model's chains (λ̂ %.3f)", r.reference().llcMean()));
        out.printf("the head's rLLC from the same draws: λ̂ %.4f; %s%n", llc.llcMean(), llc.resolution().sentence());
        int n = s.chi().length;
        long resolved = IntStream.range(0, n).filter(k -> Math.abs(s.chi()[k]) > 2 * s.se()[k]).count();
        out.printf("χ = −nβ·Cov(φ, ℓ − L̄) per token, mean over %d chains ± its standard error; %d of %d tokens"
                + " resolved (|χ| > 2 se)%n", s.chains(), resolved, n);
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(k -> -Math.abs(s.chi()[k])));
        int tokensPerWindow = r.probe()[0].length - 1;
        out.printf("%7s %5s %12s %10s  %s%n", "window", "pos", "χ", "± se", "token (context → predicted)");
        for (int i = 0; i < Math.min(top, n); i++) {
            int k = order[i];
            out.printf("%7d %5d %12.4g %10.2g  %s%s%n", k / tokensPerWindow, k % tokensPerWindow + 1, s.chi()[k],
                    s.se()[k], labels.get(k), Math.abs(s.chi()[k]) > 2 * s.se()[k] ? "" : "   (not resolved)");
        }
        if (r.bif() != null) {
            double[][] b = r.bif();
            double sum = 0;
            int pairs = 0;
            for (int i = 0; i < b.length; i++) {
                for (int j = i + 1; j < b.length; j++) {
                    if (!Double.isNaN(b[i][j])) {
                        sum += b[i][j];
                        pairs++;
                    }
                }
            }
            out.printf("BIF (token-wise correlation of losses over the draws): %d × %d, mean off-diagonal %.3f;"
                    + " --json prints the matrix%n", b.length, b.length, pairs == 0 ? Double.NaN : sum / pairs);
        }
    }
}
