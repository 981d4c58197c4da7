package org.headlab.core.estimate.susceptibility;

import java.util.List;

/**
 * Per-token susceptibilities of one component: {@code chi[k]} = nβ × devinterp's χ_k averaged over the chains,
 * {@code se[k]} its standard error (std over chains / √chains; NaN with one chain), {@code devinterp[k]} the same
 * mean without the nβ factor, as devinterp reports it. {@link ProbeStatistics} says what χ is.
 */
public record Susceptibility(double[] chi, double[] se, double[] devinterp, int chains) {

    static Susceptibility of(List<double[]> perChain, double nbeta) {
        int c = perChain.size();
        int k = c == 0 ? 0 : perChain.get(0).length;
        double[] mean = new double[k];
        double[] se = new double[k];
        double[] raw = new double[k];
        for (int j = 0; j < k; j++) {
            double s = 0;
            for (double[] chi : perChain) {
                s += chi[j];
            }
            double m = s / c;
            double v = 0;
            for (double[] chi : perChain) {
                v += (chi[j] - m) * (chi[j] - m);
            }
            raw[j] = m;
            mean[j] = nbeta * m;
            se[j] = c < 2 ? Double.NaN : nbeta * Math.sqrt(v / (c - 1) / c);
        }
        return new Susceptibility(mean, se, raw, c);
    }
}
