package org.headlab.core.estimate.ablation;

import java.util.List;
import org.headlab.core.estimate.Head;

/**
 * Loss changes from an intervention, on the same batches as the clean loss.
 *
 * @param cleanLoss mean next-token loss of the unmodified model over the slice
 * @param cleanTokenLosses [B][T-1]
 * @param entries one per head (ablation) or per sender/path pair (path patching)
 */
public record AblationResult(String ablation, double cleanLoss, float[][] cleanTokenLosses, List<Entry> entries) {

    /**
     * @param head the ablated (sender) head
     * @param path for path patching: "Q 1:3", "K 1:3", "V 1:3" or "logits"; "all" for a plain ablation
     * @param delta ablated − clean mean loss (raw)
     * @param normalized delta / clean loss (0 when the clean loss is 0)
     * @param tokenIncrease ablated − clean loss per sequence and predicting position, [B][T-1]
     */
    public record Entry(Head head, String path, double ablatedLoss, double delta, double normalized,
            float[][] tokenIncrease) {
    }
}
