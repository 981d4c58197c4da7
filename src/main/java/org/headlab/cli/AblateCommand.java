package org.headlab.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.EstimatorInputs;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.ablation.Ablation;
import org.headlab.core.estimate.ablation.AblationResult;
import org.headlab.core.estimate.ablation.AblationScores;
import org.headlab.core.model.Transformer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ablate RUN}: ablation scores per head (Δloss = ablated − clean), estimators.md §6. */
@Command(name = "ablate", mixinStandardHelpOptions = true,
        description = {"Ablation scores per head: mean next-token loss with the head's output z replaced, minus the "
                + "clean loss, on the same slice of a dataset. normalized = delta / clean loss."})
class AblateCommand extends EstimatorCommand {
    @Option(names = "--ablation", paramLabel = "KIND", defaultValue = "resample",
            description = "zero, mean (per-position mean over the slice) or resample (z from another sequence of "
                    + "the slice, same position; seeded). Default: ${DEFAULT-VALUE}.")
    String ablation;

    @Option(names = "--dataset", paramLabel = "NAME", description = "Dataset of the run (default: its first).")
    String dataset;

    @Option(names = "--sequences", paramLabel = "N", defaultValue = "64",
            description = "At most N windows in the slice (default: ${DEFAULT-VALUE}).")
    int sequences;

    @Option(names = "--length", paramLabel = "T",
            description = "Pack the dataset into windows of T tokens (documents BOS first, back to back; default: n_ctx).")
    Integer length;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "16",
            description = "Sequences per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the resampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--per-token", description = "JSON: include token_increase[sequence][position] per head.")
    boolean perToken;

    int[][] slice;

    Ablation parseAblation() {
        return switch (ablation.toLowerCase(java.util.Locale.ROOT)) {
            case "zero" -> new Ablation.Zero();
            case "mean" -> new Ablation.Mean(null);
            case "resample" -> new Ablation.Resample(seed);
            default -> throw new HeadLabException("--ablation must be zero, mean or resample, got '" + ablation + "'");
        };
    }

    @Override
    void prepare(List<Head> selected) {
        parseAblation();
        slice = EstimatorInputs.slice(session, dataset, sequences, length);
    }

    @Override
    Map<String, Object> header() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ablation", parseAblation().label());
        m.put("normalized", "delta / clean_loss");
        m.put("sequences", slice.length);
        m.put("length", slice[0].length);
        if (perToken) {
            m.put("tokens", slice);
        }
        return m;
    }

    AblationResult compute(Transformer model, List<Head> selected) {
        return AblationScores.compute(model, slice, selected, parseAblation(), batchSize);
    }

    @Override
    Map<String, Object> computeStep(Transformer model, List<Head> selected) {
        return toJson(compute(model, selected));
    }

    Map<String, Object> toJson(AblationResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clean_loss", r.cleanLoss());
        List<Map<String, Object>> entries = new ArrayList<>();
        for (AblationResult.Entry e : r.entries()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("head", e.head().toString());
            x.put("layer", e.head().layer());
            x.put("head_index", e.head().head());
            if (!"all".equals(e.path())) {
                x.put("path", e.path());
            }
            x.put("ablated_loss", e.ablatedLoss());
            x.put("delta", e.delta());
            x.put("normalized", e.normalized());
            if (perToken) {
                x.put("token_increase", e.tokenIncrease());
            }
            entries.add(x);
        }
        m.put("heads", entries);
        return m;
    }

    @Override
    List<String> columns() {
        return List.of("head", "clean_loss", "ablated_loss", "delta", "normalized");
    }

    @Override
    @SuppressWarnings("unchecked")
    List<List<Object>> rows(Map<String, Object> result, List<Head> selected) {
        List<List<Object>> rows = new ArrayList<>();
        for (Map<String, Object> e : (List<Map<String, Object>>) result.get("heads")) {
            List<Object> row = new ArrayList<>();
            row.add(e.get("head"));
            if (columns().contains("path")) {
                row.add(e.get("path"));
            }
            row.add(result.get("clean_loss"));
            row.add(e.get("ablated_loss"));
            row.add(e.get("delta"));
            row.add(e.get("normalized"));
            rows.add(row);
        }
        return rows;
    }
}
