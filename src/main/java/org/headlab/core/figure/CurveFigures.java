package org.headlab.core.figure;

import com.fasterxml.jackson.core.type.TypeReference;
import java.awt.Color;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.headlab.core.Json;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.Scope;
import org.headlab.core.estimate.llc.LlcMetrics;
import org.headlab.core.estimate.stages.StageDetector;
import org.headlab.core.labels.HeadLabel;
import org.headlab.core.labels.LabelClass;
import org.headlab.core.labels.LabelSet;
import org.headlab.core.store.ResultTable;

/**
 * Curves over training of one stored (estimator, variant, metric) from a {@link ResultTable}: one curve per head (one
 * panel per layer), per layer or for the model, by the rows' scope; a ± std band where the rows have the matching
 * {@code …/std} metric; labelled by the head's label class when there are labels. Used by the Curves view and by
 * the {@code figures} command.
 */
public final class CurveFigures {
    /** The label of heads without a label when the run has labels. */
    public static final String UNLABELLED = "unlabelled";

    private CurveFigures() {
    }

    /** The std metric that goes with {@code key}: llc/mean → llc/std, else none. */
    public static String stdKeyFor(String key) {
        return key != null && key.endsWith("/mean") ? key.substring(0, key.length() - 5) + "/std" : null;
    }

    /**
     * The verdict metric that goes with {@code key}: llc/mean → llc/resolution (0 = resolved; anything else is
     * drawn hollow), else none.
     */
    public static String resolutionKeyFor(String key) {
        return key != null && key.endsWith("/mean") ? key.substring(0, key.length() - 5) + "/resolution" : null;
    }

    /** The figure of metric {@code m} of estimator {@code e} (one variant), labels from {@code set} at {@code step}. */
    public static TrajectoryFigure build(ResultTable data, String e, String variant, String m, LabelSet set,
            Integer step) {
        String stdKey = stdKeyFor(m);
        String resolutionKey = resolutionKeyFor(m);
        Map<String, TreeMap<Integer, double[]>> byTarget = new LinkedHashMap<>();
        Map<String, ResultTable.Row> firstOf = new LinkedHashMap<>();
        List<ResultTable.Row> rows = new ArrayList<>(data.rows());
        rows.sort(Comparator.comparingInt(ResultTable.Row::layer).thenComparingInt(ResultTable.Row::head));
        TreeSet<Integer> steps = new TreeSet<>();
        for (ResultTable.Row r : rows) {
            if (!r.estimator().equals(e) || !Objects.equals(r.variant(), variant) || !r.metrics().containsKey(m)) {
                continue;
            }
            String name = targetName(r);
            firstOf.putIfAbsent(name, r);
            steps.add(r.step());
            Double sd = stdKey == null ? null : r.metrics().get(stdKey);
            Double res = resolutionKey == null ? null : r.metrics().get(resolutionKey);
            byTarget.computeIfAbsent(name, k -> new TreeMap<>()).put(r.step(),
                    new double[] {r.metrics().get(m), sd == null ? Double.NaN : sd, res == null ? 0 : res});
        }
        boolean labelled = set != null && !set.isEmpty();
        List<TrajectoryFigure.Series> series = new ArrayList<>();
        for (Map.Entry<String, TreeMap<Integer, double[]>> t : byTarget.entrySet()) {
            ResultTable.Row r = firstOf.get(t.getKey());
            int n = t.getValue().size();
            double[] xs = new double[n];
            double[] mean = new double[n];
            double[] std = new double[n];
            boolean[] unresolved = new boolean[n];
            boolean hasStd = false;
            boolean anyUnresolved = false;
            int i = 0;
            for (Map.Entry<Integer, double[]> p : t.getValue().entrySet()) {
                xs[i] = p.getKey();
                mean[i] = p.getValue()[0];
                std[i] = p.getValue()[1];
                unresolved[i] = p.getValue()[2] != 0;
                hasStd |= !Double.isNaN(std[i]);
                anyUnresolved |= unresolved[i];
                i++;
            }
            String panel = r.scope() == Scope.HEAD ? "layer " + r.layer() : null;
            String label = null;
            if (r.scope() == Scope.HEAD && labelled) {
                label = labelAt(set, r.asHead(), step);
            }
            series.add(new TrajectoryFigure.Series(t.getKey(), label, panel, xs, mean, hasStd ? std : null,
                    anyUnresolved ? unresolved : null));
        }
        ResultTable.Row any = firstOf.values().stream().findFirst().orElse(null);
        Provenance.Builder prov = Provenance.builder().run(data.runName(), null)
                .estimator(e, any == null ? Map.of() : params(any.params()))
                .checkpoints(List.copyOf(steps))
                .extra("metric", m).extra("variant", variant == null ? "" : variant);
        if (any != null && any.dataset() != null && !any.dataset().isEmpty()) {
            prov.datasetSlice(any.dataset());
        }
        if (labelled) {
            prov.labels(labelsAt(set, step));
        }
        return new TrajectoryFigure(e + " · " + m + (stdKey != null && series.stream().anyMatch(s -> s.std() != null)
                ? " (± " + stdKey + ")" : ""), "training step", m, series, List.of(), true, prov.build());
    }

    /** Detected stages as figure bands, named S1, S2, … and coloured by kind ("rising", "falling", "flat"). */
    public static List<TrajectoryFigure.Stage> bands(List<StageDetector.Stage> stages) {
        List<TrajectoryFigure.Stage> out = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            StageDetector.Stage st = stages.get(i);
            out.add(new TrajectoryFigure.Stage("S" + (i + 1), st.startStep(), st.endStep(), st.kind().word()));
        }
        return out;
    }

    /** Stages as plain rows {@code [startStep, endStep, kind]}, as they go into a provenance sidecar. */
    public static List<List<Object>> stageRows(List<StageDetector.Stage> stages) {
        List<List<Object>> out = new ArrayList<>();
        for (StageDetector.Stage st : stages) {
            out.add(List.of(st.startStep(), st.endStep(), st.kind().word()));
        }
        return out;
    }

    /**
     * {@code p} completed for a sidecar: the content hash of every checkpoint it lists ({@code hashOf}, e.g.
     * {@code Run::contentHash}) and the seed from the estimator's {@code seed} parameter when none is set.
     */
    public static Provenance completed(Provenance p, java.util.function.IntFunction<String> hashOf) {
        Provenance.Builder b = p.toBuilder();
        for (int step : p.checkpoints()) {
            if (!p.checkpointHashes().containsKey(Integer.toString(step))) {
                b.checkpointHash(step, hashOf.apply(step));
            }
        }
        if (p.seed() == null && p.parameters().get("seed") instanceof Number n) {
            b.seed(n.longValue());
        }
        return b.build();
    }

    /** The parameters of a stored key (canonical JSON) as a map; unparsable: kept as one "params" string. */
    public static Map<String, Object> params(String canonicalJson) {
        if (canonicalJson == null || canonicalJson.isBlank()) {
            return Map.of();
        }
        try {
            return Json.mapper().readValue(canonicalJson, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (Exception ex) {
            return Map.of("params", canonicalJson);
        }
    }

    /** "L:H" → label class name of every labelled head at {@code step}. */
    public static Map<String, Object> labelsAt(LabelSet set, Integer step) {
        Map<String, Object> out = new TreeMap<>();
        for (HeadLabel l : set.labels()) {
            if (l.holdsAt(step)) {
                out.put(l.layer() + ":" + l.head(), set.classById(l.classId()).map(LabelClass::displayName)
                        .orElse(l.classId()));
            }
        }
        return out;
    }

    private static String targetName(ResultTable.Row r) {
        return switch (r.scope()) {
            case HEAD -> r.layer() + ":" + r.head();
            case LAYER -> "L" + r.layer();
            case MODEL -> "model";
        };
    }

    /** The display name of the class of {@code head} at {@code step}, or {@link #UNLABELLED}. */
    public static String labelAt(LabelSet set, Head head, Integer step) {
        Optional<HeadLabel> l = set.at(head, step);
        if (l.isEmpty()) {
            return UNLABELLED;
        }
        return set.classById(l.get().classId()).map(LabelClass::displayName).orElse(l.get().classId());
    }

    /** The label classes' colours by display name (unlabelled: grey), for {@link TrajectoryFigure#styled}. */
    public static Map<String, Color> labelColours(LabelSet set) {
        Map<String, Color> out = new HashMap<>();
        if (set == null) {
            return out;
        }
        for (LabelClass c : set.classes()) {
            try {
                out.put(c.displayName(), Color.decode(c.color()));
            } catch (NumberFormatException ignored) {
                // a malformed colour takes the palette
            }
        }
        out.put(UNLABELLED, new Color(0xb0b0b0));
        return out;
    }
}
