package org.headlab.core.estimate.susceptibility;

/**
 * The names of the susceptibility estimator's stored metrics; per-token arrays run over the probe's windows, then
 * their T−1 predicted positions (row-major). χ is stored to 4 significant digits, its error to 2; devinterp's value
 * is χ/nβ. The rLLC of the same draws is stored beside them under the rLLC's names, without its traces
 * ({@link org.headlab.core.estimate.llc.LlcMetrics}).
 */
public final class SusceptibilityMetrics {
    /** nβ × devinterp's χ per probe token, mean over chains: −nβ·Cov(φ, ℓ − L̄) (see {@link ProbeStatistics}). */
    public static final String CHI = "susceptibility/chi";
    /** Its standard error (std over chains / √chains). */
    public static final String CHI_SE = "susceptibility/chi_se";
    /** The probe's window indices in the slice. */
    public static final String PROBE_ROWS = "susceptibility/probe_rows";
    /** The probe's token ids, [window][n_ctx] row-major. */
    public static final String PROBE_TOKENS = "susceptibility/probe_tokens";
    /** λ̂ of the full model's chains that gave Δ (absent with reference = self). */
    public static final String REFERENCE_LLC = "susceptibility/reference_llc";

    private SusceptibilityMetrics() {
    }
}
