package org.headlab.core.estimate.ablation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.Head;
import org.headlab.core.model.ActivationCache;
import org.headlab.core.model.ActivationHook;
import org.headlab.core.model.HookPoint;
import org.headlab.core.model.TorchEngine;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;

/**
 * Shared machinery of ablation and path patching: the clean pass over a slice (once per batch; per-token losses and
 * every layer's z kept in Java memory), the replacement z an {@link Ablation} prescribes, and the scoring of an
 * intervened pass against the clean one on the same batches.
 */
final class Interventions {
    final Transformer model;
    final ModelConfig config;
    final int[][] slice;
    final int batchSize;
    final int length;
    final int n;
    /** Clean z per layer, [N,T,H,d_head] flattened. */
    final float[][] cleanZ;
    final float[][] cleanTokenLosses;
    final double cleanLoss;

    Interventions(Transformer model, int[][] slice, int batchSize) {
        this.model = model;
        this.config = model.config();
        checkSlice(slice);
        if (batchSize < 1) {
            throw new HeadLabException("the batch size must be at least 1, got " + batchSize);
        }
        this.slice = slice;
        this.batchSize = batchSize;
        this.n = slice.length;
        this.length = slice[0].length;
        this.cleanZ = new float[config.nLayers()][];
        this.cleanTokenLosses = new float[n][];
        float[][] z = zOf(slice, cleanTokenLosses);
        System.arraycopy(z, 0, cleanZ, 0, z.length);
        double sum = 0;
        for (float[] row : cleanTokenLosses) {
            for (float x : row) {
                sum += x;
            }
        }
        this.cleanLoss = sum / ((double) n * (length - 1));
    }

    static void checkSlice(int[][] slice) {
        if (slice == null || slice.length == 0) {
            throw new HeadLabException("the slice is empty: give at least one sequence");
        }
        int t = slice[0] == null ? 0 : slice[0].length;
        if (t < 2) {
            throw new HeadLabException("the slice's sequences are too short (" + t
                    + " tokens): the next-token loss needs at least 2");
        }
        for (int b = 0; b < slice.length; b++) {
            if (slice[b] == null || slice[b].length != t) {
                throw new HeadLabException("sequence " + b + " of the slice has "
                        + (slice[b] == null ? 0 : slice[b].length) + " tokens but sequence 0 has " + t
                        + "; a slice needs equal lengths");
            }
        }
    }

    int zSize() {
        return length * config.nHeads() * config.dHead();
    }

    /** Runs {@code seqs} (cut to the slice length) in batches; returns z per layer [S,T,H,dh], fills token losses. */
    private float[][] zOf(int[][] seqs, float[][] tokenLossesOut) {
        int layers = config.nLayers();
        int per = length * config.nHeads() * config.dHead();
        float[][] z = new float[layers][seqs.length * per];
        for (int start = 0; start < seqs.length; start += batchSize) {
            int[][] batch = cut(Arrays.copyOfRange(seqs, start, Math.min(seqs.length, start + batchSize)));
            try (NDManager m = TorchEngine.newManager();
                    ActivationCache c = model.run(m, batch, EnumSet.of(HookPoint.Z), null)) {
                for (int l = 0; l < layers; l++) {
                    System.arraycopy(c.get(HookPoint.Z, l).toFloatArray(), 0, z[l], start * per, batch.length * per);
                }
                if (tokenLossesOut != null) {
                    float[] tl = c.tokenLosses().toFloatArray();
                    for (int b = 0; b < batch.length; b++) {
                        tokenLossesOut[start + b] = Arrays.copyOfRange(tl, b * (length - 1), (b + 1) * (length - 1));
                    }
                }
            }
        }
        return z;
    }

    private int[][] cut(int[][] seqs) {
        int[][] out = new int[seqs.length][];
        for (int i = 0; i < seqs.length; i++) {
            if (seqs[i] == null || seqs[i].length < length) {
                throw new HeadLabException("reference sequence " + i + " has " + (seqs[i] == null ? 0 : seqs[i].length)
                        + " tokens, fewer than the slice's " + length);
            }
            out[i] = Arrays.copyOf(seqs[i], length);
        }
        return out;
    }

    /** The replacement z per layer an ablation prescribes: null (zero), [T,H,dh] (mean) or [N,T,H,dh] (resample). */
    Replacement replacement(Ablation ablation) {
        if (ablation instanceof Ablation.Zero) {
            return new Replacement(null, false);
        }
        if (ablation instanceof Ablation.Mean mean) {
            int[][] ref = mean.reference() == null ? slice : mean.reference();
            if (ref.length == 0) {
                throw new HeadLabException("the mean-ablation reference set is empty");
            }
            float[][] z = mean.reference() == null ? cleanZ : zOf(ref, null);
            int per = zSize();
            float[][] means = new float[config.nLayers()][per];
            for (int l = 0; l < means.length; l++) {
                for (int j = 0; j < per; j++) {
                    double s = 0;
                    for (int r = 0; r < ref.length; r++) {
                        s += z[l][r * per + j];
                    }
                    means[l][j] = (float) (s / ref.length);
                }
            }
            return new Replacement(means, true);
        }
        if (ablation instanceof Ablation.Resample r) {
            if (n < 2) {
                throw new HeadLabException("resample ablation needs at least 2 sequences in the slice, got " + n);
            }
            return resampled(cleanZ, derangement(n, r.seed()));
        }
        Ablation.ResampleFrom r = (Ablation.ResampleFrom) ablation;
        if (r.sources() == null || r.sources().length == 0) {
            throw new HeadLabException("resample ablation needs at least one source sequence");
        }
        if (r.sourceOf() == null || r.sourceOf().length != n) {
            throw new HeadLabException("resample ablation needs one source index per slice sequence (" + n + ")");
        }
        for (int s : r.sourceOf()) {
            if (s < 0 || s >= r.sources().length) {
                throw new HeadLabException("resample source index " + s + " is outside 0.."
                        + (r.sources().length - 1));
            }
        }
        return resampled(zOf(r.sources(), null), r.sourceOf());
    }

    private Replacement resampled(float[][] sourceZ, int[] sourceOf) {
        int per = zSize();
        float[][] out = new float[config.nLayers()][n * per];
        for (int l = 0; l < out.length; l++) {
            for (int b = 0; b < n; b++) {
                System.arraycopy(sourceZ[l], sourceOf[b] * per, out[l], b * per, per);
            }
        }
        return new Replacement(out, false);
    }

    /** A seeded uniform derangement (Sattolo's algorithm gives a single cycle: no fixed points). */
    static int[] derangement(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Replacement z values; {@code perPosition} arrays are [T,H,dh] shared by every sequence. */
    record Replacement(float[][] z, boolean perPosition) {

        /** The replacement z of head h for sequences [start, start+b) as [b][T][dh] flattened. */
        float[] head(int layer, int h, int start, int b, int t, int nHeads, int dHead) {
            float[] out = new float[b * t * dHead];
            if (z == null) {
                return out;
            }
            float[] src = z[layer];
            int per = t * nHeads * dHead;
            for (int s = 0; s < b; s++) {
                int base = perPosition ? 0 : (start + s) * per;
                for (int i = 0; i < t; i++) {
                    System.arraycopy(src, base + (i * nHeads + h) * dHead, out, (s * t + i) * dHead, dHead);
                }
            }
            return out;
        }
    }

    /** Clean z of head h for sequences [start, start+b), [b][T][dh] flattened. */
    float[] cleanHead(int layer, int h, int start, int b) {
        return new Replacement(cleanZ, false).head(layer, h, start, b, length, config.nHeads(), config.dHead());
    }

    /**
     * One intervention's edit of one activation, applied on the host to the rows of its own copy of the batch:
     * {@code data} is the whole stacked activation, the intervention's sequences start at {@code seqOffset}, and
     * each sequence spans {@code perSeq} floats.
     */
    interface Edit {
        HookPoint point();

        int layer();

        void apply(float[] data, int seqOffset, int perSeq);
    }

    /** Writes {@code values} ([b][T][dh]) into head h's z. */
    static Edit zEdit(int layer, int h, float[] values, int t, int nHeads, int dHead) {
        return new Edit() {
            public HookPoint point() {
                return HookPoint.Z;
            }

            public int layer() {
                return layer;
            }

            public void apply(float[] data, int seqOffset, int perSeq) {
                int rows = values.length / dHead; // b·T
                for (int r = 0; r < rows; r++) {
                    int s = r / t;
                    int i = r % t;
                    System.arraycopy(values, r * dHead, data, (seqOffset + s) * perSeq + (i * nHeads + h) * dHead,
                            dHead);
                }
            }
        };
    }

    /** An intervention to score: which head, which path label, and its edit of a batch [start, start+b). */
    record Job(Head head, String path, EditFactory edit) {
    }

    @FunctionalInterface
    interface EditFactory {
        Edit edit(int start, int batch);
    }

    /** Largest number of token positions in one stacked pass (bounds memory: attention is rows·H·T²). */
    static final int STACK_TOKENS = 8192;

    /**
     * Scores every job against the clean pass. Several jobs share a forward pass: the batch is repeated once per
     * job and each job edits only its own copy, so the cost is one pass per batch per group of jobs.
     */
    List<AblationResult.Entry> score(List<Job> jobs) {
        int nj = jobs.size();
        float[][][] inc = new float[nj][n][];
        double[] sums = new double[nj];
        for (int start = 0; start < n; start += batchSize) {
            int b = Math.min(n, start + batchSize) - start;
            int per = Math.max(1, STACK_TOKENS / (b * length));
            for (int j0 = 0; j0 < nj; j0 += per) {
                int g = Math.min(nj, j0 + per) - j0;
                int[][] stacked = new int[g * b][];
                List<Edit> edits = new ArrayList<>();
                for (int k = 0; k < g; k++) {
                    for (int s = 0; s < b; s++) {
                        stacked[k * b + s] = slice[start + s];
                    }
                    edits.add(jobs.get(j0 + k).edit().edit(start, b));
                }
                float[][] tl = new float[stacked.length][];
                try (NDManager m = TorchEngine.newManager();
                        ActivationCache c = model.run(m, stacked, EnumSet.noneOf(HookPoint.class),
                                combined(edits, b))) {
                    float[] flat = c.tokenLosses().toFloatArray(); // the logits stay on the engine
                    for (int r = 0; r < tl.length; r++) {
                        tl[r] = Arrays.copyOfRange(flat, r * (length - 1), (r + 1) * (length - 1));
                    }
                }
                for (int k = 0; k < g; k++) {
                    for (int s = 0; s < b; s++) {
                        float[] row = tl[k * b + s];
                        float[] d = new float[length - 1];
                        for (int i = 0; i < d.length; i++) {
                            d[i] = row[i] - cleanTokenLosses[start + s][i];
                            sums[j0 + k] += row[i];
                        }
                        inc[j0 + k][start + s] = d;
                    }
                }
            }
        }
        List<AblationResult.Entry> out = new ArrayList<>();
        for (int j = 0; j < nj; j++) {
            double ablated = sums[j] / ((double) n * (length - 1));
            double delta = ablated - cleanLoss;
            out.add(new AblationResult.Entry(jobs.get(j).head(), jobs.get(j).path(), ablated, delta,
                    cleanLoss > 0 ? delta / cleanLoss : 0.0, inc[j]));
        }
        return out;
    }

    /** One hook applying each edit to its block of {@code b} sequences; one host round trip per touched point. */
    private static ActivationHook combined(List<Edit> edits, int b) {
        boolean split = edits.stream().anyMatch(e -> e.point() == HookPoint.Q_INPUT || e.point() == HookPoint.K_INPUT
                || e.point() == HookPoint.V_INPUT);
        return new ActivationHook() {
            @Override
            public NDArray apply(HookPoint point, int layer, NDArray a) {
                float[] data = null;
                for (int k = 0; k < edits.size(); k++) {
                    Edit e = edits.get(k);
                    if (e.point() == point && e.layer() == layer) {
                        if (data == null) {
                            data = a.toFloatArray();
                        }
                        int perSeq = (int) (a.getShape().size() / a.getShape().get(0));
                        e.apply(data, k * b, perSeq);
                    }
                }
                return data == null ? a : a.getManager().create(data, a.getShape());
            }

            @Override
            public boolean splitsQkvInput() {
                return split;
            }
        };
    }

    static List<Head> checkHeads(List<Head> heads, ModelConfig config) {
        List<Head> out = new ArrayList<>();
        for (Head h : Head.selectOrAll(heads, config)) {
            out.add(h);
        }
        return out;
    }

    /** W_O of one head, [dh][D], from the model's weights. */
    static float[] wO(Map<String, HostTensor> weights, Head head, ModelConfig c) {
        float[] all = weights.get("blocks." + head.layer() + ".attn.W_O").data();
        int per = c.dHead() * c.dModel();
        return Arrays.copyOfRange(all, head.head() * per, (head.head() + 1) * per);
    }
}
