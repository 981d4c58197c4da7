package org.headlab.core.model;

import java.util.Map;
import org.headlab.core.run.HostTensor;

/**
 * A loss and its gradient with respect to the coordinates of a {@link ParameterMask}, in Java memory.
 *
 * @param loss mean next-token cross-entropy of the batch
 * @param tokenLosses [B][T-1]
 * @param gradients one entry per parameter the mask touches (config order), in the parameter's shape, exactly 0.0
 *     at every unselected coordinate; parameters the mask leaves out entirely have no entry
 */
public record LossAndGradients(double loss, float[][] tokenLosses, Map<String, HostTensor> gradients) {

    /** The gradient of {@code name}, or null when the mask left it out (its gradient counts as zero). */
    public HostTensor gradient(String name) {
        return gradients.get(name);
    }
}
