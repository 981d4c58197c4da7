package org.headlab.ui.ablation;

import java.nio.file.Path;
import org.headlab.core.estimate.Head;
import org.headlab.core.jobs.JobExecutor;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.HostTensor;
import org.headlab.core.session.RunSession;
import org.headlab.testing.FixtureRuns;
import org.headlab.ui.Selection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-token ablation without a window, checked against a model whose head's output weights are zeroed by hand. */
class TokenAblationViewModelTest {
    @TempDir
    Path tmp;

    @Test
    void zeroAblationEqualsTheLossOfAModelWithoutThatHeadsOutput() {
        RunSession session = RunSession.open(FixtureRuns.brackets(tmp, "brackets"));
        Selection selection = new Selection();
        selection.stepProperty().set(100);
        selection.headProperty().set(new Head(0, 2));
        selection.inputProperty().set("([])()");
        TokenAblationViewModel vm = new TokenAblationViewModel(selection, JobExecutor.sameThread(), Runnable::run);
        vm.kindProperty().set(TokenAblationViewModel.Kind.ZERO);
        selection.setSession(session);
        TokenAblationViewModel.Losses r = vm.lossesProperty().get();
        assertNotNull(r, vm.statusProperty().get());
        assertEquals(7, r.tokens().size(), "BOS + 6 characters");
        assertEquals(6, r.increase().length, "one per predicted token");

        // independently: z = 0 for a head is the same as W_O = 0 for it (z only reaches the residual through W_O)
        int[] ids = session.encode("([])()").ids();
        var weights = new java.util.LinkedHashMap<>(session.run().weights(100));
        HostTensor wo = weights.get("blocks.0.attn.W_O");
        float[] data = wo.data().clone();
        int per = 4 * 16; // d_head × d_model of one head
        java.util.Arrays.fill(data, 2 * per, 3 * per, 0f);
        weights.put("blocks.0.attn.W_O", new HostTensor(wo.shape(), data));
        float[][] clean;
        float[][] ablated;
        try (Transformer m = Transformer.create(session.run().config(), session.run().weights(100))) {
            clean = m.tokenLosses(new int[][] {ids});
        }
        try (Transformer m = Transformer.create(session.run().config(), weights)) {
            ablated = m.tokenLosses(new int[][] {ids});
        }
        for (int i = 0; i < 6; i++) {
            assertEquals(clean[0][i], r.clean()[i], 1e-5, "clean loss at " + i);
            assertEquals(ablated[0][i] - clean[0][i], r.increase()[i], 1e-4, "increase at " + i);
        }
        assertTrue(vm.statusProperty().get().startsWith("Zero-ablating head 0:2 at step 100: mean Δloss"),
                vm.statusProperty().get());

        vm.hover(1);
        assertTrue(vm.readoutProperty().get().startsWith("predicting '[' (position 2) after '('"),
                vm.readoutProperty().get());

        vm.kindProperty().set(TokenAblationViewModel.Kind.MEAN);
        assertEquals(TokenAblationViewModel.Kind.MEAN, vm.lossesProperty().get().kind());
        assertTrue(vm.statusProperty().get().startsWith("Mean-ablating head 0:2"), vm.statusProperty().get());
    }
}
