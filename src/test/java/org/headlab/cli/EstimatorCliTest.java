package org.headlab.cli;

import static org.headlab.cli.CliTest.assertOneLineUserError;
import static org.headlab.cli.CliTest.cli;
import static org.headlab.cli.CliTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.headlab.cli.CliTest.Result;
import org.headlab.core.estimate.composition.CompositionScores;
import org.headlab.core.run.Run;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The estimator commands on the fixture run (2 layers × 4 heads, brackets). JSON is parsed back and checked against
 * the run's shape and against the core estimators called directly; user mistakes give one line and exit 2.
 */
class EstimatorCliTest {
    @TempDir
    static Path tmp;

    static Path run;

    @BeforeAll
    static void writeRun() {
        run = FixtureRuns.brackets(tmp, "brackets");
    }

    @Test
    void composeJsonHoldsQkvInTransformerLensLayoutEqualToTheCoreScores() throws IOException {
        Result r = cli("compose", run.toString(), "--step", "10", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = json(r.out());
        assertEquals(10, j.get("step").asInt());
        CompositionScores.Result expected = CompositionScores.compute(FixtureRuns.BRACKETS_CONFIG,
                Run.open(run).weights(10));
        for (String mode : new String[] {"Q", "K", "V"}) {
            JsonNode m = j.get(mode);
            assertEquals(2, m.size());
            assertEquals(4, m.get(0).size());
            assertEquals(2, m.get(0).get(0).size());
            assertEquals(4, m.get(0).get(0).get(0).size());
            double[][][][] e = mode.equals("Q") ? expected.q() : mode.equals("K") ? expected.k() : expected.v();
            assertEquals(e[0][2][1][3], m.get(0).get(2).get(1).get(3).asDouble(), 1e-12);
            assertEquals(0.0, m.get(1).get(0).get(1).get(1).asDouble());
            assertTrue(j.get("baseline").get(mode).get("mean").asDouble() > 0);
        }
    }

    @Test
    void patternsJsonHoldsLayerHeadArraysAndAllStepsListsEveryStep() throws IOException {
        Result r = cli("patterns", run.toString(), "--length", "7", "--json", "--sequences", "8");
        assertEquals(0, r.code(), r.err());
        JsonNode j = json(r.out());
        assertEquals(100, j.get("step").asInt());
        for (String s : new String[] {"previous_token", "current_token", "induction", "bracket_matching"}) {
            assertEquals(2, j.get(s).size(), s);
            assertEquals(4, j.get(s).get(1).size(), s);
            double x = j.get(s).get(1).get(3).asDouble();
            assertTrue(x >= 0 && x <= 1, s + " " + x);
        }
        assertEquals("dyck", j.get("depth_tracking_on").asText());
        Result all = cli("patterns", run.toString(), "--length", "7", "--all-steps", "--csv", "--heads", "0:1,1:2", "--sequences", "4");
        assertEquals(0, all.code(), all.err());
        String[] lines = all.out().strip().split("\n");
        assertEquals("step,head,previous_token,current_token,induction,bracket_matching,depth_tracking,multigram",
                lines[0]);
        assertEquals(1 + FixtureRuns.STEPS.size() * 2, lines.length, all.out());
        assertTrue(lines[1].startsWith("0,0:1,"), lines[1]);
    }

    @Test
    void customPatternFromAFileAndAWrongShapeIsOneLine() throws IOException {
        Path ok = tmp.resolve("prev.json");
        StringBuilder b = new StringBuilder("[");
        for (int q = 0; q < 7; q++) {
            b.append(q > 0 ? "," : "").append("[");
            for (int k = 0; k < 7; k++) {
                b.append(k > 0 ? "," : "").append(k == q - 1 ? 1 : 0);
            }
            b.append("]");
        }
        Files.writeString(ok, b.append("]").toString());
        Result r = cli("patterns", run.toString(), "--length", "7", "--custom", ok.toString(), "--json", "--sequences", "8");
        assertEquals(0, r.code(), r.err());
        JsonNode j = json(r.out());
        // detect_head "mul" with a previous-token template = previous_token · (T−1)/T
        assertEquals(j.get("previous_token").get(0).get(1).asDouble() * 6 / 7,
                j.get("custom").get(0).get(1).asDouble(), 1e-6);
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "[[1,0],[0,1]]");
        assertOneLineUserError(cli("patterns", run.toString(), "--length", "7", "--custom", bad.toString()),
                "the custom pattern is 2×2 but the sequences have 7 tokens");
    }

    @Test
    void ablateAndPatchPrintTablesJsonAndCsv() throws IOException {
        Result t = cli("ablate", run.toString(), "--length", "7", "--ablation", "zero", "--heads", "0:0,1:3");
        assertEquals(0, t.code(), t.err());
        String[] lines = t.out().strip().split("\n");
        assertEquals(3, lines.length, t.out());
        assertTrue(lines[0].startsWith("step  head  clean_loss"), lines[0]);
        Result j = cli("ablate", run.toString(), "--length", "7", "--json", "--per-token", "--ablation", "mean");
        assertEquals(0, j.code(), j.err());
        JsonNode n = json(j.out());
        assertEquals("mean", n.get("ablation").asText());
        assertEquals(8, n.get("heads").size());
        JsonNode h = n.get("heads").get(5);
        assertEquals("1:1", h.get("head").asText());
        assertEquals(h.get("ablated_loss").asDouble() - n.get("clean_loss").asDouble(), h.get("delta").asDouble(),
                1e-9);
        assertEquals(3, h.get("token_increase").size());
        assertEquals(6, h.get("token_increase").get(0).size());
        Result p = cli("patch", run.toString(), "--length", "7", "--path", "K:1:2,logits", "--heads", "0:1", "--csv",
                "--ablation", "zero");
        assertEquals(0, p.code(), p.err());
        String[] rows = p.out().strip().split("\n");
        assertEquals("step,head,path,clean_loss,ablated_loss,delta,normalized", rows[0]);
        assertEquals(3, rows.length);
        assertTrue(rows[1].startsWith("100,0:1,K 1:2,"), rows[1]);
        Result all = cli("ablate", run.toString(), "--length", "7", "--all-steps", "--json", "--heads", "1:0");
        assertEquals(FixtureRuns.STEPS.size(), json(all.out()).get("steps").size());
    }

    @Test
    void userMistakesAreOneLine() {
        assertOneLineUserError(cli("ablate", run.toString(), "--heads", "0:4"), "head 0:4: head must be 0..3");
        assertOneLineUserError(cli("compose", run.toString(), "--heads", "2:0"), "layer must be 0..1");
        assertOneLineUserError(cli("ablate", run.toString(), "--length", "65"), "longer than the model's context");
        assertOneLineUserError(cli("ablate", run.toString(), "--length", "1"), "too short");
        assertOneLineUserError(cli("ablate", run.toString(), "--ablation", "noise"), "zero, mean or resample");
        assertOneLineUserError(cli("patch", run.toString(), "--path", "K:0:1", "--heads", "0:2"),
                "must be in a later layer");
        assertOneLineUserError(cli("patch", run.toString(), "--path", "X:1:1"), "must be Q:L:H");
        assertOneLineUserError(cli("patterns", run.toString(), "--step", "10", "--all-steps"), "exclude each other");
        assertOneLineUserError(cli("compose", run.toString(), "--step", "7"), "7");
    }
}
