package org.headlab.core.estimate.susceptibility;

import com.fasterxml.jackson.databind.JsonNode;
import org.headlab.core.estimate.EstimatorResult;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.llc.LlcMetrics;

/**
 * A stored susceptibility estimate read back (the typed reader of {@link SusceptibilityMetrics}): the head, the
 * probe's windows, and per probe token χ with its standard error; token k is window k / (T−1), predicting position
 * k mod (T−1) + 1 of it.
 */
public record StoredSusceptibility(Head head, String dataset, String params, double[] chi, double[] se,
        int[] probeRows, int[][] probeTokens, double llc) {

    /** Predicted positions per probe window (T − 1). */
    public int tokensPerWindow() {
        return probeTokens.length == 0 ? 0 : probeTokens[0].length - 1;
    }

    /** Whether |χ_k| exceeds twice its standard error. */
    public boolean resolved(int k) {
        return Math.abs(chi[k]) > 2 * se[k];
    }

    /** The estimate stored for {@code head} on {@code dataset} with {@code params} (a result key's fields). */
    public static StoredSusceptibility of(Head head, String dataset, String params, EstimatorResult r) {
        var m = r.metrics();
        double[] chi = doubles(m.get(SusceptibilityMetrics.CHI));
        double[] rowsD = doubles(m.get(SusceptibilityMetrics.PROBE_ROWS));
        double[] tokensD = doubles(m.get(SusceptibilityMetrics.PROBE_TOKENS));
        int windows = rowsD.length;
        if (windows == 0 || tokensD.length % windows != 0 || chi.length != tokensD.length - windows) {
            throw new org.headlab.core.HeadLabException("stored susceptibility of head " + head + " is malformed: " + chi.length + " values for " + windows + " windows of "
                    + (windows == 0 ? 0 : tokensD.length / windows) + " tokens");
        }
        int t = tokensD.length / windows;
        int[][] tokens = new int[windows][t];
        for (int w = 0; w < windows; w++) {
            for (int i = 0; i < t; i++) {
                tokens[w][i] = (int) tokensD[w * t + i];
            }
        }
        int[] rows = new int[windows];
        for (int w = 0; w < windows; w++) {
            rows[w] = (int) rowsD[w];
        }
        JsonNode llc = m.get(LlcMetrics.MEAN);
        return new StoredSusceptibility(head, dataset, params, chi, doubles(m.get(SusceptibilityMetrics.CHI_SE)), rows, tokens,
                llc == null ? Double.NaN : llc.asDouble());
    }

    private static double[] doubles(JsonNode a) {
        if (a == null || !a.isArray()) {
            return new double[0];
        }
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = a.get(i);
            out[i] = v.isNumber() ? v.asDouble() : Double.parseDouble(v.asText());
        }
        return out;
    }
}
