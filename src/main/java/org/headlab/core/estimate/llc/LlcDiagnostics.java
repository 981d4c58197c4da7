package org.headlab.core.estimate.llc;

import java.util.Map;
import org.headlab.core.estimate.EstimatorResult;

/**
 * One stored rLLC result read back as what the SGLD diagnostics (the workbench's SGLD tab) draw: the [chain][draw] loss and λ̂ traces
 * (stored flattened, row-major), the init loss, the per-draw mean and std of λ̂, MALA acceptance and the loss-health
 * values. Reads the {@code llc} estimator's metric names and, where those are absent, devinterp's (the keys of
 * {@code llc --json} that a store can hold: {@code loss/trace}, {@code mala_accept/mean}, …), so either writer's
 * results show. A value the result does not have is NaN.
 *
 * @param variant the parameters (and slice) it was computed with, as the store's key names them
 */
public record LlcDiagnostics(String variant, int chains, int draws, double[][] lossTrace, double[][] llcTrace,
        double[] llcMeans, double[] llcStds, double[] chainMeans, double initLoss, double llcMean, double llcStd,
        double malaMean, double malaStd, double negativeFraction, double noise, double negativeBeyondNoiseFraction,
        double meanZ, double divergedChains, double windows, double windowLength, long elapsedMillis,
        String verdict) {

    /**
     * The diagnostics of an llc result as stored: {@code variant} and {@code params} are its key's (the store's
     * variant name and canonical parameters), {@code elapsedMillis} its compute time. Throws
     * IllegalArgumentException when it has no loss trace.
     */
    public static LlcDiagnostics of(String variant, String params, EstimatorResult r, long elapsedMillis) {
        double[] loss = array(r, "llc/loss_trace", "loss/trace");
        if (loss == null) {
            throw new IllegalArgumentException("the stored result has no loss trace (llc/loss_trace)");
        }
        double[] llc = array(r, "llc/trace", "llc/trace");
        int chains = (int) number(r, LlcMetrics.NUM_CHAINS, LlcMetrics.NUM_CHAINS);
        if (Double.isNaN(number(r, LlcMetrics.NUM_CHAINS, LlcMetrics.NUM_CHAINS))) {
            double[] perChain = array(r, "llc/chain_means", "llc/chain_means");
            chains = perChain != null ? perChain.length : 1;
        }
        chains = Math.max(1, chains);
        int draws = loss.length / chains;
        return new LlcDiagnostics(variant, chains, draws, rows(loss, chains, draws),
                llc == null ? null : rows(llc, chains, draws), array(r, "llc/means", "llc/means"),
                array(r, "llc/stds", "llc/stds"), array(r, "llc/chain_means", "llc/chain_means"),
                number(r, LlcMetrics.INIT_LOSS, LlcMetrics.INIT_LOSS), number(r, LlcMetrics.MEAN, LlcMetrics.MEAN),
                number(r, LlcMetrics.STD, LlcMetrics.STD), number(r, "llc/mala_accept_mean", "mala_accept/mean"),
                number(r, "llc/mala_accept_std", "mala_accept/std"),
                number(r, "llc/loss_negative_fraction", "loss/negative_fraction"),
                number(r, "llc/loss_noise", "loss/noise"),
                number(r, "llc/loss_negative_beyond_noise_fraction", "loss/negative_beyond_noise_fraction"),
                number(r, "llc/loss_mean_z", "loss/mean_z"), number(r, "llc/diverged_chains", "llc/diverged_chains"),
                number(r, "llc/windows", "llc/windows"), number(r, "llc/window_length", "llc/window_length"),
                elapsedMillis, LlcResolution.ofStored(r, params).map(LlcResolution::sentence).orElse(""));
    }

    /** Whether a result carries the traces the diagnostics are read from. */
    public static boolean hasTraces(EstimatorResult r) {
        Map<String, ?> m = r.metrics();
        return m.containsKey("llc/loss_trace") || m.containsKey("loss/trace");
    }

    private static double[] array(EstimatorResult r, String key, String alternative) {
        for (String k : new String[] {key, alternative}) {
            var n = r.metrics().get(k);
            if (n != null && n.isArray()) {
                return r.array(k);
            }
        }
        return null;
    }

    private static double number(EstimatorResult r, String key, String alternative) {
        for (String k : new String[] {key, alternative}) {
            var n = r.metrics().get(k);
            if (n != null && (n.isNumber() || n.isTextual())) {
                return r.number(k);
            }
        }
        return Double.NaN;
    }

    private static double[][] rows(double[] flat, int chains, int draws) {
        double[][] out = new double[chains][draws];
        for (int c = 0; c < chains; c++) {
            System.arraycopy(flat, c * draws, out[c], 0, draws);
        }
        return out;
    }
}
