package org.headlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.headlab.core.data.RepeatedTokens;
import org.headlab.core.data.Tokenizer;
import org.headlab.core.data.Tokenizers;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.DatasetRecord;
import org.headlab.core.run.Run;
import org.headlab.core.run.SampleRuns;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The shipped run sample-runs/lm (2 layers × 8 heads, attention-only, a language model with a learned BPE on English
 * text and Python code): it opens with its named slices; at the last checkpoint a layer-0 head attends to the
 * previous token (mean attention from i to i−1 on held-out text) and a layer-1 head induces (mean attention to the
 * token after the earlier copy on repeated random tokens), each at least issue 3's 0.5, while at step 1,200 no head
 * induces: the induction stage lies inside the recorded steps (numbers: sample-runs/lm/README.md). Scores are
 * computed plainly from the attention patterns ({@link LmHeadScores}), not by an estimator under test.
 */
class SampleLmRunTest {
    static final Path RUN = Path.of("sample-runs", "lm");
    static final double PREVIOUS_MIN = 0.5;
    static final double INDUCTION_MIN = 0.5;
    /** Early checkpoints must be far below: the induction head forms during training. */
    static final double STEP0_INDUCTION_MAX = 0.05;
    static final int EARLY_STEP = 1200;

    @Test
    void lastCheckpointHasPreviousTokenAndInductionHeadsThatFormedDuringTraining() {
        Assumptions.assumeTrue(Files.isDirectory(RUN), "sample run not present");
        assertEquals("lm", SampleRuns.DEFAULT_ORDER.get(0), "the GUI opens lm first");
        Run run = Run.open(RUN);
        assertEquals(2, run.config().nLayers());
        assertEquals(8, run.config().nHeads());
        assertTrue(run.config().attnOnly());
        assertTrue(run.steps().size() >= 30 && run.steps().size() <= 60, run.steps().toString());
        List<String> names = run.datasets().stream().map(d -> d.name()).toList();
        assertEquals(List.of("text", "code", "text-heldout", "code-heldout"), names);
        Tokenizer tok = Tokenizers.create(run.manifest().tokenizer(), run.dir());
        List<int[]> texts = new ArrayList<>();
        for (DatasetRecord r : run.readDataset("text-heldout").stream().limit(LmHeadScores.TEXTS).toList()) {
            texts.add(LmHeadScores.withBos(tok, r.text()));
        }
        List<RepeatedTokens> repeated = LmHeadScores.repeated(tok);
        int last = run.steps().get(run.steps().size() - 1);

        double[][] earlyInduction;
        try (Transformer m = Transformer.create(run.config(), run.weights(EARLY_STEP))) {
            earlyInduction = LmHeadScores.induction(m, repeated);
        }
        double[][] previous;
        double[][] induction;
        try (Transformer m = Transformer.create(run.config(), run.weights(last))) {
            previous = LmHeadScores.previousToken(m, texts);
            induction = LmHeadScores.induction(m, repeated);
        }
        int p = LmHeadScores.best(previous[0]);
        assertTrue(previous[0][p] >= PREVIOUS_MIN, "best layer-0 previous-token head 0:" + p + " at step " + last
                + " scores " + previous[0][p]);
        int i = LmHeadScores.best(induction[1]);
        assertTrue(induction[1][i] >= INDUCTION_MIN, "best layer-1 induction head 1:" + i + " at step " + last
                + " scores " + induction[1][i]);
        for (int l = 0; l < 2; l++) {
            int b = LmHeadScores.best(earlyInduction[l]);
            assertTrue(earlyInduction[l][b] <= STEP0_INDUCTION_MAX,
                    "step " + EARLY_STEP + " already induces: head " + l + ":" + b
                    + " scores " + earlyInduction[l][b]);
        }
    }
}
