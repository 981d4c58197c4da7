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
        return estimate(config, weights, mask, data, cfg, cancelled, path, progress, (LayerWindowCache) null);
    }

    /**
     * As {@link #estimate(ModelConfig, Map, ParameterMask, LlcData, SgldConfig, BooleanSupplier, Path,
     * SgldSampler.Progress)}, with the per-token losses of {@code probe}'s windows fed to it at every draw
     * (susceptibilities; ADR 0011).
     */
    public static LlcResult estimate(ModelConfig config, Map<String, HostTensor> weights, ParameterMask mask,
            LlcData data, SgldConfig cfg, BooleanSupplier cancelled, Path path, SgldSampler.Progress progress,
            SgldSampler.ProbeRecorder probe) {
        return estimate(config, weights, mask, data, cfg, cancelled, path, progress, (LayerWindowCache) null, probe);
    }

    static LlcResult estimate(ModelConfig config, Map<String, HostTensor> weights, ParameterMask mask,
            LlcData data, SgldConfig cfg, BooleanSupplier cancelled, Path path, SgldSampler.Progress progress,
            LayerWindowCache layerInputs) {
        return estimate(config, weights, mask, data, cfg, cancelled, path, progress, layerInputs, null);
    }

    /**
     * @param layerInputs what the heads of the mask's layer share on {@code data} (a sweep's
     *     {@link LayerWindowCache}), used when the head path is taken; null: computed for this estimate alone
     */
    static LlcResult estimate(ModelConfig config, Map<String, HostTensor> weights, ParameterMask mask,
            LlcData data, SgldConfig cfg, BooleanSupplier cancelled, Path path, SgldSampler.Progress progress,
            LayerWindowCache layerInputs, SgldSampler.ProbeRecorder probe) {
        if (mask.isEmpty()) {
            throw new org.headlab.core.HeadLabException("the parameter mask selects nothing to sample");
        }
        requireWithinMemory(config, data, cfg);
        try (SgldTarget target = target(config, weights, mask, data, cfg.chains(), path, layerInputs)) {
            return SgldSampler.sample(target, cfg, cancelled, progress, probe);
        }
    }

    /**
     * Refuses, before anything is allocated, settings whose SGLD step cannot fit in this machine: without this the
     * kernel kills the process with no message. The step's live arrays, per row (chains × batch) and token, are
     * about four copies of the logits (forward, log-softmax, their gradients), eight of each layer's residual-width
     * activations and four of each layer's attention scores: 4·d_vocab + L·(8·d_model + 4·H·T) floats. On the lm run
     * at the paper's settings that is 0.9 GB, what the allocator measured (docs/benchmarks.md); refused above half of
     * physical memory.
     */
    static void requireWithinMemory(ModelConfig config, LlcData data, SgldConfig cfg) {
        long rows = (long) cfg.chains() * cfg.batchSize();
        long t = data.length();
        long perToken = 4L * config.dVocab() + (long) config.nLayers() * (8L * config.dModel()
                + 4L * config.nHeads() * t);
        double bytes = 4.0 * rows * t * perToken;
        long physical = physicalMemory();
        if (physical > 0 && bytes > physical / 2.0) {
            throw new org.headlab.core.HeadLabException(String.format(java.util.Locale.ROOT, "%d chains × batch %d ×"
                    + " %d tokens needs about %.1f GB per SGLD step, more than half of this machine's %.1f GB: lower"
                    + " the batch or the chains", cfg.chains(), cfg.batchSize(), t, bytes / 1e9, physical / 1e9));
        }
    }

    private static long physicalMemory() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return -1;
    }

    static SgldTarget target(ModelConfig config, Map<String, HostTensor> weights, ParameterMask mask, LlcData data,
            int chains, Path path, LayerWindowCache layerInputs) {
        if (path == Path.AUTO) {
            int[] head = mask.singleHead(config);
            if (head != null) {
                LayerWindowCache shared = layerInputs != null && layerInputs.layer() == head[0]
                        && layerInputs.covers(data) ? layerInputs : null;
                return new HeadChainsTarget(config, weights, head[0], head[1], head[2] == 1, data, chains, shared);
            }
        }
        return new PlainTransformerTarget(config, weights, mask, data, chains);
    }
}
