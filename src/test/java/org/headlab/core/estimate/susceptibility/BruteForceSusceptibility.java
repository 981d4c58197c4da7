package org.headlab.core.estimate.susceptibility;

import java.util.Arrays;

/**
 * The susceptibility recomputed from a {@link ProbeStatistics}' kept traces draw by draw, in two plain passes (first
 * the means, then the covariances): the second implementation that the streamed sums of {@link ProbeStatistics} are
 * checked against, by every test that keeps traces.
 */
public final class BruteForceSusceptibility {
    private BruteForceSusceptibility() {
    }

    /**
     * devinterp's per-token value, χ_k/nβ = mean over chains of E[φ·(L − ℓ_k)] − E[φ]·Δ_k with φ = L − L0, from the
     * traces of the first {@code chains} chains.
     *
     * @param gap Δ given from outside, or null for the gap pooled over every draw of these chains
     */
    public static double[] devinterp(ProbeStatistics stats, double[] gap, int chains) {
        int k = stats.tokens();
        double l0 = stats.initLoss();
        double[] delta = gap;
        if (delta == null) {
            delta = new double[k];
            int count = 0;
            for (int c = 0; c < chains; c++) {
                double[] sampling = stats.samplingTrace(c);
                double[][] tokens = stats.tokenTrace(c);
                for (int d = 0; d < sampling.length; d++) {
                    for (int t = 0; t < k; t++) {
                        delta[t] += sampling[d] - tokens[d][t];
                    }
                    count++;
                }
            }
            for (int t = 0; t < k; t++) {
                delta[t] /= count;
            }
        }
        double[] perToken = new double[k];
        for (int c = 0; c < chains; c++) {
            double[] sampling = stats.samplingTrace(c);
            double[][] tokens = stats.tokenTrace(c);
            double phiMean = Arrays.stream(sampling).map(x -> x - l0).average().orElseThrow();
            for (int t = 0; t < k; t++) {
                double e = 0;
                for (int d = 0; d < sampling.length; d++) {
                    e += (sampling[d] - l0) * (sampling[d] - tokens[d][t]) / sampling.length;
                }
                perToken[t] += (e - phiMean * delta[t]) / chains;
            }
        }
        return perToken;
    }
}
