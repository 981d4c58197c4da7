package org.headlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.curvature.FisherTrace;
import org.headlab.core.estimate.curvature.HessianSpectrum;
import org.headlab.core.estimate.curvature.HessianTrace;
import org.headlab.core.estimate.curvature.MaskedGradient;
import org.headlab.core.model.ParameterMask;
import org.headlab.core.session.RunSession;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hessian_trace and fisher_trace estimators through a sweep and the store: the stored trace is HessianTrace's on the slice's first
 * windows with the same probes and seed, computed here directly (the wiring adds nothing and loses nothing).
 */
class CurvatureCliTest {
    @TempDir
    Path tmp;

    @Test
    void aSweptHessianTraceIsStoredAndEqualsTheDirectEstimate() throws Exception {
        Path run = FixtureRuns.brackets(tmp, "run");
        CliTest.Result s = CliTest.cli("sweep", run.toString(), "--estimators", "hessian_trace,fisher_trace,hessian_rank",
                "--steps", "100", "--heads", "1:2", "--workers", "1", "--no-progress", "-p", "hessian_trace.probes=12",
                "-p", "hessian_trace.sequences=3", "-p", "hessian_trace.tol=0", "-p", "fisher_trace.sequences=3",
                "-p", "hessian_rank.probes=1", "-p", "hessian_rank.steps=6", "-p", "hessian_rank.sequences=3");
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().contains("3 tasks: 3 computed"), s.out());
        JsonNode rows = CliTest.json(CliTest.cli("results", run.toString(), "--estimator", "hessian_trace", "--json")
                .out());
        assertEquals(1, rows.size());
        JsonNode m = rows.get(0).get("metrics");
        assertEquals(12, m.get("hessian_trace/probes").asInt());
        try (RunSession session = RunSession.open(run)) {
            DatasetSlices.Slice slice = new DatasetSlices(session).slice(new DatasetSlices(session).defaultSlice());
            MaskedGradient g = new MaskedGradient(session.run().config(), session.run().weights(100),
                    ParameterMask.head(session.run().config(), 1, 2, false), slice.windowArray(slice.windowLength(),
                    3));
            // the product the estimators take (the head path for one head: HessianTraceTest checks it against the
            // whole model's differences and the double backward); here the pipeline around it
            MaskedGradient.HessianProduct product = g.hessianProduct(HessianTrace.DEFAULT_STEP);
            java.util.function.UnaryOperator<double[]> hv = product::times;
            HessianTrace.Result direct = HessianTrace.hutchinson(hv, g.size(), 12, 0, 0, () -> false);
            assertEquals(direct.trace(), m.get("hessian_trace/mean").asDouble(), 1e-12);
            assertEquals(direct.standardError(), m.get("hessian_trace/std").asDouble(), 1e-12);
            assertEquals(g.size(), m.get("hessian_trace/coordinates").asInt());
            JsonNode fisher = CliTest.json(CliTest.cli("results", run.toString(), "--estimator", "fisher_trace",
                    "--json").out()).get(0).get("metrics");
            FisherTrace.Result f = FisherTrace.empirical(session.run().config(), session.run().weights(100),
                    ParameterMask.head(session.run().config(), 1, 2, false), slice.windowArray(slice.windowLength(),
                    3), () -> false);
            assertEquals(f.trace(), fisher.get("fisher_trace/mean").asDouble(), 1e-12);
            JsonNode rank = CliTest.json(CliTest.cli("results", run.toString(), "--estimator", "hessian_rank",
                    "--json").out()).get(0).get("metrics");
            HessianSpectrum.Result sp = HessianSpectrum.lanczos(hv, g.size(), 1, 6, 1e-3, 1e-2, 0, () -> false);
            assertEquals(sp.topEigenvalue(), rank.get("hessian_rank/top_eigenvalue").asDouble(), 1e-12);
            assertEquals(sp.rankAboveThreshold(), rank.get("hessian_rank/rank_fixed").asDouble(), 1e-12);
            product.close();
        }
    }
}
