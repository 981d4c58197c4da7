package org.headlab.core.estimate.llc;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * A sampler target whose chains live in Java doubles (the self-check models: {@link NormalCrossing},
 * {@link ReducedRankRegression}): per chain its weights, the gradient its subclass fills, and the step state
 * (previous Δ for MALA, RMSProp's running mean of g² or SGNHT's momentum, SGNHT's thermostat). The step is {@link SgldUpdate}'s, over the sampled
 * coordinates only, with one standard normal per sampled coordinate from the chain's own stream.
 */
abstract class DoubleChainsTarget implements SgldTarget {
    protected final double[] centre;
    protected final int[] coords;
    protected final double[][] w;
    protected final double[][] grad;
    private final double[][] prevDelta;
    private final double[][] aux;
    private final double[][] thermostat;

    DoubleChainsTarget(double[] centre, int[] coords, int chains) {
        this.centre = centre.clone();
        this.coords = coords.clone();
        w = new double[chains][];
        grad = new double[chains][centre.length];
        prevDelta = new double[chains][coords.length];
        aux = new double[chains][coords.length];
        thermostat = new double[chains][1];
        for (int c = 0; c < chains; c++) {
            w[c] = centre.clone();
            Arrays.fill(prevDelta[c], Double.NaN);
            thermostat[c][0] = SgldConfig.Sampler.SGNHT_DIFFUSION;
        }
    }

    @Override
    public int chains() {
        return w.length;
    }

    @Override
    public SgldUpdate.StepTerms[] step(SgldUpdate update, RandomGenerator[] rngs, boolean[] active, boolean mala) {
        SgldUpdate.StepTerms[] terms = new SgldUpdate.StepTerms[w.length];
        double[] xi = new double[coords.length];
        for (int c = 0; c < w.length; c++) {
            if (!active[c]) {
                continue;
            }
            for (int j = 0; j < xi.length; j++) {
                xi[j] = rngs[c].nextGaussian();
            }
            terms[c] = update.step(w[c], centre, grad[c], xi, coords, prevDelta[c], aux[c], thermostat[c]);
        }
        return terms;
    }

    @Override
    public void close() {
        // Java memory only
    }
}
