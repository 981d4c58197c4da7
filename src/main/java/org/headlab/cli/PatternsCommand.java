package org.headlab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.headlab.core.HeadLabException;
import org.headlab.core.Json;
import org.headlab.core.estimate.EstimatorInputs;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.patterns.PatternScores;
import org.headlab.core.model.Transformer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code patterns RUN}: attention-pattern scores per head, estimators.md §4.2. */
@Command(name = "patterns", mixinStandardHelpOptions = true,
        description = {"Attention-pattern scores per head: previous_token and current_token (on the dataset slice), "
                + "induction (repeated random tokens), bracket_matching (generated Dyck strings), depth_tracking "
                + "(generated S-expressions, or Dyck strings when the tokenizer cannot encode them), multigram (on the "
                + "slice: how much the head's choice of key follows the tokens rather than their positions) and an "
                + "optional "
                + "custom [query][key] template (TransformerLens detect_head, 'mul'). JSON: [layer][head] arrays, "
                + "null where a score has no data."})
final class PatternsCommand extends EstimatorCommand {
    @Option(names = "--dataset", paramLabel = "NAME", description = "Dataset of the run (default: its first).")
    String dataset;

    @Option(names = "--sequences", paramLabel = "N", defaultValue = "64",
            description = "At most N dataset sequences, and N generated sequences of each kind "
                    + "(default: ${DEFAULT-VALUE}).")
    int sequences;

    @Option(names = "--length", paramLabel = "T",
            description = "Pack the dataset into windows of T tokens (documents BOS first, back to back; default: n_ctx).")
    Integer length;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the generated data (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--custom", paramLabel = "FILE",
            description = "A JSON file holding a T×T [query][key] template, T = the slice length.")
    Path customFile;

    EstimatorInputs.Patterns data;

    @Override
    void prepare(List<Head> selected) {
        int[][] slice = EstimatorInputs.slice(session, dataset, sequences, length);
        data = EstimatorInputs.patterns(session, slice, sequences, seed, customFile == null ? null : readTemplate());
        if (data.data().custom() != null && data.data().text().isEmpty()) {
            throw new HeadLabException("the custom pattern needs dataset sequences");
        }
    }

    private double[][] readTemplate() {
        JsonNode n;
        try {
            n = Json.mapper().readTree(customFile.toFile());
        } catch (IOException e) {
            throw new HeadLabException("cannot read the custom pattern " + customFile + ": " + e.getMessage());
        }
        if (n == null || !n.isArray()) {
            throw new HeadLabException(customFile + ": the custom pattern must be a JSON array of rows");
        }
        double[][] t = new double[n.size()][];
        for (int i = 0; i < n.size(); i++) {
            JsonNode row = n.get(i);
            if (!row.isArray()) {
                throw new HeadLabException(customFile + ": row " + i + " of the custom pattern is not an array");
            }
            t[i] = new double[row.size()];
            for (int j = 0; j < row.size(); j++) {
                if (!row.get(j).isNumber()) {
                    throw new HeadLabException(customFile + ": entry [" + i + "][" + j + "] is not a number");
                }
                t[i][j] = row.get(j).asDouble();
            }
        }
        return t;
    }

    @Override
    Map<String, Object> header() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("depth_tracking_on", data.depthTrackingOn());
        m.put("sequences", Map.of("text", data.data().text().size(), "repeated", data.data().repeated().size(),
                "brackets", data.data().brackets().size(), "depth_tracking", data.data().sexpressions().size()));
        return m;
    }

    @Override
    Map<String, Object> computeStep(Transformer model, List<Head> selected) {
        PatternScores.Result r = PatternScores.compute(model, data.data());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("previous_token", jsonMatrix(r.previousToken()));
        m.put("current_token", jsonMatrix(r.currentToken()));
        m.put("induction", jsonMatrix(r.induction()));
        m.put("bracket_matching", jsonMatrix(r.bracketMatching()));
        m.put("depth_tracking", jsonMatrix(r.depthTracking()));
        m.put("multigram", jsonMatrix(r.multigram()));
        if (r.custom() != null) {
            m.put("custom", jsonMatrix(r.custom()));
        }
        return m;
    }

    private static final List<String> SCORES = List.of("previous_token", "current_token", "induction",
            "bracket_matching", "depth_tracking", "multigram");

    @Override
    List<String> columns() {
        List<String> c = new ArrayList<>();
        c.add("head");
        c.addAll(SCORES);
        if (customFile != null) {
            c.add("custom");
        }
        return c;
    }

    @Override
    List<List<Object>> rows(Map<String, Object> result, List<Head> selected) {
        List<List<Object>> rows = new ArrayList<>();
        List<String> names = new ArrayList<>(SCORES);
        if (result.containsKey("custom")) {
            names.add("custom");
        }
        for (Head h : selected) {
            List<Object> row = new ArrayList<>();
            row.add(h.toString());
            for (String s : names) {
                row.add(((Double[][]) result.get(s))[h.layer()][h.head()]);
            }
            rows.add(row);
        }
        return rows;
    }
}
