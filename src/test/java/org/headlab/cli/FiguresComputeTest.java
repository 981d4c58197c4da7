package org.headlab.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.headlab.core.Json;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.EstimatorRegistry;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.Target;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.labels.HeadLabel;
import org.headlab.core.labels.LabelProvenance;
import org.headlab.core.labels.LabelSet;
import org.headlab.core.labels.LabelStore;
import org.headlab.core.run.RandomWeights;
import org.headlab.core.run.Run;
import org.headlab.core.run.RunWriter;
import org.headlab.core.session.RunSession;
import org.headlab.core.store.ResultKey;
import org.headlab.core.store.ResultStore;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code figures} on a fixture run with two dataset slices and an empty store: first it lists what is missing with
 * the sweep commands; running some of those very commands removes them from the list; {@code --compute} makes the
 * rest through the store. Then the rLLC, rLLC-per-slice, scatter and composition figures are checked in every format
 * (PNG decodes, SVG parses as XML, PDF has a page), against the stored numbers, with checkpoint hashes recomputed
 * here, and drawn twice to the same bytes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FiguresComputeTest {
    static final Pattern MISSING = Pattern.compile("missing for (\\S+): .*?: (\\d+) of (\\d+) results not stored;"
            + " make them with: (headlab sweep [^(]*?)  \\(or: headlab figures");

    @TempDir
    static Path tmp;

    static Path run;

    @BeforeAll
    static void writeRun() {
        Path dir = tmp.resolve("two-slices");
        try (RunWriter w = RunWriter.create(dir, FixtureRuns.BRACKETS_CONFIG, FixtureRuns.BRACKETS_TOKENIZER,
                "two-slices", "random-weight fixture with two slices")) {
            for (int step : FixtureRuns.STEPS) {
                w.addCheckpoint(step, RandomWeights.gaussian(FixtureRuns.BRACKETS_CONFIG, 17L + step, 0.4, true));
            }
            List<String> parts = List.of("([])()", "[(a)]b", "(()[])", "[[a]]()", "(b)[a]", "()()[]");
            List<String> train = new ArrayList<>();
            List<String> code = new ArrayList<>();
            for (int i = 0; i < 36; i++) { // several n_ctx windows per slice, so resampling has other sequences
                train.add(parts.get(i % 6) + parts.get((i * 5 + 1) % 6));
                code.add("[" + parts.get((i + 3) % 6) + "]");
            }
            w.addDataset("train", "balanced bracket strings", train);
            w.addDataset("code", "other bracket strings", code);
            w.training(Map.of("note", "fixture: random weights, not trained"));
            Run r = w.commit();
            run = r.dir();
        }
        LabelProvenance who = new LabelProvenance("ada", "2025-03-01T12:00:00Z", null, null);
        LabelStore.save(run, LabelSet.empty().with(new HeadLabel(1, 2, "induction", null, null, "", who)));
    }

    static Map<String, String> missing(String out) {
        Map<String, String> m = new HashMap<>();
        for (String line : out.lines().toList()) {
            Matcher x = MISSING.matcher(line);
            if (x.find()) {
                m.put(x.group(1), x.group(4).trim());
            }
        }
        return m;
    }

    static String[] args(String command) {
        List<String> a = new ArrayList<>(List.of(command.substring("headlab ".length()).split(" ")));
        a.add("--no-progress");
        return a.toArray(String[]::new);
    }

    @Test
    @Order(1)
    void listsWhatIsMissingWithCommandsThatMakeIt() throws Exception {
        Path out = tmp.resolve("figs-0");
        CliTest.Result r = FiguresCommandTest.cli("figures", run.toString(), "--out", out.toString(), "--dpi", "72");
        assertEquals(0, r.code(), r.err());
        Map<String, String> m = missing(r.out());
        assertEquals(java.util.Set.of("llc", "llc-by-slice", "ablation", "patterns", "composition", "stages"),
                m.keySet(), r.out());
        assertEquals("headlab sweep " + run + " --estimators llc --dataset train -p llc.chains=2 -p llc.draws=40"
                + " -p llc.batch=16 -p llc.init_batches=0", m.get("llc"));
        assertTrue(m.get("llc-by-slice").contains("--dataset code -p llc.chains=2"), m.get("llc-by-slice"));
        assertEquals("headlab sweep " + run + " --estimators loss --dataset train -p loss.max_sequences=256",
                m.get("stages"));
        assertTrue(r.out().contains("llc: rLLC of every head at 3 checkpoints on slice train (chains 2, draws 40,"
                + " batch 16, init_batches 0): 24 of 24 results not stored"), r.out());
        JsonNode index = Json.mapper().readTree(out.resolve("index.json").toFile());
        assertEquals(6, index.path("missing").size(), index.toString());

        // the listed commands are real: running three of them removes exactly those from the list
        for (String family : List.of("patterns", "composition", "stages")) {
            CliTest.Result s = FiguresCommandTest.cli(args(m.get(family)));
            assertEquals(0, s.code(), family + ": " + s.err());
        }
        CliTest.Result again = FiguresCommandTest.cli("figures", run.toString(), "--out", tmp.resolve("figs-1")
                .toString(), "--dpi", "72");
        assertEquals(java.util.Set.of("llc", "llc-by-slice", "ablation"), missing(again.out()).keySet(), again.out());
        assertTrue(again.out().contains("stages from loss loss/mean"), again.out());
    }

    @Test
    @Order(2)
    void computeMakesTheRestAndEveryFigureIsDrawn() throws Exception {
        Path out = tmp.resolve("figs-a");
        CliTest.Result r = FiguresCommandTest.cli("figures", run.toString(), "--out", out.toString(), "--dpi", "72",
                "--compute", "--workers", "1", "--formats", "png,svg,pdf", "--no-progress");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("computed 72 results (0 already stored, 0 failed)"),
                "24 llc on train + 24 llc on code + 24 ablation: " + r.out());
        assertTrue(missing(r.out()).isEmpty(), r.out());
        for (String base : List.of("curves-llc-mean", "llc-by-slice", "llc-by-slice-L1H2", "composition-q",
                "composition-k", "composition-v", "scatter-final-llc-vs-patterns-induction",
                "scatter-final-llc-vs-ablation-resample-delta_loss", "curves-patterns-induction",
                "induction-llc-vs-score", "clusters-llc-mean", "clusters-llc-mean-tree")) {
            assertEveryFormat(out, base);
        }
        // a second run finds everything stored, computes nothing and draws the same bytes
        Path again = tmp.resolve("figs-b");
        CliTest.Result r2 = FiguresCommandTest.cli("figures", run.toString(), "--out", again.toString(), "--dpi",
                "72", "--compute", "--workers", "1", "--formats", "png,svg,pdf", "--no-progress");
        assertEquals(0, r2.code(), r2.err());
        assertFalse(r2.out().contains("computed"), r2.out());
        for (String base : List.of("curves-llc-mean", "composition-q", "llc-by-slice",
                "scatter-final-llc-vs-patterns-induction")) {
            for (String ext : List.of("png", "svg", "pdf", "csv")) {
                assertArrayEquals(Files.readAllBytes(out.resolve(base + "." + ext)),
                        Files.readAllBytes(again.resolve(base + "." + ext)), base + "." + ext + " drawn twice");
            }
        }
    }

    static void assertEveryFormat(Path dir, String base) throws Exception {
        assertNotNull(ImageIO.read(dir.resolve(base + ".png").toFile()), base + ".png decodes");
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        assertEquals("svg", f.newDocumentBuilder().parse(dir.resolve(base + ".svg").toFile()).getDocumentElement()
                .getLocalName(), base + ".svg");
        try (var doc = org.apache.pdfbox.Loader.loadPDF(dir.resolve(base + ".pdf").toFile())) {
            assertEquals(1, doc.getNumberOfPages(), base + ".pdf");
        }
        assertTrue(Files.readAllLines(dir.resolve(base + ".csv")).size() > 1, base + ".csv");
    }

    static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            md.update(in.readAllBytes());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Test
    @Order(3)
    void theLlcSidecarHoldsParametersHashesAndStagesAndTheCsvHoldsTheStore() throws Exception {
        Path out = tmp.resolve("figs-a");
        JsonNode prov = Json.mapper().readTree(out.resolve("curves-llc-mean.provenance.json").toFile());
        assertEquals("llc", prov.path("estimator").asText());
        JsonNode p = prov.path("parameters");
        assertEquals(2, p.path("chains").asInt(), prov.toString());
        assertEquals(40, p.path("draws").asInt());
        assertEquals(16, p.path("batch").asInt());
        assertEquals(0, p.path("init_batches").asInt());
        assertEquals(0.001, p.path("epsilon").asDouble(), 0.0);
        assertEquals(0, prov.path("seed").asLong());
        assertFalse(prov.path("seed").isNull());
        assertEquals("Induction", prov.path("labels").path("1:2").asText());
        assertFalse(prov.path("app_version").asText().isEmpty());
        assertFalse(prov.path("created").asText().isEmpty());
        String slice = prov.path("dataset_slice").asText();
        assertTrue(slice.equals("train") || slice.equals("code"), slice);
        for (int step : FixtureRuns.STEPS) {
            String file = String.format("checkpoints/step-%06d.safetensors", step);
            assertEquals(sha256(run.resolve(file)), prov.path("checkpoint_hashes").path(Integer.toString(step))
                    .asText(), "sha256 of " + file);
        }
        JsonNode stages = prov.path("stage_bands");
        assertEquals("loss", stages.path("source_estimator").asText(), prov.toString());
        assertTrue(stages.path("stages").size() >= 1);
        assertEquals(0.0, stages.path("stages").get(0).get(0).asDouble(), 0.0);

        // the CSV's means are the stored llc/mean of each head and step
        Map<String, Double> csv = new HashMap<>();
        List<String> lines = Files.readAllLines(out.resolve("curves-llc-mean.csv"));
        assertEquals("panel,series,label,step,mean,std", lines.get(0));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            csv.put(f[1] + "@" + f[3], Double.parseDouble(f[4]));
        }
        assertEquals(8 * 3, csv.size());
        var e = EstimatorRegistry.standard().get("llc");
        try (RunSession session = RunSession.open(run); ResultStore store = ResultStore.openForRun(run)) {
            DatasetSlices slices = new DatasetSlices(session);
            var params = e.parameters().parse(Map.of("chains", "2", "draws", "40", "batch", "16",
                    "init_batches", "0"));
            for (int step : FixtureRuns.STEPS) {
                for (int l = 0; l < 2; l++) {
                    for (int h = 0; h < 4; h++) {
                        TaskSpec t = new TaskSpec("llc", step, session.run().contentHash(step), Target.of(new Head(l, h)),
                                params, slice, slices.slice(slice).hash());
                        double stored = store.get(ResultKey.of(t)).orElseThrow().result().number("llc/mean");
                        assertEquals(stored, csv.get(l + ":" + h + "@" + step), 0.0, l + ":" + h + "@" + step);
                    }
                }
            }
        }
    }

    @Test
    @Order(4)
    void theScatterHoldsFinalLlcAgainstTheStatisticAndItsLeastSquaresLine() throws Exception {
        Path out = tmp.resolve("figs-a");
        String base = "scatter-final-llc-vs-ablation-resample-delta_loss";
        List<String> lines = Files.readAllLines(out.resolve(base + ".csv"));
        assertEquals("point,label,x,y,y_std", lines.get(0));
        assertEquals(1 + 8, lines.size(), "one point per head");
        Map<String, double[]> llcFinal = new HashMap<>();
        for (String line : Files.readAllLines(out.resolve("curves-llc-mean.csv")).subList(1, 25)) {
            String[] f = line.split(",", -1);
            if (f[3].equals("100")) {
                llcFinal.put(f[1], new double[] {Double.parseDouble(f[4]), Double.parseDouble(f[5])});
            }
        }
        Map<String, Double> ablation = new HashMap<>();
        for (String line : Files.readAllLines(out.resolve("curves-ablation-resample-delta_loss.csv"))) {
            String[] f = line.split(",", -1);
            if (f[3].equals("100")) {
                ablation.put(f[1], Double.parseDouble(f[4]));
            }
        }
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        double syy = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            double x = Double.parseDouble(f[2]);
            double y = Double.parseDouble(f[3]);
            assertEquals(ablation.get(f[0]), x, 0.0, "x of " + f[0] + " is its ablation Δloss at the last step");
            assertEquals(llcFinal.get(f[0])[0], y, 0.0, "y of " + f[0] + " is its final llc/mean");
            assertEquals(llcFinal.get(f[0])[1], Double.parseDouble(f[4]), 0.0);
            assertEquals(f[0].equals("1:2") ? "Induction" : "unlabelled", f[1]);
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
            syy += y * y;
        }
        int n = 8;
        double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx); // the normal equations, not the figure's code
        double r = (n * sxy - sx * sy) / Math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
        JsonNode prov = Json.mapper().readTree(out.resolve(base + ".provenance.json").toFile());
        assertEquals(slope, prov.at("/regression/slope").asDouble(), 1e-9 * Math.max(1, Math.abs(slope)));
        assertEquals(r, prov.at("/regression/r").asDouble(), 1e-9);
        assertEquals(8, prov.at("/regression/n").asInt());
        assertEquals("ablation/resample/delta_loss", prov.path("x_metric").asText());
        assertTrue(prov.path("checkpoint_hashes").has("100"), prov.toString());
    }

    @Test
    @Order(5)
    void theLlcPerSliceFigureHasEveryHeadOnBothSlices() throws Exception {
        Path out = tmp.resolve("figs-a");
        List<String> lines = Files.readAllLines(out.resolve("llc-by-slice.csv"));
        java.util.Set<String> series = new java.util.TreeSet<>();
        for (String line : lines.subList(1, lines.size())) {
            series.add(line.split(",", -1)[1]);
        }
        assertEquals(16, series.size(), series.toString());
        assertTrue(series.contains("1:2 on code") && series.contains("1:2 on train"), series.toString());
        JsonNode prov = Json.mapper().readTree(out.resolve("llc-by-slice-L1H2.provenance.json").toFile());
        assertEquals(List.of("code", "train"), List.of(prov.path("dataset_slices").get(0).asText(),
                prov.path("dataset_slices").get(1).asText()));
        assertEquals("1:2", prov.path("head").asText());
    }

    @Test
    @Order(5)
    void theInductionFigureStacksTheLabelledHeadsRllcOverItsInductionScoreAndTheLoss() throws Exception {
        Path out = tmp.resolve("figs-a");
        // checked against the per-metric curve CSVs (each checked against the store above): the same numbers, only
        // the head labelled induction (1:2), one row per quantity
        Map<String, String> llc = column(out.resolve("curves-llc-mean.csv"), 0);
        Map<String, String> score = column(out.resolve("curves-patterns-induction.csv"), 0);
        List<String> lines = Files.readAllLines(out.resolve("induction-llc-vs-score.csv"));
        assertEquals("row,panel,series,label,step,mean,std", lines.get(0));
        java.util.Set<String> rows = new java.util.LinkedHashSet<>();
        int llcPoints = 0;
        int scorePoints = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            rows.add(f[0]);
            if (f[0].startsWith("rLLC")) {
                assertEquals("1:2", f[2], line);
                assertEquals(llc.get("1:2@" + f[4]), f[5], line);
                llcPoints++;
            } else if (f[0].startsWith("induction score")) {
                assertEquals("1:2", f[2], line);
                assertEquals(score.get("1:2@" + f[4]), f[5], line);
                scorePoints++;
            } else {
                assertEquals("model", f[2], line);
            }
        }
        assertEquals(3, rows.size(), rows.toString());
        assertEquals(FixtureRuns.STEPS.size(), llcPoints);
        assertEquals(FixtureRuns.STEPS.size(), scorePoints);
        assertTrue(rows.stream().anyMatch(r -> r.startsWith("loss")), rows.toString());
        JsonNode prov = Json.mapper().readTree(out.resolve("induction-llc-vs-score.provenance.json").toFile());
        assertEquals("1:2", prov.path("heads").get(0).asText(), prov.toString());
        assertEquals("loss", prov.path("stage_bands").path("source_estimator").asText(), prov.toString());
        JsonNode index = Json.mapper().readTree(out.resolve("index.json").toFile());
        boolean listed = false;
        for (JsonNode e : index.path("figures")) {
            listed |= e.path("family").asText().equals("induction");
        }
        assertTrue(listed, index.toString());
    }

    @Test
    @Order(5)
    void theClusterFigureHasEveryHeadOnceAndItsClusteringInTheSidecar() throws Exception {
        Path out = tmp.resolve("figs-a");
        JsonNode prov = Json.mapper().readTree(out.resolve("clusters-llc-mean.provenance.json").toFile());
        int k = prov.path("k").asInt();
        assertTrue(k >= 2 && k <= 7, prov.toString());
        assertEquals(8, prov.path("clusters").size());
        assertTrue(prov.path("adjusted_rand_index_vs_labels").isNumber(), prov.toString());
        java.util.Set<String> series = new java.util.HashSet<>();
        List<String> lines = Files.readAllLines(out.resolve("clusters-llc-mean.csv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            assertEquals("cluster " + (prov.path("clusters").path(f[1]).asInt() + 1), f[0].replaceAll(" \\(.*", ""),
                    line);
            series.add(f[1]);
        }
        assertEquals(8, series.size(), "every head once");
        JsonNode tree = Json.mapper().readTree(out.resolve("clusters-llc-mean-tree.provenance.json").toFile());
        assertEquals(8, tree.path("clusters").size());
        assertTrue(tree.path("clustering").asText().contains("Ward"), tree.toString());
        List<String> merges = Files.readAllLines(out.resolve("clusters-llc-mean-tree.csv"));
        assertEquals(1 + 7, merges.size(), "a header and the 7 merges of 8 heads");
    }

    /** "series@step" → the mean column (index {@code offset} + 4) of a curve CSV. */
    static Map<String, String> column(Path csv, int offset) throws Exception {
        Map<String, String> out = new HashMap<>();
        List<String> lines = Files.readAllLines(csv);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            out.put(f[offset + 1] + "@" + f[offset + 3], f[offset + 4]);
        }
        return out;
    }

    @Test
    @Order(6)
    void theCurvatureFigureStacksTheRllcOverTheCurvatureMeasures() throws Exception {
        CliTest.Result sweep = FiguresCommandTest.cli("sweep", run.toString(), "--estimators",
                "hessian_trace,fisher_trace,hessian_rank", "--heads", "1:2,0:1", "--workers", "1", "--no-progress",
                "-p", "hessian_trace.probes=10", "-p", "hessian_trace.sequences=2", "-p", "fisher_trace.sequences=2",
                "-p", "hessian_rank.probes=1", "-p", "hessian_rank.steps=4", "-p", "hessian_rank.sequences=2");
        assertEquals(0, sweep.code(), sweep.err());
        // the model's Fisher trace beside the empirical one: a row of its own in the per-head figure
        CliTest.Result model = FiguresCommandTest.cli("sweep", run.toString(), "--estimators", "fisher_trace",
                "--heads", "1:2", "--workers", "1", "--no-progress", "-p", "fisher_trace.sequences=2", "-p",
                "fisher_trace.labels=model");
        assertEquals(0, model.code(), model.err());
        Path out = tmp.resolve("figs-c");
        CliTest.Result r = FiguresCommandTest.cli("figures", run.toString(), "--out", out.toString(), "--dpi", "72",
                "--formats", "png");
        assertEquals(0, r.code(), r.err());
        java.util.Set<String> rows = new java.util.LinkedHashSet<>();
        List<String> lines = Files.readAllLines(out.resolve("curvature-L1H2.csv"));
        for (String line : lines.subList(1, lines.size())) {
            rows.add(line.split(",", -1)[0]);
        }
        assertEquals(List.of("rLLC λ̂ of head 1:2", "Hessian trace of head 1:2", "Fisher trace (empirical) of head 1:2",
                "Fisher trace (model) of head 1:2",
                "Hessian rank (fixed) of head 1:2", "Hessian rank (relative) of head 1:2",
                "top Hessian eigenvalue of head 1:2"), List.copyOf(rows));
        assertFalse(Files.exists(out.resolve("curvature-L0H0.png")), "only heads with curvature results");
        // each Fisher row draws its own variant: the stored values of that labelling (checked at every checkpoint)
        JsonNode stored = CliTest.json(CliTest.cli("results", run.toString(), "--estimator", "fisher_trace",
                "--json").out());
        int fisherChecked = 0;
        for (JsonNode row : stored) {
            if (row.get("layer").asInt() != 1 || row.get("head").asInt() != 2) {
                continue;
            }
            boolean byModel = row.get("params").has("labels");
            String title = (byModel ? "Fisher trace (model)" : "Fisher trace (empirical)") + " of head 1:2";
            double drawn = Double.parseDouble(csvValue(lines, title, row.get("step").asInt()));
            assertEquals(row.get("metrics").get("fisher_trace/mean").asDouble(), drawn, 1e-6 * Math.abs(drawn), title);
            fisherChecked++;
        }
        assertEquals(2 * FixtureRuns.STEPS.size(), fisherChecked, "both labellings at every checkpoint");

        // the small multiples: every head with curvature results in its own panel, each measure rescaled to [0, 1]
        // by its min and max; checked against the per-head figure's raw values of the same measure
        Map<String, Double> raw = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            raw.put(f[0] + "@" + f[4], Double.parseDouble(f[5]));
        }
        String trace = "Hessian trace of head 1:2";
        // past initialisation: step 0 is left out of the small multiples
        double lo = raw.entrySet().stream().filter(e -> e.getKey().startsWith(trace + "@")
                && !e.getKey().endsWith("@0")).mapToDouble(Map.Entry::getValue).min().orElseThrow();
        double hi = raw.entrySet().stream().filter(e -> e.getKey().startsWith(trace + "@")
                && !e.getKey().endsWith("@0")).mapToDouble(Map.Entry::getValue).max().orElseThrow();
        List<String> multiples = Files.readAllLines(out.resolve("curvature-all-heads.csv"));
        java.util.Set<String> panels = new java.util.TreeSet<>();
        java.util.Set<String> measures = new java.util.TreeSet<>();
        int checked = 0;
        for (String line : multiples.subList(1, multiples.size())) {
            // the row title is quoted ("heads 0:1, 1:2"): the fields after it are plain
            String[] f = ("row" + line.substring(line.indexOf('"', 1) + 1)).split(",", -1);
            panels.add(f[1].split(" ")[0]);
            measures.add(f[3]);
            double v = Double.parseDouble(f[5]);
            assertTrue(v >= -1e-12 && v <= 1 + 1e-12, line);
            if (f[1].startsWith("1:2") && f[3].equals("Hessian trace")) {
                assertEquals((raw.get(trace + "@" + f[4]) - lo) / (hi - lo), v, 1e-9, line);
                checked++;
            }
        }
        assertEquals(java.util.Set.of("0:1", "1:2"), panels);
        // the fixed-threshold rank only in the per-head figure (FigureSet.MULTIPLES_ROWS)
        assertEquals(java.util.Set.of("rLLC λ̂", "Hessian trace", "Fisher trace (empirical)", "Hessian rank (relative)",
                "top Hessian eigenvalue"), measures);
        assertEquals(FixtureRuns.STEPS.size() - 1, checked, "the Hessian trace of 1:2 at its checkpoints past 0");
    }

    /** The value column of a per-head curvature CSV at {@code title}'s row and {@code step}. */
    private static String csvValue(List<String> lines, String title, int step) {
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (f[0].equals(title) && Integer.parseInt(f[4]) == step) {
                return f[5];
            }
        }
        throw new AssertionError("no " + title + " at step " + step);
    }

    @Test
    @Order(7)
    void badOptionsAreOneClearErrorLine() {
        CliTest.Result r = FiguresCommandTest.cli("figures", run.toString(), "--out", tmp.resolve("x").toString(),
                "--stages", "bogus");
        CliTest.assertOneLineUserError(r, "--stages must be auto, llc_full, loss or none");
        r = FiguresCommandTest.cli("figures", run.toString(), "--out", tmp.resolve("x").toString(), "--scatter-x",
                "patterns/nope");
        CliTest.assertOneLineUserError(r, "--scatter-x patterns/nope: no per-head results of that metric");
        r = FiguresCommandTest.cli("figures", run.toString(), "--out", tmp.resolve("x").toString(), "--formats",
                "gif");
        CliTest.assertOneLineUserError(r, "--formats: 'gif' is not one of pdf, png, svg");
        r = FiguresCommandTest.cli("figures", run.toString(), "--out", tmp.resolve("x").toString(), "--stages",
                "llc_full");
        CliTest.assertOneLineUserError(r, "no full-model LLC is stored; make it with: headlab sweep");
    }
}
