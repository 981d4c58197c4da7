package org.headlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The LLC commands end to end on the fixture run, with tiny settings; JSON parsed back and checked for keys. */
class LlcCliTest {
    @TempDir
    static Path tmp;
    static Path run;

    @BeforeAll
    static void writeRun() {
        run = FixtureRuns.brackets(tmp, "brackets");
    }

    @Test
    void validateLlcPrintsEstimateStdTheory() throws Exception {
        CliTest.Result r = CliTest.cli("validate-llc", "normal-crossing", "--powers", "1,2", "--draws", "2000",
                "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = CliTest.json(r.out());
        assertEquals(0.25, j.get("theory").asDouble(), 1e-12);
        assertTrue(Math.abs(j.get("estimate").asDouble() - 0.25) <= 3.5 * j.get("std").asDouble(), r.out());
    }

    @Test
    void validateLlcOnReducedRankRegressionAndItsUsageErrors() throws Exception {
        CliTest.Result r = CliTest.cli("validate-llc", "rrr", "--shape", "3,3,2,1", "--draws", "2000", "--json");
        assertEquals(3.5, CliTest.json(r.out()).get("theory").asDouble(), 0.0, r.out());
        assertTrue(CliTest.json(r.out()).get("estimate").asDouble() > 2, r.out());
        CliTest.Result bad = CliTest.cli("validate-llc", "rrr", "--shape", "3,3");
        assertEquals(2, bad.code());
        assertEquals("headlab: rrr needs --shape M,N,H,r (4 integers)", bad.err().strip());
        CliTest.Result rank = CliTest.cli("validate-llc", "rrr", "--shape", "3,3,2,3");
        assertEquals(2, rank.code());
        assertTrue(rank.err().startsWith("headlab: reduced-rank regression: need M, N, H ≥ 1 and 0 ≤ r ≤ min(M, N, H)"),
                rank.err());
        CliTest.Result sampler = CliTest.cli("validate-llc", "rrr", "--shape", "3,3,2,1", "--sampler", "hmc");
        assertEquals(2, sampler.code());
        assertEquals("headlab: unknown sampler 'hmc' (known: sgld, rmsprop_sgld, sgnht)", sampler.err().strip());
    }

    @Test
    void llcJsonHasDevinterpKeysPerStep() throws Exception {
        CliTest.Result r = CliTest.cli("llc", run.toString(), "--all-steps", "--head", "1:2", "--chains", "2",
                "--draws", "3", "--batch", "2", "--init-batches", "1", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode results = CliTest.json(r.out()).get("results");
        assertEquals(FixtureRuns.STEPS.size(), results.size());
        JsonNode first = results.get(0);
        for (String k : new String[] {"llc/mean", "llc/std", "llc-chain/0", "llc-chain/1", "llc/trace", "llc/means",
            "llc/stds", "loss/trace", "init_loss", "mala_accept/mean", "convergence/geweke_z", "convergence/rhat",
            "convergence/converged", "convergence/reason", "params"}) {
            assertTrue(first.has(k), k + " in " + first.fieldNames());
        }
        assertEquals(2, first.get("loss/trace").size());
        assertEquals(3, first.get("loss/trace").get(0).size());
    }

    @Test
    void anEstimateWhoseChainsAllDivergeIsAFailureNotANaN() {
        CliTest.Result r = CliTest.cli("llc", run.toString(), "--step", "100", "--head", "1:2", "--epsilon", "1e308",
                "--chains", "2", "--draws", "3", "--batch", "2", "--init-batches", "1");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().startsWith("headlab: no estimate at step 100: every chain diverged (epsilon 1.0E308)"),
                r.err());
        CliTest.Result sweep = CliTest.cli("sweep", run.toString(), "--estimators", "llc", "--heads", "1:2",
                "--steps", "100", "--workers", "1", "--no-progress", "-p", "llc.epsilon=1", "-p", "llc.gamma=1e9",
                "-p", "llc.chains=2", "-p", "llc.draws=6", "-p", "llc.batch=2",
                "-p", "llc.init_batches=1");
        assertEquals(1, sweep.code(), sweep.out() + sweep.err());
        assertTrue(sweep.err().contains("every chain diverged"), sweep.err());
        assertTrue(sweep.out().contains("0 computed, 0 skipped (already stored), 1 failed"), sweep.out());
    }

    @Test
    void aRefusedSettingNamesItsOption() {
        CliTest.assertOneLineUserError(CliTest.cli("llc", run.toString(), "--step", "100", "--head", "1:2",
                "--burnin", "-1"), "--burnin -1: burn-in must be ≥ 0");
        CliTest.assertOneLineUserError(CliTest.cli("llc", run.toString(), "--step", "100", "--head", "1:2",
                "--epsilon", "NaN"), "--epsilon NaN: epsilon must be a positive number");
        CliTest.assertOneLineUserError(CliTest.cli("llc", run.toString(), "--step", "100", "--head", "1:2",
                "--chains", "0"), "--chains 0: chains must be ≥ 1");
    }

    @Test
    void settingsThatCannotFitAreRefusedBeforeAnythingIsAllocated() {
        // issue 19: dyck with batch 100000 filled 24 GB and was killed by the kernel with no message
        CliTest.assertOneLineUserError(CliTest.cli("llc", "sample-runs/dyck", "--step", "4000", "--head", "1:0",
                "--batch", "100000"), "4 chains × batch 100000 × 48 tokens needs about");
        CliTest.assertOneLineUserError(CliTest.cli("llc", "sample-runs/lm", "--step", "15000", "--head", "1:0",
                "--chains", "256", "--batch", "5000"), "GB per SGLD step, more than half of this machine's");
    }

    @Test
    void llcTextAndBadHeadIsOneLineError() {
        CliTest.Result ok = CliTest.cli("llc", run.toString(), "--step", "10", "--layer", "0", "--chains", "2",
                "--draws", "2", "--batch", "2", "--init-batches", "1");
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("llc/mean") && ok.out().contains("rhat") && ok.out().contains("conv"), ok.out());
        CliTest.assertOneLineUserError(CliTest.cli("llc", run.toString(), "--step", "10", "--head", "5:0"),
                "layer");
    }

    @Test
    void calibrateGivesAVerdictPerSetting() throws Exception {
        CliTest.Result r = CliTest.cli("llc-calibrate", run.toString(), "--step", "100", "--head", "0:1",
                "--epsilons", "1e-4,1e-2", "--nbetas", "30", "--chains", "2", "--draws", "8", "--batch", "2",
                "--init-batches", "1", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode s = CliTest.json(r.out()).get("settings");
        assertEquals(2, s.size());
        assertTrue(s.get(0).has("verdict") && s.get(0).has("stable") && s.get(0).has("converged"));
        // the choice and its evidence are recorded (8 draws resolve nothing, so no setting is chosen) …
        JsonNode doc = CliTest.json(r.out());
        assertTrue(doc.get("reason").asText().startsWith("none of the 2 settings"), r.out());
        JsonNode file = CliTest.json(java.nio.file.Files.readString(run.resolve("llc-calibration.json")));
        JsonNode entry = file.get("entries").get(0);
        assertEquals("head 0:1", entry.get("target").asText());
        assertEquals(2, entry.get("trials").size());
        assertTrue(entry.get("chosen").isNull());
        // … and llc --calibrated says there is nothing to use, in one line, exit 2
        CliTest.Result cal = CliTest.cli("llc", run.toString(), "--step", "100", "--head", "0:1", "--calibrated");
        assertEquals(2, cal.code());
        assertTrue(cal.err().strip().endsWith("has no calibrated setting for head 0:1 on 'train': run llc-calibrate"
                + " for it first"), cal.err());
    }
}
