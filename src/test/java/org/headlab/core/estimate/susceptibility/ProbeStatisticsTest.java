package org.headlab.core.estimate.susceptibility;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.headlab.core.estimate.llc.LlcResult;
import org.headlab.core.estimate.llc.NormalCrossing;
import org.headlab.core.estimate.llc.SgldConfig;
import org.headlab.core.estimate.llc.SgldSampler;
import org.junit.jupiter.api.Test;

/**
 * Susceptibilities and the BIF from the sampler's draws, on the one model whose SGLD chain is known exactly: the
 * normal crossing with k = (1) is a linear regression y = w·x, its full-batch loss L(w) = L(m) + s_xx·(w − m)² with
 * m = s_xy/s_xx, so an SGLD step (γ 0) is the Gaussian AR(1) u' = ρ·u + √ε·ξ with u = w − m and ρ = 1 − ε·nβ·s_xx:
 * stationary u ~ N(0, v), v = ε/(1 − ρ²) (the discretised chain's own variance, not the posterior's). With
 * φ = L − L0 = s_xx·u² + const and the probe loss ℓ_i = (a_i − x_i·u)², a_i = y_i − m·x_i, Gaussian moments give
 * Cov(φ, L) = 2·s_xx²·v², Cov(φ, ℓ_i) = 2·s_xx·x_i²·v², so with the chains as their own reference
 * nβ·χ_i = nβ·Cov(φ, L − ℓ_i) = 2·nβ·s_xx·v²·(s_xx − x_i²), and Cov(ℓ_i, ℓ_j) = 4·a_i·x_i·a_j·x_j·v + 2·x_i²·x_j²·v².
 */
class ProbeStatisticsTest {
    private static final int PROBE = 8;

    private record Run(NormalCrossing model, ProbeStatistics stats, LlcResult result, SgldConfig cfg) {
    }

    /** One long run (10 chains × 20,000 draws: the sampled values land within about one standard error) for all. */
    private static Run shared;

    private static synchronized Run run() {
        if (shared == null) {
            shared = sample(true);
        }
        return shared;
    }

    private static Run sample(boolean keepTraces) {
        SgldConfig cfg = new SgldConfig(NormalCrossing.EPSILON, 0, SgldConfig.defaultNbeta(NormalCrossing.N), 1,
                10, 20000, 200, NormalCrossing.N, 1, 7, false);
        int[][] probe = new int[PROBE][];
        for (int i = 0; i < PROBE; i++) {
            probe[i] = new int[] {i};
        }
        ProbeStatistics stats = new ProbeStatistics(probe, cfg.chains(), keepTraces);
        try (NormalCrossing model = NormalCrossing.atOrigin(new int[] {1}, cfg.chains(), 11)) {
            LlcResult r = SgldSampler.sample(model, cfg, null, SgldSampler.Progress.NONE, stats);
            return new Run(model, stats, r, cfg);
        }
    }

    private static boolean[] all(int n) {
        boolean[] a = new boolean[n];
        Arrays.fill(a, true);
        return a;
    }

    @Test
    void susceptibilityAndBifMatchTheGaussianChainInClosedForm() {
        Run run = run();
        NormalCrossing m = run.model();
        int n = NormalCrossing.N;
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < n; i++) {
            sxx += m.input(i) * m.input(i) / n;
            sxy += m.input(i) * m.output(i) / n;
        }
        double mean = sxy / sxx;
        double eps = run.cfg().epsilon();
        double nbeta = run.cfg().nbeta();
        double rho = 1 - eps * nbeta * sxx;
        double v = eps / (1 - rho * rho);
        Susceptibility s = run.stats().susceptibility(nbeta, null, all(run.cfg().chains()));
        double scale = 2 * nbeta * sxx * sxx * v * v;
        for (int i = 0; i < PROBE; i++) {
            double x = m.input(i);
            double expected = 2 * nbeta * sxx * v * v * (sxx - x * x);
            assertTrue(s.se()[i] < 0.25 * scale, "the estimate resolves the value: se " + s.se()[i] + " vs " + scale);
            assertEquals(expected, s.chi()[i], 4 * s.se()[i] + 1e-3 * scale, "token " + i);
            assertEquals(s.chi()[i], nbeta * s.devinterp()[i], 1e-12 * scale, "headline = nβ × devinterp's");
        }
        double[][] bif = run.stats().bif(all(run.cfg().chains()));
        for (int i = 0; i < PROBE; i++) {
            double ai = m.output(i) - mean * m.input(i);
            double xi = m.input(i);
            for (int j = 0; j < PROBE; j++) {
                double aj = m.output(j) - mean * m.input(j);
                double xj = m.input(j);
                double cov = 4 * ai * xi * aj * xj * v + 2 * xi * xi * xj * xj * v * v;
                double vi = 4 * ai * ai * xi * xi * v + 2 * Math.pow(xi, 4) * v * v;
                double vj = 4 * aj * aj * xj * xj * v + 2 * Math.pow(xj, 4) * v * v;
                assertEquals(cov / Math.sqrt(vi * vj), bif[i][j], 0.05, "BIF " + i + "," + j);
            }
        }
    }

    /** The streamed sums against the kept traces, recomputed draw by draw in two passes (a second implementation). */
    @Test
    void streamedSumsEqualTheTracesRecomputedByBruteForce() {
        Run run = run();
        int chains = run.cfg().chains();
        double l0 = run.stats().initLoss();
        assertEquals(run.result().initLoss(), l0, 0.0);
        for (int c = 0; c < chains; c++) {
            double[] sampling = run.stats().samplingTrace(c);
            assertEquals(run.cfg().draws(), sampling.length);
            for (int d = 0; d < sampling.length; d++) {
                assertEquals(run.result().lossTrace()[c][d], sampling[d], 0.0, "the sampler's own loss trace");
            }
        }
        double[] perToken = BruteForceSusceptibility.devinterp(run.stats(), null, chains);
        Susceptibility s = run.stats().susceptibility(run.cfg().nbeta(), null, all(chains));
        for (int k = 0; k < PROBE; k++) {
            assertEquals(perToken[k], s.devinterp()[k], 1e-9 * Math.abs(perToken[k]) + 1e-15, "token " + k);
        }
        // and a reference gap given from outside is used as given
        double[] zero = new double[PROBE];
        Susceptibility noGap = run.stats().susceptibility(run.cfg().nbeta(), zero, all(chains));
        assertTrue(Math.abs(noGap.devinterp()[0] - s.devinterp()[0]) > 0, "Δ enters the estimate");
    }

    /**
     * The same brute-force check on a normal crossing whose chain is not Gaussian (K(w) = (w1·w2)², k = (1, 1): the
     * posterior sits on the two axes), where no closed form is at hand: streamed sums = two passes over the kept draws.
     */
    @Test
    void streamedSumsEqualBruteForceOnANonGaussianCrossing() {
        SgldConfig cfg = new SgldConfig(NormalCrossing.EPSILON, 0, SgldConfig.defaultNbeta(NormalCrossing.N), 1,
                4, 3000, 100, NormalCrossing.N, 1, 13, false);
        int[][] probe = new int[PROBE][];
        for (int i = 0; i < PROBE; i++) {
            probe[i] = new int[] {3 * i};
        }
        ProbeStatistics stats = new ProbeStatistics(probe, cfg.chains(), true);
        try (NormalCrossing model = NormalCrossing.atOrigin(new int[] {1, 1}, cfg.chains(), 5)) {
            SgldSampler.sample(model, cfg, null, SgldSampler.Progress.NONE, stats);
        }
        double[] brute = BruteForceSusceptibility.devinterp(stats, null, cfg.chains());
        Susceptibility s = stats.susceptibility(cfg.nbeta(), null, all(cfg.chains()));
        double scale = Arrays.stream(brute).map(Math::abs).max().orElseThrow();
        assertTrue(scale > 0, "the chains move the probe's losses");
        for (int k = 0; k < PROBE; k++) {
            assertEquals(brute[k], s.devinterp()[k], 1e-9 * scale, "token " + k);
        }
    }

    @Test
    void excludedChainsAreLeftOut() {
        Run run = run();
        boolean[] some = all(run.cfg().chains());
        some[3] = false;
        assertEquals(9, run.stats().susceptibility(run.cfg().nbeta(), null, some).chains());
        assertEquals(10, run.stats().susceptibility(run.cfg().nbeta(), null, all(10)).chains());
    }
}
