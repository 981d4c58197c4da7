package org.headlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cluster} end to end on stored per-head curves; mistakes are one line. */
class ClusterCliTest {
    @TempDir
    Path tmp;

    @Test
    void storedCurvesClusterAndMistakesAreOneLine() throws Exception {
        Path run = FixtureRuns.brackets(tmp, "run");
        assertEquals(0, CliTest.cli("sweep", run.toString(), "--estimators", "weight_norm", "--no-progress").code());
        CliTest.Result r = CliTest.cli("cluster", run.toString(), "--metric", "weight_norm/q", "--k", "2", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode doc = CliTest.json(r.out());
        assertEquals(2, doc.get("k").asInt());
        assertEquals(8, doc.get("clusters").size(), "every head of the 2 × 4 fixture");
        assertEquals(3, doc.get("steps").size());
        assertTrue(doc.get("ari_labels").isNull(), "no labels, no index");
        CliTest.Result text = CliTest.cli("cluster", run.toString(), "--metric", "weight_norm/q");
        assertTrue(text.out().contains("heads by their standardised weight_norm/q curves over 3 checkpoints"),
                text.out());
        CliTest.Result ward = CliTest.cli("cluster", run.toString(), "--metric", "weight_norm/q", "--method", "ward",
                "--json");
        assertEquals(0, ward.code(), ward.err());
        JsonNode tree = CliTest.json(ward.out()).get("tree");
        assertEquals(8, tree.get("leaves").size());
        assertEquals(7, tree.get("merges").size(), "n − 1 merges");
        assertEquals(8, tree.get("merges").get(6).get("size").asInt(), "the last merge holds every head");
        CliTest.Result average = CliTest.cli("cluster", run.toString(), "--metric", "weight_norm/q", "--method",
                "average");
        assertTrue(average.out().contains("hierarchical, average linkage") && average.out().contains("tree: leaves"),
                average.out());
        CliTest.assertOneLineUserError(CliTest.cli("cluster", run.toString(), "--metric", "weight_norm/q",
                "--method", "dbscan"), "--method must be kmeans, ward (hierarchical), average or dtw");
        CliTest.assertOneLineUserError(CliTest.cli("cluster", run.toString(), "--metric", "weight_norm/q",
                "--from-step", "1"), "only 2 checkpoints are stored for every head");
        CliTest.assertOneLineUserError(CliTest.cli("cluster", run.toString(), "--metric", "llc/mean"),
                "no llc results with llc/mean are stored");
        CliTest.assertOneLineUserError(CliTest.cli("cluster", run.toString(), "--metric", "weight_norm/q",
                "--normalise", "log"), "--normalise must be standardise, minmax or none");
    }

    /** The same run twice (its copy): every head matches itself at distance 0, and the types agree. */
    @Test
    void compareRunsMatchesARunWithItsCopyHeadForHead() throws Exception {
        Path a = FixtureRuns.brackets(tmp, "a");
        Path b = FixtureRuns.brackets(tmp, "b");
        for (Path run : new Path[] {a, b}) {
            assertEquals(0, CliTest.cli("sweep", run.toString(), "--estimators", "weight_norm", "--no-progress")
                    .code());
        }
        CliTest.Result r = CliTest.cli("compare-runs", a.toString(), b.toString(), "--metric", "weight_norm/q",
                "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode doc = CliTest.json(r.out());
        assertEquals(8, doc.get("pairs").size());
        for (JsonNode p : doc.get("pairs")) {
            assertEquals(p.get("a").asText(), p.get("b").asText());
            assertEquals(0.0, p.get("distance").asDouble(), 1e-9);
        }
        assertEquals(1.0, doc.get("cluster_ari_through_matching").asDouble(), 1e-12);
        Path png = tmp.resolve("match.png");
        CliTest.Result text = CliTest.cli("compare-runs", a.toString(), b.toString(), "--metric", "weight_norm/q",
                "--figure", png.toString());
        for (String f : new String[] {"match.png", "match.csv", "match.provenance.json"}) {
            assertTrue(java.nio.file.Files.size(tmp.resolve(f)) > 0, f);
        }
        assertTrue(text.out().contains("within each layer") && text.out().contains("Adjusted Rand Index"), text.out());
        CliTest.assertOneLineUserError(CliTest.cli("compare-runs", a.toString(), b.toString(), "--metric",
                "llc/mean"), "no llc results with llc/mean are stored");
        Path other = tmp.resolve("other");
        SweepCrashTest.copyFolder(Path.of("src/test/resources/import/headlab-run"), other); // 2 × 2 heads
        CliTest.assertOneLineUserError(CliTest.cli("compare-runs", a.toString(), other.toString(), "--metric",
                "weight_norm/q"), "only runs of the same shape can be matched head to head");
    }

    @Test
    void multigramsListAHeadsPairs() throws Exception {
        Path run = FixtureRuns.brackets(tmp, "m");
        CliTest.Result r = CliTest.cli("multigrams", run.toString(), "--head", "1:2", "--windows", "4", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode doc = CliTest.json(r.out());
        assertEquals("1:2", doc.get("head").asText());
        int counted = 0;
        for (JsonNode p : doc.get("pairs")) {
            counted += p.get("count").asInt();
        }
        assertEquals(doc.get("queries").asInt() - doc.get("resting_on_first").asInt(), counted,
                "every query position not resting on the first is one pair");
        CliTest.assertOneLineUserError(CliTest.cli("multigrams", run.toString(), "--head", "3:0"), "layer");
    }

    /**
     * {@code multigrams --memorised}: one row per head with its events by kind, the stored rLLC beside it, and the
     * correlation over heads equal to Commons Math's Pearson r on the printed pairs (independent of the figure's fit).
     */
    @Test
    void memorisedMultigramsSitBesideTheStoredRllc() throws Exception {
        Path run = FixtureRuns.brackets(tmp, "mm");
        CliTest.Result none = CliTest.cli("multigrams", run.toString(), "--memorised", "--windows", "3");
        assertEquals(0, none.code(), none.err());
        assertTrue(none.out().contains("no rLLC stored on 'train' at step 100"), none.out());
        assertEquals(0, CliTest.cli("sweep", run.toString(), "--estimators", "llc", "--steps", "100", "--dataset",
                "train", "--no-progress", "-p", "llc.chains=2", "-p", "llc.draws=6", "-p", "llc.batch=2", "-p",
                "llc.init_batches=1").code());
        Path fig = tmp.resolve("mm.png");
        CliTest.Result r = CliTest.cli("multigrams", run.toString(), "--memorised", "--windows", "3", "--json",
                "--figure", fig.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode doc = CliTest.json(r.out());
        JsonNode heads = doc.get("heads");
        assertEquals(FixtureRuns.BRACKETS_CONFIG.nLayers() * FixtureRuns.BRACKETS_CONFIG.nHeads(), heads.size());
        java.util.List<double[]> pairs = new java.util.ArrayList<>();
        for (JsonNode h : heads) {
            int events = 0;
            for (String k : new String[] {"induction", "dyck", "ngram", "skip_ngram", "other"}) {
                events += h.get(k).asInt();
            }
            assertTrue(h.get("memorised_multigrams").asInt() <= h.get("ngram").asInt() + h.get("skip_ngram").asInt(),
                    "a memorised multigram is an n-gram or skip n-gram event: " + h);
            assertTrue(h.get("examples").size() <= Math.min(3, events), h.toString());
            assertTrue(h.get("llc").isNumber(), "the rLLC stored at step 100 on train: " + h);
            pairs.add(new double[] {h.get("memorised_multigrams").asDouble(), h.get("llc").asDouble()});
        }
        double[] x = pairs.stream().mapToDouble(p -> p[0]).toArray();
        double[] y = pairs.stream().mapToDouble(p -> p[1]).toArray();
        boolean spread = java.util.Arrays.stream(x).distinct().count() > 1
                && java.util.Arrays.stream(y).distinct().count() > 1;
        if (spread) {
            double r0 = new org.apache.commons.math3.stat.correlation.PearsonsCorrelation().correlation(x, y);
            assertEquals(r0, doc.get("fit").get("r").asDouble(), 1e-9);
        } else {
            assertTrue(doc.get("fit").isNull(), "no correlation without spread: " + doc.get("fit"));
        }
        assertTrue(java.nio.file.Files.size(fig) > 0);
        assertTrue(java.nio.file.Files.exists(tmp.resolve("mm.csv")), "the figure's data beside it");
        CliTest.assertOneLineUserError(CliTest.cli("multigrams", run.toString()), "--head L:H is needed");

        // a trained run with its shipped rLLCs: heads differ, and the reported r is Pearson's on the printed pairs
        Path dyck = FixtureRuns.copyOfSampleRun("dyck", tmp.resolve("dyck"), true);
        JsonNode d = CliTest.json(CliTest.cli("multigrams", dyck.toString(), "--memorised", "--windows", "16",
                "--json").out());
        double[][] xy = new double[2][d.get("heads").size()];
        for (int i = 0; i < xy[0].length; i++) {
            xy[0][i] = d.get("heads").get(i).get("memorised_multigrams").asDouble();
            xy[1][i] = d.get("heads").get(i).get("llc").asDouble();
        }
        assertEquals(new org.apache.commons.math3.stat.correlation.PearsonsCorrelation().correlation(xy[0], xy[1]),
                d.get("fit").get("r").asDouble(), 1e-9);
        assertEquals(16, d.get("fit").get("n").asInt());

        // the clusters against what the stored pattern scores suggest (the label panel's rules), beside the labels
        JsonNode c = CliTest.json(CliTest.cli("cluster", dyck.toString(), "--metric", "llc/mean", "--json").out());
        assertEquals("bracket-matching", c.get("pattern_suggestions").get("1:0").asText(),
                "1:0's bracket-matching score at 4000 clears 0.4");
        assertEquals(16, c.get("pattern_suggestions").size());
        assertTrue(c.get("ari_pattern_suggestions").isNumber());
    }
}
