package org.headlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.headlab.core.Json;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.EstimatorRegistry;
import org.headlab.core.estimate.Target;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.jobs.WorkerPool;
import org.headlab.core.labels.HeadLabel;
import org.headlab.core.labels.LabelProvenance;
import org.headlab.core.labels.LabelSet;
import org.headlab.core.labels.LabelStore;
import org.headlab.core.session.RunSession;
import org.headlab.core.store.ResultKey;
import org.headlab.core.store.ResultStore;
import org.headlab.core.sweep.Sweep;
import org.headlab.core.sweep.SweepPlan;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code figures} on a fixture run after a real weight_norm + patterns sweep. */
class FiguresCommandTest {
    static final List<String> PATTERNS = List.of("bracket_matching", "current_token", "depth_tracking", "induction",
            "multigram", "previous_token");

    @TempDir
    static Path tmp;

    static Path run;

    @BeforeAll
    static void sweep() {
        run = FixtureRuns.brackets(tmp, "brackets");
        sweep(run, "weight_norm", "patterns");
    }

    static void sweep(Path dir, String... estimators) {
        try (WorkerPool pool = WorkerPool.callerRuns(); RunSession session = RunSession.open(dir)) {
            EstimatorRegistry registry = EstimatorRegistry.standard();
            DatasetSlices slices = new DatasetSlices(session);
            try (ResultStore store = ResultStore.openForRun(dir)) {
                List<TaskSpec> tasks = SweepPlan.tasks(session.run(), slices,
                        java.util.Arrays.stream(estimators).map(registry::get).toList(), Map.of(), null, null, null);
                Sweep.start(pool, session, slices, registry, store, tasks, null).await();
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static CliTest.Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = HeadLabCli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new CliTest.Result(code, out.toString(), err.toString());
    }

    static void assertFigure(Path dir, String base, String runName) throws Exception {
        Path pdf = dir.resolve(base + ".pdf");
        Path png = dir.resolve(base + ".png");
        assertTrue(Files.isRegularFile(pdf), pdf.toString());
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(pdf), 5);
        assertEquals("%PDF-", new String(head, StandardCharsets.US_ASCII));
        try (var doc = org.apache.pdfbox.Loader.loadPDF(pdf.toFile())) {
            assertTrue(doc.getNumberOfPages() >= 1);
        }
        assertNotNull(ImageIO.read(png.toFile()), "PNG decodes: " + png);
        Path csv = dir.resolve(base + ".csv");
        assertTrue(Files.size(csv) > 0, csv.toString());
        JsonNode prov = Json.mapper().readTree(dir.resolve(base + ".provenance.json").toFile());
        assertEquals(runName, prov.path("run").asText(), prov.toString());
    }

    @Test
    void writesPatternCurvesAndAttentionMapsAndHintsTheMissingFamilies() throws Exception {
        Path out = tmp.resolve("figs");
        CliTest.Result r = cli("figures", run.toString(), "--out", out.toString(), "--dpi", "72");
        assertEquals(0, r.code(), r.err());
        for (String p : PATTERNS) {
            assertFigure(out, "curves-patterns-" + p, "brackets");
            JsonNode prov = Json.mapper().readTree(out.resolve("curves-patterns-" + p + ".provenance.json").toFile());
            assertEquals("patterns", prov.path("estimator").asText());
            assertEquals("patterns/" + p, prov.path("metric").asText(), prov.toString());
        }
        assertFigure(out, "attention-step100-all-heads", "brackets");
        for (String est : List.of("llc", "ablation", "composition")) {
            assertTrue(r.out().contains("make them with: headlab sweep " + run + " --estimators " + est), r.out());
        }
        assertFalse(Files.exists(out.resolve("composition-q.pdf")));
        try (var files = Files.list(out)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().contains("weight_norm")),
                    "weight_norm is not in the paper set");
        }
        JsonNode index = Json.mapper().readTree(out.resolve("index.json").toFile());
        assertEquals(PATTERNS.size() + 1, index.path("figures").size());
        assertTrue(r.out().contains(out.resolve("curves-patterns-induction.png").toString()), r.out());
        assertTrue(r.out().contains(out.resolve("curves-patterns-induction.csv").toString()), r.out());
    }

    @Test
    void theCurvesCsvHoldsTheStoredValues() throws Exception {
        Path out = tmp.resolve("figs-csv");
        assertEquals(0, cli("figures", run.toString(), "--out", out.toString(), "--dpi", "72").code());
        List<String> lines = Files.readAllLines(out.resolve("curves-patterns-previous_token.csv"));
        assertEquals("panel,series,label,step,mean,std", lines.get(0));
        Map<String, Double> csv = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            csv.put(f[1] + "@" + f[3], Double.parseDouble(f[4]));
        }
        assertEquals(8 * FixtureRuns.STEPS.size(), csv.size(), "2 layers × 4 heads × 3 checkpoints");
        var e = EstimatorRegistry.standard().get("patterns");
        try (RunSession session = RunSession.open(run); ResultStore store = ResultStore.openForRun(run)) {
            DatasetSlices slices = new DatasetSlices(session);
            for (int step : FixtureRuns.STEPS) {
                TaskSpec spec = new TaskSpec("patterns", step, session.run().contentHash(step), Target.model(),
                        e.parameters().defaults(), e.usesDataset() ? "train" : "",
                        e.usesDataset() ? slices.slice("train").hash() : "");
                double[] all = store.get(ResultKey.of(spec)).orElseThrow().result().array("patterns/previous_token");
                for (int l = 0; l < 2; l++) {
                    for (int h = 0; h < 4; h++) {
                        assertEquals(all[l * 4 + h], csv.get(l + ":" + h + "@" + step), 0.0, l + ":" + h + "@" + step);
                    }
                }
            }
        }
    }

    @Test
    void labelledHeadsGetTheirOwnAttentionMapsAndLabelTheCurves() throws Exception {
        Path labelled = FixtureRuns.brackets(tmp, "labelled");
        sweep(labelled, "patterns");
        LabelProvenance who = new LabelProvenance("ada", "2025-03-01T12:00:00Z", null, null);
        LabelStore.save(labelled, LabelSet.empty().with(new HeadLabel(1, 2, "induction", null, null, "", who)));
        Path out = tmp.resolve("figs-labelled");
        CliTest.Result r = cli("figures", labelled.toString(), "--out", out.toString(), "--text", "([a])",
                "--step", "10", "--dpi", "72");
        assertEquals(0, r.code(), r.err());
        assertFigure(out, "attention-step10-L1H2", "labelled");
        assertFalse(Files.exists(out.resolve("attention-step10-all-heads.pdf")));
        String csv = Files.readString(out.resolve("curves-patterns-induction.csv"));
        assertTrue(csv.contains("layer 1,1:2,Induction,"), csv);
        assertTrue(csv.contains("layer 0,0:0,unlabelled,"), csv);
        JsonNode prov = Json.mapper().readTree(out.resolve("curves-patterns-induction.provenance.json").toFile());
        assertEquals("Induction", prov.path("labels").path("1:2").asText(), prov.toString());
    }

    @Test
    void aCorruptLabelsFileIsRefusedNotIgnored() throws Exception {
        Path broken = FixtureRuns.brackets(tmp, "broken-labels");
        Files.writeString(broken.resolve("labels.json"), "{\"format\": \"headlab-labels/1\", \"labels\": [");
        CliTest.Result r = cli("figures", broken.toString(), "--out", tmp.resolve("figs-broken").toString());
        CliTest.assertOneLineUserError(r, "labels.json");
        assertTrue(r.err().contains("move it away to draw the figures without labels"), r.err());
        assertFalse(Files.exists(tmp.resolve("figs-broken")), "nothing written");
    }

    @Test
    void anOutThatIsAFileIsOneClearErrorLine() throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-folder.txt"), "x");
        CliTest.Result r = cli("figures", run.toString(), "--out", file.toString());
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("is a file, not a folder"), r.err());
    }
}
