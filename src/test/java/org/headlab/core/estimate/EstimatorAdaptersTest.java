package org.headlab.core.estimate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.headlab.core.estimate.ablation.Ablation;
import org.headlab.core.estimate.ablation.AblationResult;
import org.headlab.core.estimate.ablation.AblationScores;
import org.headlab.core.estimate.composition.CompositionScores;
import org.headlab.core.estimate.llc.LlcData;
import org.headlab.core.estimate.llc.LlcEstimator;
import org.headlab.core.estimate.llc.LlcResult;
import org.headlab.core.estimate.llc.SgldConfig;
import org.headlab.core.estimate.patterns.PatternScores;
import org.headlab.core.jobs.CancellationToken;
import org.headlab.core.model.ParameterMask;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.session.RunSession;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each SPI adapter stores exactly what a direct call of its estimator computes on the same inputs, the inputs
 * being built on an independent path (the CLI's {@link EstimatorInputs}, {@link LlcData#fromRun}, hand-written
 * configurations) rather than through the adapter.
 */
class EstimatorAdaptersTest {
    static final int STEP = 100;

    @TempDir
    Path tmp;

    private EstimatorResult evaluate(RunSession session, String id, Target target, Map<String, String> params,
            CancellationToken cancel) {
        Estimator e = EstimatorRegistry.standard().get(id);
        DatasetSlices slices = new DatasetSlices(session);
        String ds = e.usesDataset() ? "train" : "";
        String hash = e.usesDataset() ? slices.slice("train").hash() : "";
        TaskSpec task = new TaskSpec(id, STEP, session.run().contentHash(STEP), target, e.parameters().parse(params),
                ds, hash);
        EstimatorContext ctx = new EstimatorContext(session, slices);
        try (ctx) {
            return e.evaluate(ctx, task, cancel);
        } finally {
            assertTrue(ctx.nativeMemoryFreed());
        }
    }

    static final Map<String, String> SMALL_LLC = Map.of("chains", "2", "draws", "6", "batch", "4", "init_batches",
            "2", "seed", "3", "epsilon", "0.002");

    static SgldConfig smallLlc() {
        return SgldConfig.paper().withChains(2).withDraws(6).withBatchSize(4).withInitBatches(2).withSeed(3)
                .withEpsilon(0.002);
    }

    @Test
    void llcOfAHeadAndOfTheFullModelEqualDirectCalls() {
        try (RunSession session = RunSession.open(FixtureRuns.brackets(tmp, "run"))) {
            ModelConfig c = session.run().config();
            LlcData data = LlcData.fromRun(session, "train");
            for (boolean full : new boolean[] {false, true}) {
                EstimatorResult r = full
                        ? evaluate(session, "llc_full", Target.model(), SMALL_LLC, CancellationToken.none())
                        : evaluate(session, "llc", Target.of(new Head(1, 2)), SMALL_LLC, CancellationToken.none());
                ParameterMask mask = full ? ParameterMask.full(c) : ParameterMask.head(c, 1, 2, false);
                LlcResult d = LlcEstimator.estimate(c, session.run().weights(STEP), mask, data, smallLlc(),
                        () -> false);
                assertEquals(d.llcMean(), r.number("llc/mean"), 1e-12);
                assertEquals(d.llcStd(), r.number("llc/std"), 1e-12);
                assertEquals(d.initLoss(), r.number("llc/init_loss"), 1e-12);
                assertArrayEquals(d.llcPerChain(), r.array("llc/chain_means"), 1e-12);
                assertArrayEquals(d.llcTrace()[1], java.util.Arrays.copyOfRange(r.array("llc/trace"), 6, 12), 1e-12);
                assertEquals(64, (long) r.number("llc/window_length"), "windows of n_ctx");
                assertEquals(2, (long) r.number("llc/num_chains"));
            }
        }
    }

    @Test
    void aCancelledLlcTaskThrowsAndFreesItsMemory() {
        try (RunSession session = RunSession.open(FixtureRuns.brackets(tmp, "run"))) {
            CancellationToken token = CancellationToken.create();
            token.cancel();
            assertThrows(CancellationToken.CancelledException.class,
                    () -> evaluate(session, "llc", Target.of(new Head(0, 0)), SMALL_LLC, token));
        }
    }

    @Test
    void ablationEqualsADirectCallOnTheCliSlice() {
        try (RunSession session = RunSession.open(FixtureRuns.brackets(tmp, "run"))) {
            int[][] slice = EstimatorInputs.slice(session, "train", 64, 7);
            assertEquals(3, slice.length, "the 3 fixture strings, one per 7-token window");
            for (String kind : new String[] {"zero", "mean", "resample"}) {
                EstimatorResult r = evaluate(session, "ablation", Target.of(new Head(1, 3)),
                        Map.of("kind", kind, "seed", "5", "length", "7"), CancellationToken.none());
                Ablation a = switch (kind) {
                    case "zero" -> new Ablation.Zero();
                    case "mean" -> new Ablation.Mean(null);
                    default -> new Ablation.Resample(5);
                };
                AblationResult d;
                try (Transformer m = Transformer.create(session.run().config(), session.run().weights(STEP))) {
                    d = AblationScores.compute(m, slice, List.of(new Head(1, 3)), a, 2);
                }
                String k = "ablation/" + kind + "/";
                assertEquals(d.entries().get(0).delta(), r.number(k + "delta_loss"), 1e-6, kind);
                assertEquals(d.entries().get(0).normalized(), r.number(k + "normalized"), 1e-6, kind);
                assertEquals(d.entries().get(0).ablatedLoss(), r.number(k + "loss"), 1e-6, kind);
                assertEquals(d.cleanLoss(), r.number(k + "clean_loss"), 1e-6, kind);
            }
        }
    }

    @Test
    void compositionEqualsADirectCallInTheTransformerLensLayout() {
        try (RunSession session = RunSession.open(FixtureRuns.brackets(tmp, "run"))) {
            ModelConfig c = session.run().config();
            EstimatorResult r = evaluate(session, "composition", Target.model(), Map.of("baseline_draws", "20",
                    "seed", "1"), CancellationToken.none());
            CompositionScores.Result d = CompositionScores.compute(c, session.run().weights(STEP));
            CompositionScores.Baselines b = CompositionScores.randomBaseline(c, 20, 1);
            int nl = c.nLayers();
            int nh = c.nHeads();
            double[] q = r.array("composition/q");
            double[] k = r.array("composition/k");
            double[] v = r.array("composition/v");
            assertEquals(nl * nh * nl * nh, q.length);
            for (int l1 = 0; l1 < nl; l1++) {
                for (int h1 = 0; h1 < nh; h1++) {
                    for (int l2 = 0; l2 < nl; l2++) {
                        for (int h2 = 0; h2 < nh; h2++) {
                            int i = ((l1 * nh + h1) * nl + l2) * nh + h2;
                            assertEquals(d.q()[l1][h1][l2][h2], q[i], 0, "q " + i);
                            assertEquals(d.k()[l1][h1][l2][h2], k[i], 0, "k " + i);
                            assertEquals(d.v()[l1][h1][l2][h2], v[i], 0, "v " + i);
                        }
                    }
                }
            }
            assertEquals(b.q().mean(), r.number("composition/baseline_q_mean"), 0);
            assertEquals(b.v().std(), r.number("composition/baseline_v_std"), 0);
        }
    }

    @Test
    void patternsEqualADirectCallOnTheCliData() {
        try (RunSession session = RunSession.open(FixtureRuns.brackets(tmp, "run"))) {
            EstimatorResult r = evaluate(session, "patterns", Target.model(), Map.of("sequences", "8", "length",
                    "7", "seed", "2"), CancellationToken.none());
            int[][] text = EstimatorInputs.slice(session, "train", 8, 7);
            PatternScores.Result d;
            try (Transformer m = Transformer.create(session.run().config(), session.run().weights(STEP))) {
                d = PatternScores.compute(m, EstimatorInputs.patterns(session, text, 8, 2, null).data());
            }
            int nh = session.run().config().nHeads();
            double[][][] direct = {d.previousToken(), d.currentToken(), d.induction(), d.bracketMatching(),
                d.depthTracking(), d.multigram()};
            String[] keys = {"previous_token", "current_token", "induction", "bracket_matching", "depth_tracking",
                "multigram"};
            for (int s = 0; s < keys.length; s++) {
                double[] got = r.array("patterns/" + keys[s]);
                for (int l = 0; l < direct[s].length; l++) {
                    for (int h = 0; h < nh; h++) {
                        assertEquals(direct[s][l][h], got[l * nh + h], 1e-9, keys[s] + " " + l + ":" + h);
                    }
                }
            }
            assertTrue(Double.isFinite(r.array("patterns/bracket_matching")[0]), "the fixture has brackets");
        }
    }
}
