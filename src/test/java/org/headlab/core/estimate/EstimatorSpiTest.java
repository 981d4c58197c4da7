package org.headlab.core.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.loss.LossEstimator;
import org.headlab.core.jobs.CancellationToken;
import org.headlab.core.model.Transformer;
import org.headlab.core.session.RunSession;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parameters make canonical keys; the loss estimator agrees with the model's own loss; task memory is freed. */
class EstimatorSpiTest {
    @TempDir
    Path tmp;

    static final Parameter<Double> LR = Parameter.real("lr", 1e-4, 0, 1, "step size");
    static final Parameter<Integer> CHAINS = Parameter.integer("num_chains", 4, 1, 64, "chains");
    static final Parameter<String> KIND = Parameter.choice("kind", "zero", List.of("zero", "mean"), "ablation");
    static final ParameterSet SET = ParameterSet.of(LR, CHAINS, KIND);

    @Test
    void canonicalJsonIsSortedAndTheSameHoweverAValueIsWritten() {
        String defaults = SET.defaults().canonicalJson();
        assertEquals("{\"kind\":\"zero\",\"lr\":1.0E-4,\"num_chains\":4}", defaults);
        assertEquals(defaults, SET.parse(Map.of("lr", "0.0001")).canonicalJson());
        assertEquals(defaults, SET.parse(Map.of("lr", "1e-4", "num_chains", "4")).canonicalJson());
        assertEquals(defaults, SET.values(Map.of("lr", 1e-4, "num_chains", 4L))
                .canonicalJson());
        assertNotEquals(defaults, SET.parse(Map.of("lr", "2e-4")).canonicalJson());
        assertEquals(SET.parse(Map.of("lr", "0")), SET.parse(Map.of("lr", "-0.0")));
    }

    @Test
    void badValuesAndUnknownNamesAreRefusedWithTheRule() {
        HeadLabException range = assertThrows(HeadLabException.class, () -> SET.parse(Map.of("num_chains", "0")));
        assertTrue(range.getMessage().contains("num_chains") && range.getMessage().contains("1..64"),
                range.getMessage());
        assertThrows(HeadLabException.class, () -> SET.parse(Map.of("num_chains", "2.5")));
        assertThrows(HeadLabException.class, () -> SET.parse(Map.of("kind", "resample")));
        HeadLabException unknown = assertThrows(HeadLabException.class, () -> SET.parse(Map.of("steps", "3")));
        assertTrue(unknown.getMessage().contains("known: lr, num_chains, kind"), unknown.getMessage());
    }

    @Test
    void metricKeysMustBeNamespaced() {
        assertThrows(IllegalArgumentException.class, () -> EstimatorResult.builder().put("mean", 1.0));
        assertEquals("{\"llc/mean\":1.5,\"llc/trace\":[1.0,\"NaN\"]}", EstimatorResult.builder()
                .put("llc/trace", new double[] {1, Double.NaN}).put("llc/mean", 1.5).build().toJson());
    }

    @Test
    void lossEqualsTheModelsOwnLossAndFreesItsNativeMemory() {
        Path run = FixtureRuns.brackets(tmp, "run");
        try (RunSession session = RunSession.open(run)) {
            DatasetSlices slices = new DatasetSlices(session);
            LossEstimator loss = new LossEstimator();
            DatasetSlices.Slice train = slices.slice("train");
            TaskSpec task = new TaskSpec("loss", 100, session.run().contentHash(100), Target.model(),
                    loss.parameters().defaults(), "train", train.hash());
            EstimatorContext ctx = new EstimatorContext(session, slices);
            EstimatorResult r;
            try (ctx) {
                r = loss.evaluate(ctx, task, CancellationToken.none());
            }
            assertTrue(ctx.nativeMemoryFreed());
            double expected;
            try (Transformer m = Transformer.create(session.run().config(), session.run().weights(100))) {
                // independent path: the model's own mean loss on the slice's n_ctx windows
                expected = m.loss(train.windows().toArray(int[][]::new));
            }
            assertEquals(expected, r.number("loss/mean"), 1e-6);
            // 3 documents of 7 tokens packed into one window of n_ctx = 64 (read cyclically)
            assertEquals(1, train.windows().size());
            assertEquals(64, train.windowLength());
            assertEquals(63, (long) r.number("loss/tokens"));
            assertEquals(1, r.array("loss/per_window").length);
        }
    }

    @Test
    void aCancelledTaskStopsAndItsMemoryIsFreedToo() {
        Path run = FixtureRuns.brackets(tmp, "run");
        try (RunSession session = RunSession.open(run)) {
            DatasetSlices slices = new DatasetSlices(session);
            LossEstimator loss = new LossEstimator();
            TaskSpec task = new TaskSpec("loss", 0, session.run().contentHash(0), Target.model(),
                    loss.parameters().defaults(), "train", slices.slice("train").hash());
            CancellationToken token = CancellationToken.create();
            token.cancel();
            EstimatorContext ctx = new EstimatorContext(session, slices);
            try (ctx) {
                assertThrows(CancellationToken.CancelledException.class, () -> loss.evaluate(ctx, task, token));
                assertTrue(!ctx.nativeMemoryFreed(), "the model was built before the first checkpoint");
            }
            assertTrue(ctx.nativeMemoryFreed());
        }
    }

    @Test
    void theRegistryFindsTheShippedEstimatorsAndNamesTheChoicesOnATypo() {
        EstimatorRegistry r = EstimatorRegistry.standard();
        assertEquals(Scope.MODEL, r.get("loss").scope());
        assertEquals(Scope.HEAD, r.get("weight_norm").scope());
        HeadLabException e = assertThrows(HeadLabException.class, () -> r.get("los"));
        assertTrue(e.getMessage().contains("available: ablation, composition, fisher_trace, hessian_rank, hessian_trace, llc, llc_full, loss, patterns, susceptibility, weight_norm"), e.getMessage());
    }
}
