package org.headlab.core.store;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.Scope;
import org.headlab.core.estimate.Target;
import org.headlab.core.estimate.llc.LlcMetrics;
import org.headlab.core.run.Run;

/**
 * Every scalar result of a run's result store placed on the run's timeline, as rows: one row per stored scalar
 * result, and one row per head for whole-model results that hold one number per head ([layer][head] flattened, as
 * the {@code patterns} estimator stores its scores). The Curves view and the {@code figures} command both read the
 * store through this. No JavaFX.
 */
public record ResultTable(String runName, List<Row> rows) {
    public static final ResultTable EMPTY = new ResultTable("", List.of());

    public ResultTable {
        rows = List.copyOf(rows);
    }

    /**
     * One stored scalar result at one checkpoint step. {@code variant} is the parameter set (canonical JSON) plus
     * " on SLICE" when the estimator reads a dataset: one variant is one curve family.
     */
    public record Row(String estimator, String variant, String params, String dataset, Scope scope, int layer,
            int head, int step, Map<String, Double> metrics) {

        /** The head of a HEAD-scope row; throws IllegalStateException for a layer or model row. */
        public Head asHead() {
            return new Target(scope, layer, head).asHead();
        }

        /** Whether this row is about {@code h} (a layer or model row is about no head). */
        public boolean isSameHead(Head h) {
            return layer == h.layer() && head == h.head();
        }
    }

    /** Reads every scalar result of {@code run}'s store that belongs to one of its checkpoints (never creates it). */
    public static ResultTable load(Run run) {
        if (!ResultStore.hasResults(run.dir())) {
            return new ResultTable(run.name(), List.of());
        }
        try (ResultStore store = ResultStore.openForRun(run)) {
            return of(run, store);
        }
    }

    /**
     * Like {@link #load} for commands that only read (issue 19): the store is read through
     * {@link ResultStore#readOnlyView}, so its bytes stay as they were and a run without one gets none.
     */
    public static ResultTable read(Run run) {
        if (!ResultStore.hasResults(run.dir())) {
            return new ResultTable(run.name(), List.of());
        }
        try (ResultStore store = ResultStore.readOnlyView(run)) {
            return of(run, store);
        }
    }

    /** The rows of an open store for {@code run}. */
    public static ResultTable of(Run run, ResultStore store) {
        int nLayers = run.config().nLayers();
        int nHeads = run.config().nHeads();
        Map<String, Integer> stepOf = new HashMap<>();
        for (int step : run.steps()) {
            stepOf.put(run.contentHash(step), step);
        }
        List<Row> rows = new ArrayList<>();
        for (StoredResult r : store.query(null, null)) {
            Integer step = stepOf.get(r.key().checkpointHash());
            if (step == null) {
                continue; // a checkpoint this run no longer has
            }
            Map<String, Double> scalars = new TreeMap<>();
            r.result().metrics().forEach((k, v) -> {
                if (v.isNumber() || v.isTextual()) {
                    scalars.put(k, r.result().number(k));
                }
            });
            addResolution(r, scalars);
            String variant = variantOf(r.key());
            if (!scalars.isEmpty()) {
                rows.add(new Row(r.key().estimator(), variant, r.key().params(), r.key().dataset(), r.key().scope(),
                        r.key().layer(), r.key().head(), step, scalars));
            }
            rows.addAll(perHeadRows(r, variant, step, nLayers, nHeads));
        }
        return new ResultTable(run.name(), rows);
    }

    /**
     * An rLLC stored before its verdict was ({@code llc/se}, {@code llc/resolution}) gets both from its loss
     * traces, so that every curve and figure can mark the estimates that resolved nothing.
     */
    private static void addResolution(StoredResult r, Map<String, Double> scalars) {
        if (scalars.containsKey(LlcMetrics.RESOLUTION)) {
            return;
        }
        org.headlab.core.estimate.llc.LlcResolution.ofStored(r.result(), r.key().params()).ifPresent(res -> {
            scalars.put(LlcMetrics.SE, res.standardError());
            scalars.put(LlcMetrics.SE_INIT, res.initError());
            scalars.put(LlcMetrics.RESOLUTION, (double) res.verdict().code);
        });
    }

    /** The variant name of a stored key: its parameters, plus " on SLICE" when it read a dataset. */
    public static String variantOf(ResultKey key) {
        return key.params() + (key.dataset().isEmpty() ? "" : " on " + key.dataset());
    }

    /**
     * A whole-model result that holds one number per head ([layer][head] flattened) becomes one row per head, so
     * that such scores are curves per head too.
     */
    private static List<Row> perHeadRows(StoredResult r, String variant, int step, int nLayers, int nHeads) {
        if (r.key().scope() == Scope.HEAD) {
            return List.of();
        }
        int count = nLayers * nHeads;
        Map<Integer, Map<String, Double>> byHead = new TreeMap<>();
        r.result().metrics().forEach((k, v) -> {
            if (v.isArray() && v.size() == count) {
                double[] values = r.result().array(k);
                for (int i = 0; i < count; i++) {
                    byHead.computeIfAbsent(i, x -> new TreeMap<>()).put(k, values[i]);
                }
            }
        });
        List<Row> out = new ArrayList<>();
        byHead.forEach((i, metrics) -> out.add(new Row(r.key().estimator(), variant, r.key().params(),
                r.key().dataset(), Scope.HEAD, i / nHeads, i % nHeads, step, metrics)));
        return out;
    }

    /**
     * The variant (parameter set and slice) of {@code estimator}'s rows with {@code metric} (null: any) that has the
     * most results, the most recently stored on a tie; null when there is none. A half-finished sweep with other
     * settings does not replace a complete one.
     */
    public String mainVariant(String estimator, String metric) {
        List<String> ranked = variants(estimator, metric);
        return ranked.isEmpty() ? null : ranked.get(0);
    }

    /** {@link #mainVariant(String, String)} among the variants that {@code accept} takes (null: none). */
    public String mainVariant(String estimator, String metric, java.util.function.Predicate<String> accept) {
        return variants(estimator, metric).stream().filter(accept).findFirst().orElse(null);
    }

    /** The variant of {@code estimator}'s most recently stored row that has {@code metric} (null: none). */
    public String latestVariant(String estimator, String metric) {
        String v = null;
        for (Row r : rows) {
            if (r.estimator().equals(estimator) && (metric == null || r.metrics().containsKey(metric))) {
                v = r.variant();
            }
        }
        return v;
    }

    /** The variants of {@code estimator}'s rows, the one with most results first (as {@link #mainVariant}). */
    public List<String> variants(String estimator) {
        return variants(estimator, null);
    }

    /** The variants of {@code estimator}'s rows with {@code metric} (null: any): most results first, ties by recency. */
    private List<String> variants(String estimator, String metric) {
        Map<String, Integer> count = new java.util.HashMap<>();
        Map<String, Integer> lastRow = new java.util.HashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            if (r.estimator().equals(estimator) && (metric == null || r.metrics().containsKey(metric))) {
                count.merge(r.variant(), 1, Integer::sum);
                lastRow.put(r.variant(), i);
            }
        }
        return count.keySet().stream().sorted(java.util.Comparator.<String>comparingInt(count::get)
                .thenComparingInt(lastRow::get).reversed()).toList();
    }

    /** The metric names of {@code estimator}'s rows of one scope (null: any), sorted. */
    public java.util.SortedSet<String> metrics(String estimator, Scope scope) {
        java.util.TreeSet<String> out = new java.util.TreeSet<>();
        for (Row r : rows) {
            if (r.estimator().equals(estimator) && (scope == null || r.scope() == scope)) {
                out.addAll(r.metrics().keySet());
            }
        }
        return out;
    }
}
