package org.headlab.core.estimate.ablation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.Head;
import org.headlab.core.model.HookPoint;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;

/**
 * Path patching (estimators.md §6): a sender head's effect along one path only. The sender's output changes from
 * its clean value z·W_O to its ablated value z'·W_O (z' from an {@link Ablation}); the change
 * Δ = (z' − z)·W_O[sender] is added to one destination only, every other path staying clean:
 * <ul>
 *   <li>{@link Path.Kind#Q}/{@link Path.Kind#K}/{@link Path.Kind#V} into receiver head r (strictly later layer): r's
 *       own query/key/value input (the residual before LayerNorm, TransformerLens' split qkv input) gets Δ; the
 *       LayerNorm is recomputed on it; the sender's real output, all other heads' inputs and the rest of r stay
 *       clean;</li>
 *   <li>{@link Path.Kind#LOGITS}: the direct path only: Δ is added to the final residual stream before ln_final,
 *       so no later layer sees it.</li>
 * </ul>
 * Scores are Δloss against the clean loss on the same batches, as in {@link AblationScores}.
 */
public final class PathPatching {

    /** A destination of the sender's effect. */
    public record Path(Kind kind, Head receiver) {
        public enum Kind { Q, K, V, LOGITS }

        public static Path logits() {
            return new Path(Kind.LOGITS, null);
        }

        @Override
        public String toString() {
            return kind == Kind.LOGITS ? "logits" : kind + " " + receiver;
        }
    }

    private PathPatching() {
    }

    /** One entry per (sender, path) pair, senders outer. */
    public static AblationResult compute(Transformer model, int[][] slice, List<Head> senders, List<Path> paths,
            Ablation ablation, int batchSize) {
        ModelConfig c = model.config();
        List<Head> from = Interventions.checkHeads(senders, c);
        if (paths == null || paths.isEmpty()) {
            throw new HeadLabException("path patching needs at least one path (Q/K/V into a head, or logits)");
        }
        for (Head s : from) {
            for (Path p : paths) {
                check(p, s, c);
            }
        }
        Interventions iv = new Interventions(model, slice, batchSize);
        Interventions.Replacement rep = iv.replacement(ablation);
        Map<String, HostTensor> weights = model.weights();
        int nh = c.nHeads();
        int dh = c.dHead();
        int d = c.dModel();
        int t = iv.length;
        List<Interventions.Job> jobs = new ArrayList<>();
        for (Head s : from) {
            float[] wo = Interventions.wO(weights, s, c);
            for (Path p : paths) {
                jobs.add(new Interventions.Job(s, p.toString(), (start, b) -> {
                    float[] patched = rep.head(s.layer(), s.head(), start, b, t, nh, dh);
                    float[] clean = iv.cleanHead(s.layer(), s.head(), start, b);
                    float[] delta = new float[b * t * d]; // [b,T,D]
                    for (int r = 0; r < b * t; r++) {
                        for (int e = 0; e < dh; e++) {
                            float dz = patched[r * dh + e] - clean[r * dh + e];
                            if (dz != 0f) {
                                for (int j = 0; j < d; j++) {
                                    delta[r * d + j] += dz * wo[e * d + j];
                                }
                            }
                        }
                    }
                    return edit(p, delta, c, t);
                }));
            }
        }
        return new AblationResult(ablation.label(), iv.cleanLoss, iv.cleanTokenLosses, List.copyOf(iv.score(jobs)));
    }

    private static void check(Path p, Head sender, ModelConfig c) {
        if (p == null || p.kind() == null) {
            throw new HeadLabException("a path needs a kind: Q, K, V or logits");
        }
        if (p.kind() == Path.Kind.LOGITS) {
            return;
        }
        if (p.receiver() == null) {
            throw new HeadLabException("a " + p.kind() + " path needs a receiver head");
        }
        p.receiver().checkedAgainst(c);
        if (p.receiver().layer() <= sender.layer()) {
            throw new HeadLabException("receiver " + p.receiver() + " must be in a later layer than sender " + sender);
        }
    }

    /** Adds Δ ([b,T,D]) to the receiver's input copy, or to the final residual for the direct path. */
    private static Interventions.Edit edit(Path p, float[] delta, ModelConfig c, int t) {
        HookPoint target = switch (p.kind()) {
            case Q -> HookPoint.Q_INPUT;
            case K -> HookPoint.K_INPUT;
            case V -> HookPoint.V_INPUT;
            case LOGITS -> HookPoint.RESID_POST;
        };
        int layer = p.kind() == Path.Kind.LOGITS ? c.nLayers() - 1 : p.receiver().layer();
        int receiverHead = p.kind() == Path.Kind.LOGITS ? -1 : p.receiver().head();
        int d = c.dModel();
        int nh = c.nHeads();
        return new Interventions.Edit() {
            public HookPoint point() {
                return target;
            }

            public int layer() {
                return layer;
            }

            public void apply(float[] x, int seqOffset, int perSeq) {
                int rows = delta.length / d; // b·T
                for (int r = 0; r < rows; r++) {
                    int s = r / t;
                    int i = r % t;
                    // [B,T,D] for the direct path, [B,T,H,D] for a receiver's input
                    int base = (seqOffset + s) * perSeq + (receiverHead < 0 ? i * d : (i * nh + receiverHead) * d);
                    for (int j = 0; j < d; j++) {
                        x[base + j] += delta[r * d + j];
                    }
                }
            }
        };
    }
}
