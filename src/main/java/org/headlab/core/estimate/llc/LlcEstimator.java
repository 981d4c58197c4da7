package org.headlab.core.estimate.llc;

import java.util.Map;
import java.util.function.BooleanSupplier;
import org.headlab.core.model.ParameterMask;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;

/**
 * Refined LLC estimates of a transformer checkpoint (estimators.md §2–§3): weight-refined by a
 * {@link ParameterMask} (a head, a layer, named parameters, everything) and data-refined by the {@link LlcData}
 * slice (SGLD minibatches and init loss both come from it). A mask that is exactly one head's W_Q/W_K/W_V/W_O
 * slices (biases optional) takes the fast head path unless {@link Path#PLAIN} is asked for.
 */
public final class LlcEstimator {
    private LlcEstimator() {
    }

    /** Which sampler implementation to use. */
    public enum Path {
        /** The head path when the mask is one head, otherwise plain. */
        AUTO,
        /** One full model per chain, full forward+backward per chain and step. */
        PLAIN
    }

    public static LlcResult estimate(ModelConfig config, Map<String, HostTensor> weights, ParameterMask mask,
            LlcData data, SgldConfig cfg, BooleanSupplier cancelled) {
        return estimate(config, weights, mask, data, cfg, cancelled, Path.AUTO, SgldSampler.Progress.NONE);
    }

    public static LlcResult estimate(ModelConfig config, Map<String, HostTensor> weights, ParameterMask mask,
            LlcData data, SgldConfig cfg, BooleanSupplier cancelled, Path path, SgldSampler.Progress progress) {
        if (mask.isEmpty()) {
            throw new org.headlab.core.HeadLabException("the parameter mask selects nothing to sample");
        }
        try (SgldTarget target = target(config, weights, mask, data, cfg.chains(), path)) {
            return SgldSampler.sample(target, cfg, cancelled, progress);
        }
    }

    static SgldTarget target(ModelConfig config, Map<String, HostTensor> weights, ParameterMask mask, LlcData data,
            int chains, Path path) {
        if (path == Path.AUTO) {
            int[] head = HeadChainsTarget.singleHead(config, mask);
            if (head != null) {
                return new HeadChainsTarget(config, weights, head[0], head[1], head[2] == 1, data, chains);
            }
        }
        return new PlainTransformerTarget(config, weights, mask, data, chains);
    }
}
