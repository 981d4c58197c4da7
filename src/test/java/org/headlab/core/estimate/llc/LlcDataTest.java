package org.headlab.core.estimate.llc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.headlab.core.session.RunSession;
import org.junit.jupiter.api.Test;

/** LlcData on the shipped Dyck run: windows of the run's n_ctx, not sequences cut to the shortest document. */
class LlcDataTest {
    @Test
    void theDyckRunGivesWindowsOfTheModelsContext() {
        try (RunSession session = RunSession.open(Path.of("sample-runs", "dyck"))) {
            int nCtx = session.run().config().nCtx();
            int bos = session.tokenizer().bosId();
            LlcData data = LlcData.fromRun(session, "heldout");
            assertEquals(48, nCtx);
            assertEquals(nCtx, data.length(), "windows of n_ctx tokens (it was 4: the shortest document)");
            long tokens = 0;
            for (var r : session.run().readDataset("heldout")) {
                tokens += 1 + session.tokenizer().encode(r.text()).length;
            }
            // every document is in some window, and windows hold about tokens / n_ctx of them (cut pieces repeat)
            assertTrue(data.size() >= tokens / nCtx, data.size() + " windows for " + tokens + " tokens");
            assertTrue(data.size() <= 2 * tokens / nCtx + 1, data.size() + " windows for " + tokens + " tokens");
            for (int[] w : data.sequences()) {
                assertEquals(nCtx, w.length);
                assertEquals(bos, w[0], "every window starts at a BOS");
            }
        }
    }
}
