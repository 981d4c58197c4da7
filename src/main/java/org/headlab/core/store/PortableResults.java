package org.headlab.core.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.headlab.core.AtomicFiles;
import org.headlab.core.HeadLabException;
import org.headlab.core.HeadLabVersion;
import org.headlab.core.Json;
import org.headlab.core.estimate.EstimatorResult;
import org.headlab.core.estimate.Scope;
import org.headlab.core.estimate.curvature.CurvatureMetrics;
import org.headlab.core.estimate.llc.LlcMetrics;
import org.headlab.core.estimate.llc.LlcTraces;
import org.headlab.core.estimate.loss.LossMetrics;
import org.headlab.core.estimate.susceptibility.SusceptibilityMetrics;
import org.headlab.core.run.Run;

/**
 * A run's results in a form that travels with the run folder (ADR 0007): {@code RUN/results/<estimator>.jsonl}, one
 * stored result per line, sorted by step, scope, layer, head, dataset and parameters so that a re-export after more
 * work changes only the new lines. Each line carries what identifies the result (estimator, parameters, dataset and
 * its hash, scope/layer/head, checkpoint hash and step), where it came from (HeadLab version, date, run time) and
 * its metrics; arrays of numbers are written at float precision, which is what the engine computes in (loss traces
 * to 5 significant digits, {@link #TRACE_DIGITS}), scalars in full, and an rLLC's λ̂ arrays, which are functions of
 * its loss trace ({@link LlcTraces}), are rebuilt on import instead of written (an rLLC result of 4 chains × 200
 * draws: ~6 KB instead of ~23 KB).
 *
 * <p>{@link #importInto} fills the run's SQLite store from these files: rows already stored are skipped (the store's
 * key is unique, so importing twice or importing what was exported from the same store adds nothing), rows whose
 * checkpoint hash does not match the run's checkpoint file at that step are refused, each with one line saying
 * which file, which line and why. A file whose bytes were imported before is not read again.
 */
public final class PortableResults {
    public static final String FOLDER = "results";
    static final String SUFFIX = ".jsonl";

    private PortableResults() {
    }

    /** What an import did. {@code refused} holds one line per refused row (file, line, reason). */
    public record Report(int imported, int alreadyStored, int filesRead, List<String> refused) {
        /** One line for a person: "412 results imported, 20 already stored, 1 refused (results/llc.jsonl line 3…)". */
        public String summary() {
            String s = imported + " result" + (imported == 1 ? "" : "s") + " imported, " + alreadyStored
                    + " already stored";
            if (!refused.isEmpty()) {
                s += ", " + refused.size() + " refused (" + refused.get(0) + (refused.size() > 1 ? "; …" : "") + ")";
            }
            return s;
        }
    }

    /** Where a run's portable results live. */
    public static Path folder(Path runDir) {
        return runDir.resolve(FOLDER);
    }

    /**
     * Writes every stored result of {@code store} into {@code RUN/results/<estimator>.jsonl} (one file per
     * estimator, each replaced atomically); returns the files written.
     */
    public static List<Path> export(Run run, ResultStore store) {
        return export(run, store, List.of());
    }

    /**
     * As {@link #export(Run, ResultStore)}, leaving out the file rows of {@code replaced}: results the store has
     * replaced ({@link ResultStore#replace}), which the files would otherwise keep as rows the store lacks.
     */
    public static List<Path> export(Run run, ResultStore store, java.util.Collection<ResultKey> replaced) {
        java.util.Set<String> dropped = new java.util.HashSet<>();
        for (ResultKey k : replaced) {
            dropped.add(identity(k));
        }
        Map<String, Integer> stepOfHash = new HashMap<>();
        for (int s : run.steps()) {
            stepOfHash.putIfAbsent(run.contentHash(s), s);
        }
        SortedMap<String, List<ObjectNode>> byEstimator = new TreeMap<>();
        for (StoredResult r : store.query(null, null)) {
            Integer step = stepOfHash.get(r.key().checkpointHash());
            if (step == null) {
                continue; // computed on a checkpoint this run no longer has: it could never be imported back
            }
            byEstimator.computeIfAbsent(r.key().estimator(), e -> new ArrayList<>()).add(row(r, step));
        }
        Path dir = folder(run.dir());
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new HeadLabException("cannot create " + dir + ": " + AtomicFiles.describe(e), e);
        }
        List<Path> written = new ArrayList<>();
        for (Map.Entry<String, List<ObjectNode>> e : byEstimator.entrySet()) {
            List<ObjectNode> rows = e.getValue();
            Path file = dir.resolve(e.getKey() + SUFFIX);
            // rows the file holds and the store does not (refused on import, e.g. a parameter this version no
            // longer knows, or written by another store) stay: an export never loses a shipped result
            java.util.Set<String> stored = new java.util.HashSet<>();
            rows.forEach(r -> stored.add(identity(r)));
            for (ObjectNode old : existingRows(file)) {
                if (!dropped.contains(identity(old)) && stored.add(identity(old))) {
                    rows.add(old);
                }
            }
            rows.sort(ROW_ORDER);
            shareProbeTokens(rows);
            AtomicFiles.write(file, out -> {
                for (ObjectNode row : rows) {
                    out.write(Json.mapper().writeValueAsBytes(row));
                    out.write('\n');
                }
            });
            written.add(file);
        }
        return written;
    }

    /**
     * A susceptibility probe's token ids are the same in every row that drew the same windows of the same dataset
     * file (a lm sweep: 128 rows, one probe, 4.9 KB of ids each). The first row of each probe (in file order) keeps
     * them; the others leave out the ids equal to it, and {@link #importInto} copies them back from that row.
     */
    private static void shareProbeTokens(List<ObjectNode> rows) {
        Map<String, JsonNode> carried = new HashMap<>();
        for (ObjectNode row : rows) {
            if (!(row.get("metrics") instanceof ObjectNode m) || !m.has(SusceptibilityMetrics.PROBE_ROWS)) {
                continue;
            }
            JsonNode tokens = m.get(SusceptibilityMetrics.PROBE_TOKENS);
            if (tokens == null) {
                continue;
            }
            JsonNode first = carried.putIfAbsent(probeKey(row), tokens);
            if (first != null && first.equals(tokens)) {
                m.remove(SusceptibilityMetrics.PROBE_TOKENS);
            }
        }
    }

    /** What fixes a probe's token ids: the dataset file (its name and hash) and the windows drawn from it. */
    private static String probeKey(JsonNode row) {
        return row.path("dataset").asText() + "|" + row.path("dataset_hash").asText() + "|"
                + row.path("metrics").path(SusceptibilityMetrics.PROBE_ROWS);
    }

    /** The probe token ids that the rows of a file carry, by {@link #probeKey} (rows that are not JSON skipped). */
    private static Map<String, JsonNode> probeTokensOf(String[] lines) {
        Map<String, JsonNode> out = new HashMap<>();
        for (String line : lines) {
            if (!line.contains(SusceptibilityMetrics.PROBE_TOKENS)) {
                continue;
            }
            try {
                JsonNode row = Json.mapper().readTree(line);
                JsonNode tokens = row == null ? null : row.path("metrics").get(SusceptibilityMetrics.PROBE_TOKENS);
                if (tokens != null && tokens.isArray()) {
                    out.putIfAbsent(probeKey(row), tokens);
                }
            } catch (JsonProcessingException e) {
                // refused with its line number when the rows are parsed
            }
        }
        return out;
    }

    /** A key's parameters as the JSON object a row carries. */
    private static JsonNode params(ResultKey k) {
        try {
            return Json.mapper().readTree(k.params());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored parameters are not JSON: " + k.params(), e);
        }
    }

    /** {@link #identity(ObjectNode)} of the row a key is exported as. */
    private static String identity(ResultKey k) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("checkpoint_hash", k.checkpointHash());
        o.put("estimator", k.estimator());
        o.set("params", params(k));
        o.put("dataset", k.dataset());
        o.put("scope", k.scope().name().toLowerCase(Locale.ROOT));
        o.put("layer", k.layer());
        o.put("head", k.head());
        return identity(o);
    }

    /** What makes a row one result: its key's fields (the step follows from the checkpoint hash). */
    private static String identity(ObjectNode r) {
        return r.path("checkpoint_hash").asText() + "|" + r.path("estimator").asText() + "|"
                + r.path("params").toString() + "|" + r.path("dataset").asText() + "|" + r.path("scope").asText() + "|"
                + r.path("layer").asInt(-1) + "|" + r.path("head").asInt(-1);
    }

    /** The rows of an existing results file that parse as objects (none when there is no file). */
    private static List<ObjectNode> existingRows(Path file) {
        List<ObjectNode> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    if (Json.mapper().readTree(line) instanceof ObjectNode o && o.has("checkpoint_hash")
                            && o.has("step") && o.has("scope") && o.has("dataset") && o.has("params")) {
                        out.add(o);
                    }
                } catch (IOException e) {
                    // a line that is not JSON is no result: the import refused it already and named it
                }
            }
        } catch (IOException e) {
            throw new HeadLabException("cannot read " + file + " before replacing it: " + AtomicFiles.describe(e), e);
        }
        return out;
    }

    private static final Comparator<ObjectNode> ROW_ORDER = Comparator.<ObjectNode>comparingInt(
            r -> r.get("step").intValue())
            .thenComparing(r -> r.get("scope").textValue())
            .thenComparingInt(r -> r.path("layer").asInt(-1))
            .thenComparingInt(r -> r.path("head").asInt(-1))
            .thenComparing(r -> r.get("dataset").textValue())
            .thenComparing(r -> r.get("params").toString());

    private static ObjectNode row(StoredResult r, int step) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        ResultKey k = r.key();
        o.put("estimator", k.estimator());
        o.put("step", step);
        o.put("scope", k.scope().name().toLowerCase(Locale.ROOT));
        o.put("layer", k.layer());
        o.put("head", k.head());
        o.put("dataset", k.dataset());
        o.put("dataset_hash", k.datasetHash());
        o.set("params", params(k));
        o.put("checkpoint_hash", k.checkpointHash());
        o.put("headlab_version", r.version() == null ? HeadLabVersion.get() : r.version());
        o.put("created_at", r.createdAt().toString());
        o.put("elapsed_ms", r.elapsedMillis());
        ObjectNode m = f.objectNode();
        boolean rebuildable = rebuildsLlcTraces(r.result(), o.get("params"));
        r.result().metrics().forEach((name, v) -> {
            if (!(rebuildable && LlcTraces.DERIVED.contains(name))) {
                m.set(name, v.isArray() ? floats((ArrayNode) v, TRACE_DIGITS.getOrDefault(name, 0)) : v);
            }
        });
        o.set("metrics", m);
        return o;
    }

    /**
     * Whether an rLLC result's λ̂ arrays can be left out and rebuilt on import ({@link LlcTraces}): it has its loss
     * trace, init loss and chain count, and its parameters say nβ.
     */
    private static boolean rebuildsLlcTraces(EstimatorResult r, JsonNode params) {
        var m = r.metrics();
        return m.containsKey(LlcMetrics.LOSS_TRACE) && m.containsKey(LlcMetrics.INIT_LOSS)
                && m.containsKey(LlcMetrics.NUM_CHAINS) && params != null && params.path("nbeta").isNumber();
    }

    /** The rLLC arrays left out by {@link #export}, rebuilt from the loss trace (nothing else changes). */
    private static JsonNode withLlcTraces(JsonNode metrics, JsonNode params) {
        if (!metrics.has(LlcMetrics.LOSS_TRACE) || metrics.has(LlcMetrics.TRACE) || !metrics.has(LlcMetrics.INIT_LOSS)
                || !metrics.has(LlcMetrics.NUM_CHAINS) || params == null || !params.path("nbeta").isNumber()) {
            return metrics;
        }
        EstimatorResult r = EstimatorResult.fromJson(metrics.toString());
        double[][] derived = LlcTraces.derive(r.array(LlcMetrics.LOSS_TRACE), (int) r.number(LlcMetrics.NUM_CHAINS),
                r.number(LlcMetrics.INIT_LOSS), params.get("nbeta").doubleValue());
        EstimatorResult.Builder b = EstimatorResult.builder();
        ObjectNode out = ((ObjectNode) metrics).deepCopy();
        for (int i = 0; i < derived.length; i++) {
            // through the builder: NaN becomes the store's "NaN" string, as in a result stored by the estimator
            JsonNode arr = b.put(LlcTraces.DERIVED.get(i), derived[i]).build().metrics().get(LlcTraces.DERIVED.get(i));
            out.set(LlcTraces.DERIVED.get(i), floats((ArrayNode) arr, 0));
        }
        return out;
    }

    /**
     * Per-draw losses are written to 5 significant digits: the rounding moves a shipped λ̂ by at most 1.2e-4, under
     * 0.5 % of its standard error (measured on every shipped rLLC row), and saves a third of their bytes; the values
     * are estimates whose minibatch noise is in the third or fourth digit (4 digits would not do: a rebuilt λ̂ draw
     * moves by up to nβ·|L|·5e-4, as much as a lm head's spread over its draws). So are the Hessian spectrum's
     * Lanczos nodes and quadrature weights (the density's support and mass: estimates from 4 random probes; at 4
     * digits a node next to the relative threshold moves one shipped rank by 8 %); the ranks and the top eigenvalue
     * computed from them are scalars and travel in full. Per-window losses go to 4 digits: the rounding (≤ 5e-4)
     * is 17× below the smallest median change of a window's loss between neighbouring shipped checkpoints (8.5e-3,
     * dyck) and moves a slice's mean by ≤ 1.1e-5; nothing is rebuilt from them.
     */
    static final Map<String, Integer> TRACE_DIGITS = Map.of(LlcMetrics.LOSS_TRACE, 5, LossMetrics.PER_WINDOW, 4,
            CurvatureMetrics.HESSIAN_RANK_NODES, 5, CurvatureMetrics.HESSIAN_RANK_WEIGHTS, 5);

    /**
     * An array at float precision (or {@code digits} significant digits when positive), whole numbers without a
     * fraction (token ids, exact zeros).
     */
    private static ArrayNode floats(ArrayNode a, int digits) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode(a.size());
        for (JsonNode v : a) {
            if (!v.isNumber()) {
                out.add(v);
                continue;
            }
            float f = digits > 0 ? (float) EstimatorResult.significant(v.doubleValue(), digits) : v.floatValue();
            out.add(f == Math.rint(f) && Math.abs(f) < (1 << 24) ? IntNode.valueOf((int) f) : FloatNode.valueOf(f));
        }
        return out;
    }

    /**
     * Imports {@code RUN/results/*.jsonl} into {@code store}, skipping files whose exact bytes were imported into
     * this store before. Never throws for a bad row: it is refused and named in the report.
     */
    public static Report importInto(Run run, ResultStore store) {
        Path dir = folder(run.dir());
        if (!Files.isDirectory(dir)) {
            return new Report(0, 0, 0, List.of());
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(SUFFIX) && Files.isRegularFile(p)).sorted()
                    .toList();
        } catch (IOException e) {
            throw new HeadLabException("cannot list " + dir + ": " + AtomicFiles.describe(e), e);
        }
        int imported = 0;
        int already = 0;
        int read = 0;
        List<String> refused = new ArrayList<>();
        for (Path file : files) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                refused.add(FOLDER + "/" + file.getFileName() + ": cannot read (" + AtomicFiles.describe(e) + ")");
                continue;
            }
            String digest = sha256(bytes);
            String name = FOLDER + "/" + file.getFileName();
            if (digest.equals(store.importedDigest(name))) {
                continue;
            }
            read++;
            List<ResultStore.ImportRow> rows = new ArrayList<>();
            List<String> fileRefused = new ArrayList<>();
            String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
            Map<String, JsonNode> probeTokens = probeTokensOf(lines);
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].isBlank()) {
                    continue;
                }
                try {
                    rows.add(parse(run, lines[i], probeTokens));
                } catch (RowException e) {
                    fileRefused.add(name + " line " + (i + 1) + ": " + e.getMessage());
                }
            }
            int added = store.importRows(rows, name, digest);
            imported += added;
            already += rows.size() - added;
            refused.addAll(fileRefused);
        }
        return new Report(imported, already, read, List.copyOf(refused));
    }

    /** A row that cannot be imported; its message names the field and what was expected. */
    static final class RowException extends Exception {
        RowException(String message) {
            super(message, null, false, false);
        }
    }

    private static ResultStore.ImportRow parse(Run run, String line, Map<String, JsonNode> probeTokens)
            throws RowException {
        JsonNode o;
        try {
            o = Json.mapper().readTree(line);
        } catch (JsonProcessingException e) {
            throw new RowException("not valid JSON (" + Json.describe(e) + ")");
        }
        if (o == null || !o.isObject()) {
            throw new RowException("not a JSON object");
        }
        String estimator = text(o, "estimator");
        int step = integer(o, "step");
        String scopeName = text(o, "scope");
        Scope scope;
        try {
            scope = Scope.valueOf(scopeName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new RowException("'scope' is '" + scopeName + "', expected one of model, layer, head");
        }
        int layer = integer(o, "layer");
        int head = integer(o, "head");
        String dataset = text(o, "dataset");
        String datasetHash = text(o, "dataset_hash");
        JsonNode params = o.get("params");
        if (params == null || !params.isObject()) {
            throw new RowException("no 'params' object");
        }
        String hash = text(o, "checkpoint_hash");
        if (!run.steps().contains(step)) {
            throw new RowException("the run has no checkpoint at step " + step);
        }
        String actual = run.contentHash(step);
        if (!actual.equals(hash)) {
            throw new RowException("checkpoint hash " + abbreviate(hash) + " does not match "
                    + run.dir().relativize(run.checkpoint(step).path()) + " (" + abbreviate(actual) + ")");
        }
        JsonNode metrics = o.get("metrics");
        if (metrics == null || !metrics.isObject() || metrics.isEmpty()) {
            throw new RowException("no 'metrics' object");
        }
        if (metrics.has(SusceptibilityMetrics.PROBE_ROWS) && !metrics.has(SusceptibilityMetrics.PROBE_TOKENS)) {
            JsonNode tokens = probeTokens.get(probeKey(o));
            if (tokens == null) {
                throw new RowException("no '" + SusceptibilityMetrics.PROBE_TOKENS + "', and no row of this file"
                        + " carries them for probe windows " + metrics.get(SusceptibilityMetrics.PROBE_ROWS)
                        + " of " + dataset);
            }
            metrics = ((ObjectNode) metrics).deepCopy().set(SusceptibilityMetrics.PROBE_TOKENS, tokens);
        }
        EstimatorResult result;
        try {
            result = EstimatorResult.fromJson(withLlcTraces(metrics, params).toString());
        } catch (HeadLabException e) {
            throw new RowException(e.getMessage());
        }
        Instant created;
        try {
            created = Instant.parse(text(o, "created_at"));
        } catch (DateTimeParseException e) {
            throw new RowException("'created_at' is not an ISO-8601 instant");
        }
        long elapsed = o.path("elapsed_ms").asLong(0);
        String version = o.path("headlab_version").asText("");
        String canonicalParams;
        try {
            // the store's key is the canonical form (sorted keys, no whitespace), as Params writes it
            canonicalParams = Json.mapper().writeValueAsString(Json.mapper().treeToValue(params, TreeMap.class));
        } catch (JsonProcessingException e) {
            throw new RowException("'params' cannot be read (" + Json.describe(e) + ")");
        }
        ResultKey key = new ResultKey(hash, estimator, canonicalParams, dataset, datasetHash, scope, layer, head);
        return new ResultStore.ImportRow(key, step, result, elapsed, created, version);
    }

    private static String text(JsonNode o, String field) throws RowException {
        JsonNode v = o.get(field);
        if (v == null || !v.isTextual()) {
            throw new RowException("no '" + field + "' (a string)");
        }
        return v.textValue();
    }

    private static int integer(JsonNode o, String field) throws RowException {
        JsonNode v = o.get(field);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new RowException("no '" + field + "' (an integer)");
        }
        return v.intValue();
    }

    private static String abbreviate(String hash) {
        return hash.length() > 12 ? hash.substring(0, 12) + "…" : hash;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
