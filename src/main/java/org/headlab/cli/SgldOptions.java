package org.headlab.cli;

import org.headlab.core.estimate.llc.SgldConfig;
import picocli.CommandLine.Option;

/** The SGLD hyperparameters on the command line; defaults are the paper's (estimators.md §2.6). */
final class SgldOptions {
    @Option(names = "--epsilon", description = "SGLD step size ε (default 1e-3).")
    Double epsilon;
    @Option(names = "--gamma", description = "Localization γ (default 200).")
    Double gamma;
    @Option(names = "--nbeta", description = "Inverse temperature nβ (default 30).")
    Double nbeta;
    @Option(names = "--noise", description = "Noise level σ (default 1).")
    Double noise;
    @Option(names = "--chains", description = "Chains (default 4).")
    Integer chains;
    @Option(names = "--draws", description = "Draws per chain (default 200).")
    Integer draws;
    @Option(names = "--burnin", description = "Burn-in steps (default 0).")
    Integer burnin;
    @Option(names = "--batch", description = "Sequences per minibatch (default 32).")
    Integer batch;
    @Option(names = "--init-batches", description = "Init-loss batches in data order (default 0: every window, the"
            + " exact loss at w*).")
    Integer initBatches;
    @Option(names = "--seed", description = "Seed (default 0).")
    Long seed;
    @Option(names = "--sampler", description = "sgld (default, the paper's), rmsprop_sgld (devinterp's"
            + " RMSProp-preconditioned SGLD) or sgnht (stochastic gradient Nose-Hoover thermostat).")
    String sampler;

    /** The config, or one line naming the option whose value it refuses (SgldConfig's rule, the option's name). */
    SgldConfig config() {
        SgldConfig c = SgldConfig.paper();
        c = option(c, "--epsilon", epsilon, SgldConfig::withEpsilon);
        c = option(c, "--gamma", gamma, SgldConfig::withGamma);
        c = option(c, "--nbeta", nbeta, SgldConfig::withNbeta);
        c = option(c, "--noise", noise, SgldConfig::withNoiseLevel);
        c = option(c, "--chains", chains, SgldConfig::withChains);
        c = option(c, "--draws", draws, SgldConfig::withDraws);
        c = option(c, "--burnin", burnin, SgldConfig::withBurnin);
        c = option(c, "--batch", batch, SgldConfig::withBatchSize);
        c = option(c, "--init-batches", initBatches, SgldConfig::withInitBatches);
        c = option(c, "--seed", seed, SgldConfig::withSeed);
        c = option(c, "--sampler", sampler, (cfg, v) -> cfg.withSampler(SgldConfig.Sampler.of(v)));
        return c;
    }

    private static <T> SgldConfig option(SgldConfig c, String name, T value,
            java.util.function.BiFunction<SgldConfig, T, SgldConfig> set) {
        if (value == null) {
            return c;
        }
        try {
            return set.apply(c, value);
        } catch (org.headlab.core.HeadLabException e) {
            throw new org.headlab.core.HeadLabException(name + " " + value + ": " + e.getMessage());
        }
    }
}
