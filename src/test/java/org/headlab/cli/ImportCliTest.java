package org.headlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.headlab.core.session.AttentionResult;
import org.headlab.core.session.RunSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code headlab import} end to end: an imported GPT-2 series (with MLPs, biases, gelu_new, a word-level tokenizer)
 * opens, shows attention and takes the estimators a sweep runs; a refusal is one line and exit 2.
 */
class ImportCliTest {
    @TempDir
    Path tmp;

    /** GPT-2 (learned positions, sequential blocks) and Pythia (rotary, parallel attention + MLP). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"gpt2", "pythia"})
    void anImportedRunTakesEveryEstimator(String family) throws Exception {
        Path text = tmp.resolve("train.txt");
        StringBuilder b = new StringBuilder();
        java.util.Random r = new java.util.Random(4);
        for (int line = 0; line < 40; line++) {
            for (int w = 0; w < 12; w++) {
                b.append(w == 0 ? "" : " ").append("w").append(r.nextInt(22));
            }
            b.append('\n');
        }
        Files.writeString(text, b.toString());
        Path out = tmp.resolve(family + "run");
        CliTest.Result imp = CliTest.cli("import", "src/test/resources/import/" + family, "--out", out.toString(),
                "--data", "train=" + text);
        assertEquals(0, imp.code(), imp.err());
        assertTrue(imp.out().startsWith("imported 2 checkpoints (steps [0, 100]) of a 2-layer × 2-head model"),
                imp.out());
        try (RunSession s = RunSession.open(out)) {
            AttentionResult a = s.attention(100, "w3 w4 w3 w4");
            assertEquals("<|endoftext|>", a.tokens().get(0), "BOS from the config's bos_token_id");
            assertEquals(5, a.length());
        }
        CliTest.Result sweep = CliTest.cli("sweep", out.toString(), "--estimators",
                "patterns,composition,ablation,loss,llc,llc_full", "--workers", "2", "--no-progress",
                "-p", "llc.chains=1", "-p", "llc.draws=3", "-p", "llc.batch=2", "-p", "llc.init_batches=1",
                "-p", "llc_full.chains=1", "-p", "llc_full.draws=3", "-p", "llc_full.batch=2",
                "-p", "llc_full.init_batches=1", "-p", "ablation.windows=8", "-p", "loss.max_sequences=8");
        assertEquals(0, sweep.code(), sweep.err() + sweep.out());
        // per checkpoint (2): patterns, composition, loss and the full LLC once, ablation and rLLC per head (4)
        assertTrue(sweep.out().contains("24 tasks: 24 computed, 0 skipped (already stored), 0 failed"),
                sweep.out() + sweep.err());
    }

    @Test
    void aRefusalIsOneLineAndExit2() {
        CliTest.assertOneLineUserError(CliTest.cli("import", tmp.resolve("missing").toString(), "--out",
                tmp.resolve("o").toString()), "is not a folder of checkpoints");
        CliTest.assertOneLineUserError(CliTest.cli("import", "src/test/resources/import/gpt2", "--out",
                tmp.resolve("o").toString(), "--bos", "<nope>"), "--bos <nope>: not a token of");
        assertFalse(Files.exists(tmp.resolve("o")));
    }
}
