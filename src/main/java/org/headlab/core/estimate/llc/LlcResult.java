package org.headlab.core.estimate.llc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One LLC estimate with devinterp's result keys (estimators.md §2.5) and the diagnostics of §2.7. Arrays are
 * [chain][draw]; entries of a diverged chain from its divergence on are NaN, and the chain is excluded from every
 * mean and std. NaN becomes JSON null in {@link #toMap()}.
 *
 * @param llcMean mean over the included chains of λ̂_c = nβ·(mean_d L[c,d] − init_loss)
 * @param llcStd unbiased std of λ̂_c over included chains (NaN with fewer than 2)
 * @param llcPerChain λ̂_c per chain (NaN for excluded chains)
 * @param llcTrace the online trace nβ·(L[c,d] − init_loss)
 * @param llcMeans per-draw mean of the online trace over included chains
 * @param llcStds per-draw unbiased std over included chains
 * @param lossTrace L[c,d], the minibatch loss at the pre-step weights of each draw
 * @param initLoss mean loss of w* over the first init batches in dataset order
 * @param malaTrace MALA acceptance of the transition into draw d (column d−1) per chain; NaN where not filled
 * @param malaMean mean of the filled MALA entries of included chains
 * @param malaStd std of those entries
 * @param health loss-health diagnostics
 * @param convergence Geweke z per chain, Gelman–Rubin R̂ across chains and the verdict, on the loss traces
 * @param diverged the chains whose loss became NaN/Inf, with the draw where it happened
 * @param warnings human-readable warnings
 * @param params everything needed to reproduce the numbers
 */
public record LlcResult(double llcMean, double llcStd, double[] llcPerChain, double[][] llcTrace, double[] llcMeans,
        double[] llcStds, double[][] lossTrace, double initLoss, double[][] malaTrace, double malaMean,
        double malaStd, LossHealth health, Convergence convergence, List<Divergence> diverged, List<String> warnings,
        Map<String, Object> params) {

    /**
     * @param negativeFraction fraction of draws (included chains) with loss below the init loss
     * @param noise std over chains of the draw-0 losses (minibatch noise at w*)
     * @param negativeBeyondNoiseFraction fraction of draws with loss below init_loss − noise
     * @param meanZ mean of (loss − init_loss)/noise over draws
     */
    public record LossHealth(double negativeFraction, double noise, double negativeBeyondNoiseFraction,
            double meanZ) {
    }

    /**
     * @param chain the chain index
     * @param iteration the SGLD iteration (0-based, burn-in included) whose loss was not finite
     * @param draw the draw index (iteration − burn-in; negative during burn-in)
     */
    public record Divergence(int chain, int iteration, int draw) {
    }

    /** Whether this estimate resolved anything ({@link LlcResolution}), from its loss traces and settings. */
    public LlcResolution resolution() {
        boolean[] included = new boolean[llcPerChain.length];
        for (int c = 0; c < included.length; c++) {
            included[c] = Double.isFinite(llcPerChain[c]);
        }
        return LlcResolution.of(llcMean, lossTrace, included, initLoss,
                ((Number) params.get("num_init_loss_batches")).intValue(), ((Number) params.get("nbeta")).doubleValue());
    }

    public int includedChains() {
        return llcPerChain.length - diverged.size();
    }

    /** The result under devinterp's keys plus diagnostics; NaN becomes null. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(LlcMetrics.MEAN, num(llcMean));
        m.put(LlcMetrics.STD, num(llcStd));
        for (int c = 0; c < llcPerChain.length; c++) {
            m.put("llc-chain/" + c, num(llcPerChain[c]));
        }
        m.put("llc/means", list(llcMeans));
        m.put("llc/stds", list(llcStds));
        m.put("llc/trace", list(llcTrace));
        m.put("loss/trace", list(lossTrace));
        m.put("init_loss", num(initLoss));
        if (malaTrace != null) {
            m.put("mala_accept/mean", num(malaMean));
            m.put("mala_accept/std", num(malaStd));
            m.put("mala_accept/trace", list(malaTrace));
        }
        m.put("loss/negative_fraction", num(health.negativeFraction()));
        m.put("loss/noise", num(health.noise()));
        m.put("loss/negative_beyond_noise_fraction", num(health.negativeBeyondNoiseFraction()));
        m.put("loss/mean_z", num(health.meanZ()));
        m.put("convergence/geweke_z", list(convergence.gewekeZ()));
        m.put("convergence/rhat", num(convergence.rHat()));
        m.put("convergence/converged", convergence.converged());
        m.put("convergence/reason", convergence.reason());
        LlcResolution res = resolution();
        m.put(LlcMetrics.SE, num(res.standardError()));
        m.put(LlcMetrics.SE_INIT, num(res.initError()));
        m.put("resolution/verdict", res.verdict().words);
        m.put("resolution/sentence", res.sentence());
        List<Map<String, Object>> div = new ArrayList<>();
        for (Divergence d : diverged) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("chain", d.chain());
            row.put("iteration", d.iteration());
            row.put("draw", d.draw());
            div.add(row);
        }
        m.put("diverged", div);
        m.put("warnings", warnings);
        m.put("params", params);
        return m;
    }

    static Double num(double v) {
        return Double.isFinite(v) ? v : null;
    }

    static List<Double> list(double[] a) {
        List<Double> l = new ArrayList<>(a.length);
        for (double v : a) {
            l.add(num(v));
        }
        return l;
    }

    static List<List<Double>> list(double[][] a) {
        List<List<Double>> l = new ArrayList<>(a.length);
        for (double[] r : a) {
            l.add(list(r));
        }
        return l;
    }
}
