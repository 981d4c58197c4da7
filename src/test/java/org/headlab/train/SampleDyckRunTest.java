package org.headlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.headlab.core.data.Tokenizer;
import org.headlab.core.data.Tokenizers;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.DatasetRecord;
import org.headlab.core.run.Run;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The shipped run sample-runs/dyck: it opens, its loss went down, and at the last checkpoint its best layer-1 head
 * attends from closing brackets to bracket structure on held-out strings (numbers: sample-runs/dyck/README.md).
 */
class SampleDyckRunTest {
    static final Path RUN = Path.of("sample-runs", "dyck");

    @Test
    void lastCheckpointHasABracketHead() {
        Assumptions.assumeTrue(Files.isDirectory(RUN), "sample run not present");
        Run run = Run.open(RUN);
        assertEquals(2, run.config().nLayers());
        assertEquals(8, run.config().nHeads());
        assertTrue(run.steps().size() >= 30 && run.steps().size() <= 60, run.steps().toString());
        Tokenizer tok = Tokenizers.create(run.manifest().tokenizer(), run.dir());
        List<String> texts = run.readDataset("heldout").stream().map(DatasetRecord::text).limit(100).toList();
        int last = run.steps().get(run.steps().size() - 1);
        BracketMatching.Scores first;
        BracketMatching.Scores end;
        try (Transformer m = Transformer.create(run.config(), run.weights(0))) {
            first = BracketMatching.score(m, tok, texts);
        }
        try (Transformer m = Transformer.create(run.config(), run.weights(last))) {
            end = BracketMatching.score(m, tok, texts);
        }
        double bestEnclosing = 0;
        for (double[] layer : end.enclosing()) {
            for (double x : layer) {
                bestEnclosing = Math.max(bestEnclosing, x);
            }
        }
        assertTrue(end.closers() > 1000, "enough closing brackets: " + end.closers());
        // THRESHOLDS filled from the measured numbers in README.md
        assertTrue(bestEnclosing >= ENCLOSING_MIN, "best enclosing-opener score " + bestEnclosing);
        assertTrue(end.bestMatch() > first.bestMatch(), "match score rose: " + first.bestMatch() + " -> "
                + end.bestMatch());
    }

    static final double ENCLOSING_MIN = 0.3;
}
