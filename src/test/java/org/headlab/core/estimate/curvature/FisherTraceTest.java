package org.headlab.core.estimate.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Random;
import org.headlab.core.model.ParameterMask;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.run.RandomWeights;
import org.junit.jupiter.api.Test;

/**
 * The empirical Fisher trace of a head: each sequence's squared gradient norm equals that of the gradient another
 * code path computes ({@link MaskedGradient}, a fresh model per call), and that gradient's length is what finite
 * differences of the loss itself give along its own direction (no autograd involved).
 */
class FisherTraceTest {
    static final ModelConfig CONFIG = ModelConfig.attnOnly(2, 2, 8, 2, 7, 8);
    static final Map<String, HostTensor> WEIGHTS = RandomWeights.gaussian(CONFIG, 4, 0.5, true);

    @Test
    void perSequenceNormsMatchAnIndependentGradientAndTheLossItself() {
        Random r = new Random(5);
        int[][] seqs = new int[4][8];
        for (int[] s : seqs) {
            for (int j = 0; j < s.length; j++) {
                s[j] = r.nextInt(CONFIG.dVocab());
            }
        }
        ParameterMask mask = ParameterMask.head(CONFIG, 0, 1, false);
        FisherTrace.Result f = FisherTrace.empirical(CONFIG, WEIGHTS, mask, seqs, () -> false);
        double mean = 0;
        for (int s = 0; s < seqs.length; s++) {
            MaskedGradient g = new MaskedGradient(CONFIG, WEIGHTS, mask, new int[][] {seqs[s]});
            double[] grad = g.at(new double[g.size()]);
            double norm2 = 0;
            for (double v : grad) {
                norm2 += v * v;
            }
            assertEquals(norm2, f.perSequence()[s], 1e-6 * norm2, "sequence " + s);
            // d/dt ℓ(w + t·u) at 0 along u = grad/|grad| is |grad|: central differences of the loss
            double len = Math.sqrt(norm2);
            double h = 1e-3;
            double[] x = g.point();
            double lp = loss(mask, g, x, grad, h / len, seqs[s]);
            double lm = loss(mask, g, x, grad, -h / len, seqs[s]);
            assertEquals(len, (lp - lm) / (2 * h), 2e-3 * len + 1e-4, "directional derivative, sequence " + s);
            mean += norm2 / seqs.length;
        }
        assertEquals(mean, f.trace(), 1e-6 * mean);
    }

    /** The loss of one sequence at the weights moved by t·direction on the masked coordinates. */
    private static double loss(ParameterMask mask, MaskedGradient g, double[] x, double[] direction, double t,
            int[] seq) {
        Map<String, HostTensor> moved = new java.util.LinkedHashMap<>();
        int k = 0;
        for (String name : CONFIG.parameterShapes().keySet()) {
            HostTensor w = WEIGHTS.get(name);
            if (!mask.contains(name)) {
                moved.put(name, w);
                continue;
            }
            float[] m = mask.mask(name).data();
            float[] d = w.data().clone();
            for (int i = 0; i < d.length; i++) {
                if (m[i] != 0) {
                    d[i] = (float) (d[i] + t * direction[k++]);
                }
            }
            moved.put(name, new HostTensor(w.shape(), d));
        }
        try (Transformer tr = Transformer.create(CONFIG, moved)) {
            return tr.loss(new int[][] {seq});
        }
    }
}
