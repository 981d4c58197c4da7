package org.headlab.core.estimate.llc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.Estimator;
import org.headlab.core.estimate.EstimatorRegistry;
import org.headlab.core.estimate.EstimatorResult;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.Params;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.jobs.WorkerPool;
import org.headlab.core.session.RunSession;
import org.headlab.core.store.ResultStore;
import org.headlab.core.store.StoredResult;
import org.headlab.core.sweep.Sweep;
import org.headlab.core.sweep.SweepPlan;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code init_batches = 0}: L(w*) over every window of the slice. Checked against the {@code loss} estimator's mean
 * over the same slice (a second implementation: per-token losses summed in Java, not the engine's batch mean), and
 * against an estimate with the first batch only: same seed, same draws, so the two λ̂ differ by exactly nβ times the
 * difference of their init losses, and the rLLC with the whole slice has no init-loss error. {@link LlcRebase} turns
 * the first-batch result into the whole-slice one, checked metric by metric against the estimate itself.
 */
class InitLossTest {
    @TempDir
    Path tmp;

    private static final Map<String, String> SGLD = Map.of("chains", "2", "draws", "6", "batch", "3", "nbeta", "30");

    @Test
    void theWholeSliceGivesTheExactLossAtWStarAndMovesOnlyTheOffset() throws Exception {
        Path run = FixtureRuns.brackets(tmp, "run");
        EstimatorRegistry registry = EstimatorRegistry.standard();
        try (RunSession session = RunSession.open(run); ResultStore store = ResultStore.openForRun(run);
                WorkerPool pool = WorkerPool.callerRuns()) {
            DatasetSlices slices = new DatasetSlices(session);
            Estimator llc = registry.get("llc");
            Estimator loss = registry.get("loss");
            List<Head> head = List.of(new Head(1, 2));
            for (String batches : List.of("0", "1")) {
                Map<String, String> p = new java.util.HashMap<>(SGLD);
                p.put("init_batches", batches);
                Params params = llc.parameters().parse(p);
                List<TaskSpec> tasks = SweepPlan.tasks(session.run(), slices, List.of(llc, loss),
                        Map.of("llc", params), List.of(100), head, null);
                Sweep.start(pool, session, slices, registry, store, tasks, u -> { }).await();
            }
            EstimatorResult whole = null;
            EstimatorResult first = null;
            double sliceLoss = Double.NaN;
            for (StoredResult r : store.query(null, null)) {
                if (r.key().estimator().equals("loss")) {
                    sliceLoss = r.result().number("loss/mean");
                } else if (r.key().params().contains("\"init_batches\":0")) {
                    whole = r.result();
                } else {
                    first = r.result();
                }
            }
            double nbeta = 30;
            assertEquals(sliceLoss, whole.number(LlcMetrics.INIT_LOSS), 1e-5 * sliceLoss,
                    "the init loss over every window is the slice's loss");
            assertNotEquals(first.number(LlcMetrics.INIT_LOSS), whole.number(LlcMetrics.INIT_LOSS),
                    "the first batch is not the slice");
            assertArrayEquals(first.array(LlcMetrics.LOSS_TRACE), whole.array(LlcMetrics.LOSS_TRACE), 0.0,
                    "the draws do not depend on the init loss");
            assertEquals(first.number(LlcMetrics.MEAN) + nbeta * (first.number(LlcMetrics.INIT_LOSS)
                    - whole.number(LlcMetrics.INIT_LOSS)), whole.number(LlcMetrics.MEAN), 1e-9);
            assertEquals(0.0, LlcResolution.of(whole, 0).initError(), 0.0, "an exact L(w*) adds no error");

            // the first-batch result rebased onto the slice's loss is the whole-slice result, metric by metric
            Map<String, String> p = new java.util.HashMap<>(SGLD);
            p.put("init_batches", "0");
            EstimatorResult rebased = LlcRebase.withInitLoss(first,
                    LlcSweepEstimator.config(llc.parameters().parse(p)), whole.number(LlcMetrics.INIT_LOSS));
            assertEquals(whole.metrics().keySet(), rebased.metrics().keySet());
            for (String k : whole.metrics().keySet()) {
                double[] a = whole.metrics().get(k).isArray() ? whole.array(k) : new double[] {whole.number(k)};
                double[] b = whole.metrics().get(k).isArray() ? rebased.array(k) : new double[] {rebased.number(k)};
                assertEquals(a.length, b.length, k);
                for (int i = 0; i < a.length; i++) {
                    if (Double.isNaN(a[i])) {
                        assertTrue(Double.isNaN(b[i]), k + "[" + i + "] is NaN in the estimate");
                    } else {
                        assertEquals(a[i], b[i], 1e-9 * Math.max(1, Math.abs(a[i])), k + "[" + i + "]");
                    }
                }
            }
        }
    }
}
