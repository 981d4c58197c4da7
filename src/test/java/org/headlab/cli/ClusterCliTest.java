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
                "--method", "dbscan"), "--method must be kmeans, ward (hierarchical) or average");
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
}
