package org.headlab.ui.multigrams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.headlab.core.analysis.Multigrams;
import org.headlab.core.estimate.Head;
import org.headlab.core.jobs.JobExecutor;
import org.headlab.core.session.RunSession;
import org.headlab.testing.FixtureRuns;
import org.headlab.ui.Selection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Multigrams panel's logic without a window, on the trained dyck run: it follows the selected head and
 * checkpoint, counts every query position once (a pair, or resting on the first position), lists the memorised
 * predictions largest first, and an example becomes the input.
 */
class MultigramsViewModelTest {
    @TempDir
    Path tmp;

    @Test
    void theSelectedHeadsPairsAndMemorisedPredictionsFollowTheSelection() throws Exception {
        Path run = FixtureRuns.copyOfSampleRun("dyck", tmp.resolve("dyck"));
        try (RunSession session = RunSession.open(run)) {
            Selection selection = new Selection();
            MultigramsViewModel vm = new MultigramsViewModel(selection, JobExecutor.sameThread(), Runnable::run);
            vm.setActive(false);
            selection.update(s -> s.withSession(session).withStep(4000).withHead(new Head(1, 0)));
            assertNull(vm.resultProperty().get(), "nothing computed while hidden");
            vm.setActive(true);
            MultigramsViewModel.Result r = vm.resultProperty().get();
            assertNotNull(r, vm.statusProperty().get());
            assertEquals(new Head(1, 0), r.head());
            assertEquals(4000, r.step());
            int paired = r.attended().pairs().stream().mapToInt(Multigrams.Pair::count).sum();
            assertEquals(r.attended().queries() - r.attended().restingOnFirst(), paired);
            assertTrue(r.memorised().total() > 0, "the bracket-matching head carries predictions: "
                    + vm.statusProperty().get());
            for (int i = 1; i < r.events().size(); i++) {
                assertTrue(r.events().get(i - 1).increase() >= r.events().get(i).increase(), "largest first");
            }
            assertTrue(r.events().get(0).context().endsWith("⟧"), r.events().get(0).context());

            selection.headProperty().set(new Head(0, 3));
            assertEquals(new Head(0, 3), vm.resultProperty().get().head(), "follows the head");

            vm.showExample(r.events().get(0).context());
            assertEquals(r.events().get(0).context().replace("⟦", "").replace("⟧", ""),
                    selection.inputProperty().get());
        }
    }
}
