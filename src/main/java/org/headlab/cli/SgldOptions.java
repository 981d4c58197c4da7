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
    @Option(names = "--init-batches", description = "Init-loss batches (default 16).")
    Integer initBatches;
    @Option(names = "--seed", description = "Seed (default 0).")
    Long seed;
    @Option(names = "--sampler", description = "sgld (default, the paper's), rmsprop_sgld (devinterp's"
            + " RMSProp-preconditioned SGLD) or sgnht (stochastic gradient Nose-Hoover thermostat).")
    String sampler;

    SgldConfig config() {
        SgldConfig c = SgldConfig.paper();
        if (epsilon != null) c = c.withEpsilon(epsilon);
        if (gamma != null) c = c.withGamma(gamma);
        if (nbeta != null) c = c.withNbeta(nbeta);
        if (noise != null) c = c.withNoiseLevel(noise);
        if (chains != null) c = c.withChains(chains);
        if (draws != null) c = c.withDraws(draws);
        if (burnin != null) c = c.withBurnin(burnin);
        if (batch != null) c = c.withBatchSize(batch);
        if (initBatches != null) c = c.withInitBatches(initBatches);
        if (seed != null) c = c.withSeed(seed);
        if (sampler != null) c = c.withSampler(SgldConfig.Sampler.of(sampler));
        return c;
    }
}
