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

    /** Labels given explicitly: the next tokens reproduce the ordinary pass bit for bit. */
    @Test
    void explicitLabelsThatAreTheNextTokensChangeNothing() {
        int[][] seq = {{1, 4, 2, 6, 0, 3}};
        int[][] next = {{4, 2, 6, 0, 3}};
        ParameterMask mask = ParameterMask.head(CONFIG, 1, 0, false);
        try (Transformer t = Transformer.create(CONFIG, WEIGHTS)) {
            org.headlab.core.model.LossAndGradients a = t.lossAndGradients(seq, mask);
            org.headlab.core.model.LossAndGradients b = t.lossAndGradients(seq, next, mask, null);
            assertEquals(a.loss(), b.loss(), 0.0);
            for (String n : mask.parameterNames()) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(a.gradient(n).data(), b.gradient(n).data(), 0f, n);
            }
        }
    }

    /**
     * The model's Fisher trace by sampled labels against its definition by enumeration: for sequences of two tokens
     * (one predicting position) E_y[‖∇ℓ(y)‖²] = Σ_y p(y)·‖∇ℓ(y)‖² over the 7 tokens, p from the logits (computed
     * in Java); the estimate from 2,000 drawn labels lies within 4 standard errors of it (the standard error from
     * the same enumeration's variance). The enumeration's gradient of ℓ(y) = −log p(y) is checked against the
     * softmax loss itself: its loss equals −log p(y) of the logits.
     */
    @Test
    void theModelsFisherTraceIsTheExpectationOverItsOwnLabels() {
        ParameterMask mask = ParameterMask.head(CONFIG, 1, 1, false);
        int[] x = {2, 5};
        double exact = 0;
        double second = 0;
        try (Transformer t = Transformer.create(CONFIG, WEIGHTS)) {
            float[] logits = t.forward(new int[][] {x}).logits()[0][0];
            double max = Double.NEGATIVE_INFINITY;
            for (float l : logits) {
                max = Math.max(max, l);
            }
            double z = 0;
            for (float l : logits) {
                z += Math.exp(l - max);
            }
            for (int y = 0; y < CONFIG.dVocab(); y++) {
                double p = Math.exp(logits[y] - max) / z;
                org.headlab.core.model.LossAndGradients g = t.lossAndGradients(new int[][] {x}, new int[][] {{y}},
                        mask, null);
                assertEquals(-Math.log(p), g.loss(), 1e-5, "the loss of label " + y);
                double n2 = FisherTrace.squaredNorm(g, mask, 0);
                exact += p * n2;
                second += p * n2 * n2;
            }
        }
        int samples = 2000;
        double se = Math.sqrt((second - exact * exact) / samples);
        FisherTrace.Result r = FisherTrace.model(CONFIG, WEIGHTS, mask, new int[][] {x}, samples, 7, () -> false);
        org.junit.jupiter.api.Assertions.assertTrue(Math.abs(r.trace() - exact) < 4 * se,
                r.trace() + " vs " + exact + " ± " + se);
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
