package org.headlab.ui.composition;

import java.nio.file.Path;
import java.util.Map;
import org.headlab.core.estimate.Head;
import org.headlab.core.jobs.JobExecutor;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.Run;
import org.headlab.core.session.RunSession;
import org.headlab.testing.FixtureRuns;
import org.headlab.ui.Selection;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The composition matrix without a window: same-thread jobs, results applied at once. */
class CompositionViewModelTest {
    @TempDir
    Path tmp;

    Selection selection;
    CompositionViewModel vm;
    RunSession session;

    @BeforeEach
    void open() {
        session = RunSession.open(FixtureRuns.brackets(tmp, "brackets"));
        selection = new Selection();
        vm = new CompositionViewModel(selection, JobExecutor.sameThread(), Runnable::run);
        selection.stepProperty().set(100);
        selection.setSession(session);
    }

    @Test
    void everyCheckpointIsComputedAndTheSelectedOneIsShownAsALayer0ByLayer1Matrix() {
        assertEquals(3, vm.cachedSteps());
        assertNotNull(vm.figureProperty().get());
        assertEquals("K-composition at step 100", vm.figureProperty().get().title());
        assertEquals(new CompositionViewModel.LayerPair(0, 1), vm.layerPairProperty().get());
        assertEquals(4, vm.columns());
        assertTrue(vm.statusProperty().get().contains("all 3 checkpoints"), vm.statusProperty().get());
        assertTrue(vm.baselineTextProperty().get().startsWith("Random weights"), vm.baselineTextProperty().get());
    }

    @Test
    void whatTheViewComputesIsStoredAndTheNextOpeningReadsItBack() {
        assertTrue(vm.statusProperty().get().contains("0 read from the store, 3 computed from the weights and stored"),
                vm.statusProperty().get());
        try (org.headlab.core.store.ResultStore store = org.headlab.core.store.ResultStore.openForRun(session.run())) {
            for (int step : FixtureRuns.STEPS) {
                assertTrue(store.contains(org.headlab.core.store.ResultKey.of(CompositionViewModel.task(session,
                        step))), "the composition estimator's result at step " + step + " is in the store");
            }
        }
        Selection other = new Selection();
        other.stepProperty().set(100);
        CompositionViewModel again = new CompositionViewModel(other, JobExecutor.sameThread(), Runnable::run);
        other.setSession(session);
        assertTrue(again.statusProperty().get().contains("3 read from the store, 0 computed"),
                again.statusProperty().get());
        assertEquals(vm.figureProperty().get().data(), again.figureProperty().get().data());
        assertEquals(vm.baselineTextProperty().get(), again.baselineTextProperty().get());
    }

    /** A run folder that cannot hold a store (read-only) still shows composition: computed, not stored. */
    @Test
    void aReadOnlyRunFolderStillShowsComposition() throws Exception {
        Path ro = FixtureRuns.brackets(tmp, "readonly");
        java.nio.file.Files.setPosixFilePermissions(ro, java.nio.file.attribute.PosixFilePermissions.fromString(
                "r-xr-xr-x"));
        try (RunSession s = RunSession.open(ro)) {
            org.junit.jupiter.api.Assumptions.assumeFalse(java.nio.file.Files.isWritable(ro), "running as root");
            Selection other = new Selection();
            other.stepProperty().set(100);
            CompositionViewModel v = new CompositionViewModel(other, JobExecutor.sameThread(), Runnable::run);
            other.setSession(s);
            assertEquals(3, v.cachedSteps());
            assertTrue(v.statusProperty().get().contains("0 read from the store, 3 computed"),
                    v.statusProperty().get());
        } finally {
            java.nio.file.Files.setPosixFilePermissions(ro, java.nio.file.attribute.PosixFilePermissions.fromString(
                    "rwxr-xr-x"));
        }
    }

    @Test
    void theShownScoresMatchTheDefinitionComputedFromTheFullMatrices() {
        // independent of CompositionScores' Gram-matrix shortcut: form OV and QK as d_model × d_model matrices
        Run run = session.run();
        for (int step : FixtureRuns.STEPS) {
            selection.stepProperty().set(step);
            Map<String, HostTensor> w = run.weights(step);
            for (CompositionViewModel.Mode m : CompositionViewModel.Mode.values()) {
                vm.modeProperty().set(m);
                double[][] shown = shownMatrix();
                for (int h1 = 0; h1 < 4; h1++) {
                    for (int h2 = 0; h2 < 4; h2++) {
                        double expected = bruteForce(w, m, h1, h2);
                        assertEquals(expected, shown[h1][h2], 1e-6 * Math.max(1, expected),
                                m + " " + h1 + "→" + h2 + " at step " + step);
                    }
                }
            }
        }
    }

    /** The numbers of the figure on screen, [sender head][receiver head], from the figure's own data table. */
    private double[][] shownMatrix() {
        double[][] out = new double[4][4];
        for (var r : vm.figureProperty().get().data().rows()) {
            int h1 = Integer.parseInt(r.get(0).toString().split(":")[1]);
            int h2 = Integer.parseInt(r.get(1).toString().split(":")[1]);
            out[h1][h2] = ((Number) r.get(2)).doubleValue();
        }
        return out;
    }

    /** The scores of the selected checkpoint, computed directly. */
    private org.headlab.core.estimate.composition.CompositionScores.Result resultShown() {
        return org.headlab.core.estimate.composition.CompositionScores.compute(session.run().config(),
                session.run().weights(selection.stepProperty().get()));
    }

    @Test
    void clickingACellSelectsThePairWithTheReceiverAsTheHead() {
        vm.click(new CompositionViewModel.Cell(2, 3));
        assertEquals(new Head(1, 3), selection.head());
        assertEquals(new Selection.HeadPair(new Head(0, 2), new Head(1, 3)),
                selection.pairProperty().get());
        assertEquals(new CompositionViewModel.Cell(2, 3), vm.selectedCellProperty().get());
        var curves = vm.pairCurvesProperty().get();
        assertNotNull(curves);
        assertEquals(3, curves.series().size(), "Q, K and V");
        assertEquals(3, curves.series().get(0).steps().length, "one point per checkpoint");

        selection.headProperty().set(new Head(0, 2)); // the sender: still part of the pair
        assertNotNull(selection.pairProperty().get());
        selection.headProperty().set(new Head(1, 1)); // another head: the pair ends
        assertNull(selection.pairProperty().get());
        assertNull(vm.selectedCellProperty().get());
        assertNull(vm.pairCurvesProperty().get());
    }

    @Test
    void hoverReadsOutTheExactScoreAndItsDistanceFromRandom() {
        vm.modeProperty().set(CompositionViewModel.Mode.V);
        double v = CompositionViewModel.matrix(resultShown(), CompositionViewModel.Mode.V,
                new CompositionViewModel.LayerPair(0, 1))[1][2];
        vm.hover(new CompositionViewModel.Cell(1, 2));
        String text = vm.readoutProperty().get();
        assertTrue(text.startsWith(String.format(java.util.Locale.ROOT, "V 0:1 → 1:2 at step 100: %.4f", v)), text);
        assertTrue(text.contains("σ from random"), text);
        vm.hover(null);
        assertEquals("", vm.readoutProperty().get());
    }

    @Test
    void aOneLayerModelSaysWhyThereIsNothingToShow() throws Exception {
        var config = org.headlab.core.run.ModelConfig.attnOnly(1, 2, 8, 4, 7, 16);
        Path dir = tmp.resolve("one-layer");
        try (var w = org.headlab.core.run.RunWriter.create(dir, config, FixtureRuns.BRACKETS_TOKENIZER, "one",
                "one layer")) {
            w.addCheckpoint(0, org.headlab.core.run.RandomWeights.gaussian(config, 1, 0.4, true));
            w.addDataset("train", "x", java.util.List.of("()"));
            w.training(Map.of());
            w.commit();
        }
        selection.setSession(RunSession.open(dir));
        assertNull(vm.figureProperty().get());
        assertTrue(vm.statusProperty().get().contains("one-layer"), vm.statusProperty().get());
    }

    /** ‖A·B‖_F / (‖A‖_F ‖B‖_F) with OV = W_V W_O and QK = W_Q W_Kᵀ as full d_model × d_model matrices. */
    private static double bruteForce(Map<String, HostTensor> w, CompositionViewModel.Mode m, int h1, int h2) {
        double[][] ov1 = product(head(w, "blocks.0.attn.W_V", h1, 16, 4), head(w, "blocks.0.attn.W_O", h1, 4, 16));
        double[][] q2 = head(w, "blocks.1.attn.W_Q", h2, 16, 4);
        double[][] k2 = head(w, "blocks.1.attn.W_K", h2, 16, 4);
        double[][] qk2 = product(q2, transpose(k2));
        double[][] ov2 = product(head(w, "blocks.1.attn.W_V", h2, 16, 4), head(w, "blocks.1.attn.W_O", h2, 4, 16));
        return switch (m) {
            case Q -> norm(product(ov1, qk2)) / (norm(ov1) * norm(qk2));
            case K -> norm(product(ov1, transpose(qk2))) / (norm(ov1) * norm(qk2));
            case V -> norm(product(ov1, ov2)) / (norm(ov1) * norm(ov2));
        };
    }

    private static double[][] head(Map<String, HostTensor> w, String name, int h, int rows, int cols) {
        float[] d = w.get(name).data();
        double[][] out = new double[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r][c] = d[h * rows * cols + r * cols + c];
            }
        }
        return out;
    }

    private static double[][] product(double[][] a, double[][] b) {
        double[][] c = new double[a.length][b[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int t = 0; t < b.length; t++) {
                for (int j = 0; j < b[0].length; j++) {
                    c[i][j] += a[i][t] * b[t][j];
                }
            }
        }
        return c;
    }

    private static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    private static double norm(double[][] a) {
        double s = 0;
        for (double[] r : a) {
            for (double v : r) {
                s += v * v;
            }
        }
        return Math.sqrt(s);
    }
}
