package org.headlab.core.estimate.ablation;

import java.util.ArrayList;
import java.util.List;
import org.headlab.core.estimate.Head;
import org.headlab.core.model.Transformer;

/**
 * Ablation scores per head (estimators.md §6): the head's z (hook_z, before W_O) is replaced as the
 * {@link Ablation} says, on every sequence and position of the slice, and the mean next-token loss is compared with
 * the clean loss on the same batches. Normalized score = Δloss / clean loss (the paper's "normalized" is unverified;
 * raw values are kept). The clean pass runs once per batch and its z and token losses are reused for every head;
 * the ablated passes of several heads share one forward pass (the batch repeated once per head, each copy with
 * its own head ablated).
 */
public final class AblationScores {
    private AblationScores() {
    }

    /**
     * @param slice equally long token sequences (at least 2 tokens)
     * @param heads heads to ablate, null or empty for all
     * @param batchSize sequences per forward pass
     */
    public static AblationResult compute(Transformer model, int[][] slice, List<Head> heads, Ablation ablation,
            int batchSize) {
        List<Head> chosen = Interventions.checkHeads(heads, model.config());
        Interventions iv = new Interventions(model, slice, batchSize);
        Interventions.Replacement rep = iv.replacement(ablation);
        int nh = model.config().nHeads();
        int dh = model.config().dHead();
        List<Interventions.Job> jobs = new ArrayList<>();
        for (Head h : chosen) {
            jobs.add(new Interventions.Job(h, "all", (start, b) -> Interventions.zEdit(h.layer(), h.head(),
                    rep.head(h.layer(), h.head(), start, b, iv.length, nh, dh), iv.length, nh, dh)));
        }
        return new AblationResult(ablation.label(), iv.cleanLoss, iv.cleanTokenLosses, List.copyOf(iv.score(jobs)));
    }
}
