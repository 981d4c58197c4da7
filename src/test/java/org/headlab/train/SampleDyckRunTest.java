package org.headlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.headlab.core.data.BracketPair;
import org.headlab.core.data.TaggedDyckGenerator;
import org.headlab.core.data.Tokenizer;
import org.headlab.core.data.Tokenizers;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.DatasetRecord;
import org.headlab.core.run.Run;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The shipped run sample-runs/dyck (Dyck-3 with one generic closer followed by the closed kind's tag): it opens, it
 * declares its bracket pairs, and on held-out strings its best head puts at least half of a closer's attention on
 * the closer's matching opener at the last checkpoint, far more than any head did at step 0 (numbers:
 * sample-runs/dyck/README.md).
 */
class SampleDyckRunTest {
    static final Path RUN = Path.of("sample-runs", "dyck");
    /** The target: mean weight on the match of the best head. */
    static final double MATCH_MIN = 0.5;
    /** Step 0 must be far below: the matching head forms during training. */
    static final double STEP0_MAX = 0.2;

    @Test
    void lastCheckpointHasAMatchingHeadThatFormedDuringTraining() {
        Assumptions.assumeTrue(Files.isDirectory(RUN), "sample run not present");
        Run run = Run.open(RUN);
        assertEquals(2, run.config().nLayers());
        assertEquals(8, run.config().nHeads());
        assertTrue(run.config().attnOnly());
        assertTrue(run.steps().size() >= 30 && run.steps().size() <= 60, run.steps().toString());
        List<BracketPair> pairs = run.manifest().tokenizer().bracketPairs();
        assertEquals(TaggedDyckGenerator.pairs(3), pairs, "( [ { closed by the generic )");
        Tokenizer tok = Tokenizers.create(run.manifest().tokenizer(), run.dir());
        List<String> texts = run.readDataset("heldout").stream().map(DatasetRecord::text).limit(200).toList(); // as in the README
        int last = run.steps().get(run.steps().size() - 1);
        BracketMatching.Scores first;
        BracketMatching.Scores end;
        try (Transformer m = Transformer.create(run.config(), run.weights(0))) {
            first = BracketMatching.score(m, tok, pairs, texts);
        }
        try (Transformer m = Transformer.create(run.config(), run.weights(last))) {
            end = BracketMatching.score(m, tok, pairs, texts);
        }
        assertTrue(end.closers() > 1500, "enough closing brackets: " + end.closers());
        int[] best = end.bestMatchHead();
        assertTrue(end.bestMatch() >= MATCH_MIN, "best match head " + best[0] + ":" + best[1] + " at step " + last
                + " scores " + end.bestMatch());
        assertTrue(first.bestMatch() <= STEP0_MAX, "step 0 already matched: " + first.bestMatch());
    }
}
