package org.headlab.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.headlab.core.estimate.EstimatorResult;
import org.headlab.core.estimate.Scope;
import org.headlab.core.estimate.curvature.CurvatureMetrics;
import org.headlab.core.estimate.llc.LlcData;
import org.headlab.core.estimate.llc.LlcResult;
import org.headlab.core.estimate.llc.LlcSweepEstimator;
import org.headlab.core.estimate.llc.LlcTraces;
import org.headlab.core.estimate.llc.SgldConfig;
import org.headlab.core.estimate.llc.SgldSampler;
import org.headlab.core.estimate.loss.LossMetrics;
import org.headlab.core.estimate.susceptibility.SusceptibilityMetrics;
import org.headlab.core.run.Run;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Results that travel with a run (ADR 0007): export → a fresh store of a copy of the run imports the same rows;
 * importing never duplicates; a row whose checkpoint hash does not match the file, or that is not a result, is
 * refused by file and line while the others are imported. Checked against the source store's own rows.
 */
class PortableResultsTest {
    @TempDir
    Path tmp;

    private static EstimatorResult llc(double mean) {
        return EstimatorResult.builder().put("llc/mean", mean).put("llc/loss_trace", new double[] {1.0 / 3, 2.5, -0.1})
                .put("llc/num_chains", 1L).build();
    }

    /** Stores results for two heads at every checkpoint and one model-scope result; returns the run. */
    private Run runWithResults(String name) {
        Run run = Run.open(FixtureRuns.brackets(tmp, name));
        try (ResultStore store = ResultStore.openForRun(run.dir())) {
            for (int step : run.steps()) {
                for (int head = 0; head < 2; head++) {
                    store.put(new ResultKey(run.contentHash(step), "llc", "{\"draws\":200,\"epsilon\":0.001}",
                            "train", "d".repeat(64), Scope.HEAD, 1, head), step, llc(step + head / 10.0), 1234);
                }
                store.put(new ResultKey(run.contentHash(step), "loss", "{}", "train", "d".repeat(64), Scope.MODEL, -1,
                        -1), step, EstimatorResult.builder().put("loss/mean", 2.0 + step).build(), 5);
            }
        }
        return run;
    }

    private static Path copyWithoutStore(Run run, Path to) throws Exception {
        try (var all = Files.walk(run.dir())) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path rel = run.dir().relativize(p);
                if (rel.startsWith(ResultStore.FOLDER)) {
                    continue;
                }
                Path target = to.resolve(rel.toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }

    /** One result's exported line, and the result as a fresh store of a copy of the run imports it back. */
    private record Travelled(String line, EstimatorResult back) {
    }

    /** Stores {@code result} under {@code key} at step 100, exports the run, imports the export into a copy. */
    private Travelled travel(Run run, ResultKey key, EstimatorResult result) throws Exception {
        try (ResultStore store = ResultStore.openForRun(run.dir())) {
            store.put(key, 100, result, 1);
        }
        String line;
        try (ResultStore store = ResultStore.openForRun(run)) {
            line = Files.readString(PortableResults.export(run, store).get(0));
        }
        Run copy = Run.open(copyWithoutStore(run, tmp.resolve("copy")));
        try (ResultStore store = ResultStore.openForRun(copy)) {
            return new Travelled(line, store.get(key).orElseThrow().result());
        }
    }

    @Test
    void exportedResultsComeBackInAFreshStoreOfACopyOfTheRun() throws Exception {
        Run run = runWithResults("r");
        List<StoredResult> source;
        try (ResultStore store = ResultStore.openForRun(run)) {
            source = store.query(null, null);
            List<Path> files = PortableResults.export(run, store);
            assertEquals(List.of("llc.jsonl", "loss.jsonl"), files.stream().map(f -> f.getFileName().toString())
                    .toList());
            assertEquals(run.steps().size() * 2L, Files.readAllLines(files.get(0)).size());
        }
        Run copy = Run.open(copyWithoutStore(run, tmp.resolve("copy")));
        try (ResultStore store = ResultStore.openForRun(copy)) {
            PortableResults.Report report = store.lastImport();
            assertEquals(source.size(), report.imported(), report.summary());
            assertEquals(List.of(), report.refused());
            for (StoredResult s : source) {
                StoredResult r = store.get(s.key()).orElseThrow(() -> new AssertionError("missing " + s.key()));
                assertEquals(s.step(), r.step());
                assertEquals(s.createdAt(), r.createdAt(), "the original date is kept");
                assertEquals(s.elapsedMillis(), r.elapsedMillis());
                assertEquals(s.version(), r.version());
                String scalar = s.key().estimator() + "/mean";
                assertEquals(s.result().number(scalar), r.result().number(scalar), 0.0, "scalars in full precision");
                if (s.key().estimator().equals("llc")) {
                    double[] a = s.result().array("llc/loss_trace");
                    double[] b = r.result().array("llc/loss_trace");
                    for (int i = 0; i < a.length; i++) {
                        assertEquals((float) EstimatorResult.significant(a[i], 5), (float) b[i], 0.0f,
                                "loss traces at 5 significant digits");
                    }
                }
            }
        }
    }

    @Test
    void importingTwiceOrIntoTheSourceStoreAddsNothingAndExportIsStable() throws Exception {
        Run run = runWithResults("r");
        byte[] first;
        try (ResultStore store = ResultStore.openForRun(run)) {
            Path f = PortableResults.export(run, store).get(0);
            first = Files.readAllBytes(f);
        }
        try (ResultStore store = ResultStore.openForRun(run)) {
            PortableResults.Report r = store.lastImport();
            assertEquals(0, r.imported());
            assertEquals(run.steps().size() * 3, r.alreadyStored(), r.summary());
            assertEquals(run.steps().size() * 3, store.count());
            assertArrayEquals(first, Files.readAllBytes(PortableResults.export(run, store).get(0)),
                    "the same store exports the same bytes");
        }
        try (ResultStore store = ResultStore.openForRun(run)) {
            assertEquals(0, store.lastImport().filesRead(), "unchanged files are not read again");
        }
    }

    /** A shipped row the store could not take (refused on import) survives the next export: nothing shipped is lost. */
    @Test
    void exportKeepsTheFilesRowsTheStoreDoesNotHold() throws Exception {
        Run run = runWithResults("keep");
        Path file;
        try (ResultStore store = ResultStore.openForRun(run)) {
            file = PortableResults.export(run, store).stream().filter(f -> f.endsWith("llc.jsonl")).findFirst()
                    .orElseThrow();
        }
        String first = Files.readAllLines(file).get(0);
        String foreign = first.replaceFirst("\"checkpoint_hash\":\"[0-9a-f]+\"", "\"checkpoint_hash\":\""
                + "0".repeat(64) + "\"");
        Files.writeString(file, foreign + "\n", java.nio.file.StandardOpenOption.APPEND);
        int before = Files.readAllLines(file).size();
        try (ResultStore store = ResultStore.openForRun(run)) {
            assertEquals(1, store.lastImport().refused().size(), store.lastImport().summary());
            PortableResults.export(run, store);
        }
        List<String> after = Files.readAllLines(file);
        assertEquals(before, after.size(), "the refused row is still in the file, no row twice");
        assertTrue(after.stream().anyMatch(l -> l.contains("0".repeat(64))));
    }

    @Test
    void aRowForOtherWeightsOrNotAResultIsRefusedByFileAndLineAndTheRestIsImported() throws Exception {
        Run run = runWithResults("r");
        Path llcFile;
        try (ResultStore store = ResultStore.openForRun(run)) {
            llcFile = PortableResults.export(run, store).get(0);
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(llcFile));
        String other = "e".repeat(64);
        lines.set(1, lines.get(1).replace(run.contentHash(run.steps().get(0)), other));
        lines.add(2, "{\"estimator\": \"llc\", \"step\": ");
        Files.write(llcFile, lines, StandardCharsets.UTF_8);
        Run copy = Run.open(copyWithoutStore(run, tmp.resolve("copy")));
        try (ResultStore store = ResultStore.openForRun(copy)) {
            PortableResults.Report r = store.lastImport();
            assertEquals(2, r.refused().size(), r.refused().toString());
            assertTrue(r.refused().get(0).startsWith("results/llc.jsonl line 2: checkpoint hash eeeeeeeeeeee…"
                    + " does not match checkpoints/"), r.refused().get(0));
            assertTrue(r.refused().get(1).startsWith("results/llc.jsonl line 3: not valid JSON"), r.refused().get(1));
            assertEquals(run.steps().size() * 3 - 1, r.imported(), r.summary());
            assertTrue(r.summary().contains("2 refused (results/llc.jsonl line 2"), r.summary());
        }
    }

    /** Checked against the arrays the sampler itself stored (SgldSampler.summarize via the llc estimator's metrics). */
    @Test
    void anRllcsLambdaArraysAreLeftOutAndRebuiltFromItsLossTrace() throws Exception {
        Run run = Run.open(FixtureRuns.brackets(tmp, "r"));
        double init = 1.25;
        double nbeta = 30;
        double[][] loss = {{1.3, 1.31, 1.29, 1.33}, {1.27, 1.35, 1.3, 1.32}, {1.26, Double.NaN, Double.NaN,
            Double.NaN}};
        boolean[] included = {true, true, false};
        LlcResult r = SgldSampler.summarize(SgldConfig.paper().withChains(3).withDraws(4).withNbeta(nbeta), init,
                loss, null, included, List.of(new LlcResult.Divergence(2, 1, 1)), java.util.Map.of());
        EstimatorResult metrics = LlcSweepEstimator.metrics(r, LlcData.windows("train", List.of(new int[] {1, 2})));
        ResultKey key = new ResultKey(run.contentHash(100), "llc", "{\"chains\":3,\"nbeta\":30.0}", "train", "d",
                Scope.HEAD, 1, 0);
        try (ResultStore store = ResultStore.openForRun(run.dir())) {
            store.put(key, 100, metrics, 1);
        }
        try (ResultStore store = ResultStore.openForRun(run)) {
            String line = Files.readString(PortableResults.export(run, store).get(0));
            for (String derived : LlcTraces.DERIVED) {
                assertTrue(!line.contains("\"" + derived + "\""), derived + " is left out: " + line);
            }
        }
        Run copy = Run.open(copyWithoutStore(run, tmp.resolve("copy")));
        try (ResultStore store = ResultStore.openForRun(copy)) {
            EstimatorResult back = store.get(key).orElseThrow().result();
            for (String derived : LlcTraces.DERIVED) {
                double[] a = metrics.array(derived);
                double[] b = back.array(derived);
                assertEquals(a.length, b.length, derived);
                for (int i = 0; i < a.length; i++) {
                    if (Double.isNaN(a[i])) {
                        assertTrue(Double.isNaN(b[i]), derived + "[" + i + "]");
                    } else {
                        assertEquals(a[i], b[i], 1e-5 * Math.max(1, Math.abs(a[i])), derived + "[" + i + "]");
                    }
                }
            }
        }
    }

    /**
     * Loss traces travel at 5 significant digits: checked against the unrounded λ̂ arrays the sampler stored (each
     * rebuilt draw within nβ × half a unit of the 5th digit, 30 × 5e-5), and whole numbers lose their ".0".
     */
    @Test
    void lossTracesTravelAtFiveSignificantDigitsAndWholeNumbersAsIntegers() throws Exception {
        Run run = Run.open(FixtureRuns.brackets(tmp, "r"));
        double init = 7.3156633675;
        double nbeta = 30;
        double[][] loss = {{7.29184443, 7.31326912, 7.29661237}, {7.23913761, 7.26036642, 7.25227981}};
        LlcResult r = SgldSampler.summarize(SgldConfig.paper().withChains(2).withDraws(3).withNbeta(nbeta), init,
                loss, null, new boolean[] {true, true}, List.of(), java.util.Map.of());
        EstimatorResult metrics = LlcSweepEstimator.metrics(r, LlcData.windows("train", List.of(new int[] {1, 2})));
        EstimatorResult withIds = EstimatorResult.builder().putAll(metrics)
                .put("probe/token_ids", new double[] {126, 0, 534}).build();
        ResultKey key = new ResultKey(run.contentHash(100), "llc", "{\"chains\":2,\"nbeta\":30.0}", "train", "d",
                Scope.HEAD, 1, 0);
        Travelled t = travel(run, key, withIds);
        assertTrue(t.line().contains("\"llc/loss_trace\":[7.2918,7.3133,7.2966,7.2391,7.2604,7.2523]"), t.line());
        assertTrue(t.line().contains("\"probe/token_ids\":[126,0,534]"), t.line());
        assertArrayEquals(new double[] {126, 0, 534}, t.back().array("probe/token_ids"));
        double[] a = metrics.array("llc/trace");
        double[] b = t.back().array("llc/trace");
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], nbeta * 5e-5 + 1e-6, "llc/trace[" + i + "]");
        }
    }

    /** Per-window losses travel at 4 significant digits (checked against the literal rounded values). */
    @Test
    void perWindowLossesTravelAtFourSignificantDigits() throws Exception {
        Run run = Run.open(FixtureRuns.brackets(tmp, "r"));
        EstimatorResult r = EstimatorResult.builder().put(LossMetrics.MEAN, 3.4567891234)
                .put(LossMetrics.PER_WINDOW, new double[] {7.30414, 0.012345678, 3, 6.99996}).build();
        ResultKey key = new ResultKey(run.contentHash(100), "loss", "{}", "train", "d", Scope.MODEL, -1, -1);
        Travelled t = travel(run, key, r);
        assertTrue(t.line().contains("\"loss/per_window\":[7.304,0.01235,3,7]"), t.line());
        assertArrayEquals(new double[] {7.304, 0.01235, 3, 7}, t.back().array(LossMetrics.PER_WINDOW));
        assertEquals(3.4567891234, t.back().number(LossMetrics.MEAN), 0.0, "the mean in full");
    }

    /** A susceptibility row: {@code rows} the probe's windows, token ids from {@code first} on. */
    private static EstimatorResult susceptibility(double chi, double[] rows, int first) {
        double[] tokens = new double[rows.length * 3];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = first + i;
        }
        return EstimatorResult.builder().put(SusceptibilityMetrics.CHI, new double[] {chi, -chi})
                .put(SusceptibilityMetrics.PROBE_ROWS, rows).put(SusceptibilityMetrics.PROBE_TOKENS, tokens).build();
    }

    /**
     * A probe's token ids travel once per probe (dataset file and windows): the first row of each keeps them, the
     * others get them back on import; checked against the ids each row was stored with. Without its carrier a row
     * is refused, by line, saying what is missing.
     */
    @Test
    void probeTokensTravelOncePerProbeAndComeBackInEveryRow() throws Exception {
        Run run = Run.open(FixtureRuns.brackets(tmp, "r"));
        List<ResultKey> keys = new ArrayList<>();
        List<EstimatorResult> stored = new ArrayList<>();
        try (ResultStore store = ResultStore.openForRun(run.dir())) {
            for (int head = 0; head < 3; head++) {
                keys.add(new ResultKey(run.contentHash(100), "susceptibility", "{\"probe_windows\":2}", "train",
                        "d".repeat(64), Scope.HEAD, 1, head));
                stored.add(susceptibility(head, new double[] {0, 5}, 40));
            }
            // another dataset file: same windows, other ids
            keys.add(new ResultKey(run.contentHash(100), "susceptibility", "{\"probe_windows\":2}", "train",
                    "e".repeat(64), Scope.HEAD, 1, 0));
            stored.add(susceptibility(9, new double[] {0, 5}, 70));
            for (int i = 0; i < keys.size(); i++) {
                store.put(keys.get(i), 100, stored.get(i), 1);
            }
        }
        Path file;
        try (ResultStore store = ResultStore.openForRun(run)) {
            file = PortableResults.export(run, store).get(0);
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(4, lines.size());
        assertEquals(2, lines.stream().filter(l -> l.contains(SusceptibilityMetrics.PROBE_TOKENS)).count(),
                String.join("\n", lines));
        Run copy = Run.open(copyWithoutStore(run, tmp.resolve("copy")));
        try (ResultStore store = ResultStore.openForRun(copy)) {
            assertEquals(List.of(), store.lastImport().refused());
            for (int i = 0; i < keys.size(); i++) {
                assertArrayEquals(stored.get(i).array(SusceptibilityMetrics.PROBE_TOKENS),
                        store.get(keys.get(i)).orElseThrow().result().array(SusceptibilityMetrics.PROBE_TOKENS),
                        "row " + i);
            }
        }
        // the carrier of the first probe gone: its other rows cannot be completed
        List<String> kept = new ArrayList<>(lines);
        kept.remove(lines.stream().filter(l -> l.contains(SusceptibilityMetrics.PROBE_TOKENS)
                && l.contains("d".repeat(64))).findFirst().orElseThrow());
        Path other = copyWithoutStore(run, tmp.resolve("other"));
        Files.write(PortableResults.folder(other).resolve(file.getFileName()), kept);
        try (ResultStore store = ResultStore.openForRun(Run.open(other))) {
            List<String> refused = store.lastImport().refused();
            assertEquals(2, refused.size(), refused.toString());
            assertTrue(refused.get(0).matches("results/susceptibility\\.jsonl line \\d: no"
                    + " 'susceptibility/probe_tokens', and no row of this file carries them for probe windows"
                    + " \\[0,5] of train"), refused.get(0));
            assertEquals(1, store.lastImport().imported());
        }
    }

    /**
     * The Hessian spectrum's nodes and weights travel at 5 significant digits, its ranks and top eigenvalue in full:
     * checked against the values stored, rounded by {@link EstimatorResult#significant}.
     */
    @Test
    void hessianSpectrumNodesTravelAtFiveSignificantDigitsAndItsRanksInFull() throws Exception {
        Run run = Run.open(FixtureRuns.brackets(tmp, "r"));
        double[] nodes = {1.0 / 3, -0.0041607623, 12.345678, 0};
        double[] weights = {0.123456789, 0.5, 2.0 / 7, 0.0900000001};
        EstimatorResult r = EstimatorResult.builder()
                .put(CurvatureMetrics.HESSIAN_RANK_TOP_EIGENVALUE, 12.345678912)
                .put(CurvatureMetrics.HESSIAN_RANK_RELATIVE, 37.123456789)
                .put(CurvatureMetrics.HESSIAN_RANK_NODES, nodes)
                .put(CurvatureMetrics.HESSIAN_RANK_WEIGHTS, weights).build();
        ResultKey key = new ResultKey(run.contentHash(100), "hessian_rank", "{\"probes\":4}", "train", "d",
                Scope.HEAD, 1, 0);
        Travelled t = travel(run, key, r);
        assertTrue(t.line().contains("\"hessian_rank/nodes\":[0.33333,-0.0041608,12.346,0]"), t.line());
        double[] w = t.back().array(CurvatureMetrics.HESSIAN_RANK_WEIGHTS);
        for (int i = 0; i < weights.length; i++) {
            assertEquals((float) EstimatorResult.significant(weights[i], 5), (float) w[i], 0.0f, "weight " + i);
        }
        assertEquals(12.345678912, t.back().number(CurvatureMetrics.HESSIAN_RANK_TOP_EIGENVALUE), 0.0);
        assertEquals(37.123456789, t.back().number(CurvatureMetrics.HESSIAN_RANK_RELATIVE), 0.0);
    }

    @Test
    void aVersionOneStoreIsUpgradedInPlaceAndKeepsItsRows() throws Exception {
        Path f = tmp.resolve("v1.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE headlab_schema (version INTEGER NOT NULL, written_by TEXT NOT NULL)");
            s.execute("INSERT INTO headlab_schema VALUES (1, 'HeadLab')");
            s.execute("CREATE TABLE results (id INTEGER PRIMARY KEY, checkpoint_hash TEXT NOT NULL, estimator TEXT NOT"
                    + " NULL, params TEXT NOT NULL, dataset TEXT NOT NULL, dataset_hash TEXT NOT NULL, scope TEXT NOT"
                    + " NULL, layer INTEGER NOT NULL, head INTEGER NOT NULL, step INTEGER NOT NULL, metrics TEXT NOT"
                    + " NULL, elapsed_ms INTEGER NOT NULL, created_at TEXT NOT NULL, UNIQUE (checkpoint_hash,"
                    + " estimator, params, dataset, dataset_hash, scope, layer, head))");
            s.execute("INSERT INTO results VALUES (1, 'h', 'loss', '{}', '', '', 'MODEL', -1, -1, 3,"
                    + " '{\"loss/mean\":1.5}', 9, '" + Instant.EPOCH + "')");
        }
        try (ResultStore store = ResultStore.open(f)) {
            StoredResult r = store.query(null, null).get(0);
            assertEquals(1.5, r.result().number("loss/mean"));
            assertEquals(null, r.version(), "computed before versions were stored");
            assertTrue(store.put(new ResultKey("h", "loss", "{\"x\":1}", "", "", Scope.MODEL, -1, -1), 3,
                    EstimatorResult.builder().put("loss/mean", 2.0).build(), 1));
            assertEquals(null, store.importedDigest("results/loss.jsonl"));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT version FROM headlab_schema")) {
            rs.next();
            assertEquals(ResultStore.SCHEMA_VERSION, rs.getInt(1));
        }
    }
}
