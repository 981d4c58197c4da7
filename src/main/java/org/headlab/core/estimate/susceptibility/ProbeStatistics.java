package org.headlab.core.estimate.susceptibility;

import java.util.ArrayList;
import java.util.List;
import org.headlab.core.estimate.llc.SgldSampler;

/**
 * What the draws of one SGLD estimate say about a fixed probe (ADR 0011, estimators.md §13): per chain, streaming
 * sums for the susceptibility, and optionally the whole traces for the BIF and for checks.
 *
 * <p>Notation per chain c and draw d: L̄ the draw's minibatch loss, L0 the init loss, φ = L̄ − L0, ℓ_k the loss of
 * probe token k, D_k = L̄ − ℓ_k. Kept per chain: n, Σφ, ΣD_k, Σφ·D_k (O(tokens) memory). devinterp's
 * susceptibility of the sampled component to token k (appendix C.4 of arXiv 2504.18274 as devinterp 2.0 computes it)
 * is χ_k = E[φ·D_k] − E[φ]·Δ_k with Δ_k = E_ref[D_k] from a reference run (the full model's chains; or these same
 * chains pooled, which makes χ_k the covariance of φ and D_k). HeadLab reports nβ·χ_k per chain and their mean over
 * chains with its standard error: the derivative of the component's expected φ when token k is up-weighted in the
 * tempered posterior, −nβ·Cov(φ, ℓ_k − L̄).
 */
public final class ProbeStatistics implements SgldSampler.ProbeRecorder {
    private final int[][] probe;
    private final int chains;
    private final boolean keepTraces;
    private double initLoss = Double.NaN;
    private int tokens = -1;
    private final long[] n;
    private final double[] sumPhi;
    private double[][] sumD;
    private double[][] sumPhiD;
    private final List<List<Double>> samplingTrace = new ArrayList<>();
    private final List<List<double[]>> tokenTrace = new ArrayList<>();

    /** A recorder for {@code chains} chains on {@code probe}; {@code keepTraces}: also keep every draw (BIF). */
    public ProbeStatistics(int[][] probe, int chains, boolean keepTraces) {
        this.probe = probe;
        this.chains = chains;
        this.keepTraces = keepTraces;
        n = new long[chains];
        sumPhi = new double[chains];
        for (int c = 0; c < chains; c++) {
            samplingTrace.add(new ArrayList<>());
            tokenTrace.add(new ArrayList<>());
        }
    }

    @Override
    public int[][] probe() {
        return probe;
    }

    @Override
    public void start(double initLoss) {
        this.initLoss = initLoss;
    }

    @Override
    public void record(int chain, double samplingLoss, double[] tokenLosses) {
        if (tokens < 0) {
            tokens = tokenLosses.length;
            sumD = new double[chains][tokens];
            sumPhiD = new double[chains][tokens];
        }
        double phi = samplingLoss - initLoss;
        n[chain]++;
        sumPhi[chain] += phi;
        double[] d = sumD[chain];
        double[] pd = sumPhiD[chain];
        for (int k = 0; k < tokens; k++) {
            double gap = samplingLoss - tokenLosses[k];
            d[k] += gap;
            pd[k] += phi * gap;
        }
        if (keepTraces) {
            samplingTrace.get(chain).add(samplingLoss);
            tokenTrace.get(chain).add(tokenLosses.clone());
        }
    }

    /** Probe tokens per draw (0 before the first draw). */
    public int tokens() {
        return Math.max(0, tokens);
    }

    public double initLoss() {
        return initLoss;
    }

    /** Δ_k = E[L̄ − ℓ_k] over the draws of the included chains pooled: the reference gap of a full-model run. */
    public double[] meanGap(boolean[] included) {
        double[] gap = new double[tokens()];
        long count = 0;
        for (int c = 0; c < chains; c++) {
            if (included[c] && n[c] > 0) {
                count += n[c];
                for (int k = 0; k < gap.length; k++) {
                    gap[k] += sumD[c][k];
                }
            }
        }
        for (int k = 0; k < gap.length; k++) {
            gap[k] = count == 0 ? Double.NaN : gap[k] / count;
        }
        return gap;
    }

    /**
     * The susceptibility of every probe token, from the included chains; {@code referenceGap} is Δ from the
     * reference run ({@link #meanGap} of the full model's statistics), or null to take it from these chains.
     */
    public Susceptibility susceptibility(double nbeta, double[] referenceGap, boolean[] included) {
        double[] gap = referenceGap != null ? referenceGap : meanGap(included);
        if (gap.length != tokens()) {
            throw new IllegalArgumentException("reference gap over " + gap.length + " tokens, probe has " + tokens());
        }
        List<double[]> perChain = new ArrayList<>();
        for (int c = 0; c < chains; c++) {
            if (!included[c] || n[c] == 0) {
                continue;
            }
            double ePhi = sumPhi[c] / n[c];
            double[] chi = new double[gap.length];
            for (int k = 0; k < chi.length; k++) {
                chi[k] = sumPhiD[c][k] / n[c] - ePhi * gap[k];
            }
            perChain.add(chi);
        }
        return Susceptibility.of(perChain, nbeta);
    }

    /** Chain c's minibatch losses, one per recorded draw (traces kept only). */
    public double[] samplingTrace(int chain) {
        requireTraces();
        return samplingTrace.get(chain).stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Chain c's probe losses, [draw][token] (traces kept only). */
    public double[][] tokenTrace(int chain) {
        requireTraces();
        return tokenTrace.get(chain).toArray(new double[0][]);
    }

    /**
     * The token-wise Bayesian influence function (arXiv 2509.26544): the Pearson correlation between the loss traces
     * of every pair of probe tokens over the draws of the included chains stacked, [token][token]. A token whose loss
     * never moves has NaN correlations.
     */
    public double[][] bif(boolean[] included) {
        requireTraces();
        List<double[]> rows = new ArrayList<>();
        for (int c = 0; c < chains; c++) {
            if (included[c]) {
                rows.addAll(tokenTrace.get(c));
            }
        }
        int k = tokens();
        int m = rows.size();
        double[] mean = new double[k];
        for (double[] r : rows) {
            for (int j = 0; j < k; j++) {
                mean[j] += r[j] / m;
            }
        }
        double[][] centred = new double[m][k];
        double[] norm = new double[k];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < k; j++) {
                double v = rows.get(i)[j] - mean[j];
                centred[i][j] = v;
                norm[j] += v * v;
            }
        }
        double[][] corr = new double[k][k];
        for (int a = 0; a < k; a++) {
            for (int b = a; b < k; b++) {
                double s = 0;
                for (int i = 0; i < m; i++) {
                    s += centred[i][a] * centred[i][b];
                }
                double r = s / Math.sqrt(norm[a] * norm[b]);
                corr[a][b] = r;
                corr[b][a] = r;
            }
        }
        return corr;
    }

    private void requireTraces() {
        if (!keepTraces) {
            throw new IllegalStateException("traces were not kept for this estimate");
        }
    }
}
