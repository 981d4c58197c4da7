package org.headlab.core.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.headlab.core.HeadLabException;
import org.headlab.core.data.DyckGenerator;
import org.headlab.core.data.GeneratedSequence;
import org.headlab.core.data.RepeatedTokenGenerator;
import org.headlab.core.data.RepeatedTokens;
import org.headlab.core.data.TokenStructure;
import org.headlab.core.estimate.patterns.PatternData;
import org.headlab.core.estimate.patterns.PatternScores;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.run.RandomWeights;
import org.junit.jupiter.api.Test;

/**
 * Pattern scores on a hand-built one-layer model: head 0 is a previous-token head by construction (one-hot
 * positions, W_Q the identity, W_K a shift, a large scale), heads 1 and 2 have W_Q = W_K = 0 and so attend uniformly
 * to their prefix. References: 1 for the constructed head; for the uniform heads the exact chance values
 * mean 1/(i+1) over the positions each score reads, computed here from the definitions; depth tracking = 1 for a
 * uniform head (its attended balance equals the depth fraction exactly).
 */
class PatternScoresTest {
    static final int T = 12;
    static final List<String> VOCAB = List.of("<bos>", "(", ")", "a", "b");
    static final ModelConfig C = ModelConfig.attnOnly(1, 3, T, T, VOCAB.size(), T).withNormalization(null);

    static Transformer handBuilt() {
        Map<String, HostTensor> w = RandomWeights.gaussian(C, 1, 0.3, true);
        w.put("embed.W_E", HostTensor.zeros(VOCAB.size(), T));
        float[] pos = new float[T * T];
        for (int i = 0; i < T; i++) {
            pos[i * T + i] = 1f; // W_pos[i] = e_i
        }
        w.put("pos_embed.W_pos", new HostTensor(new int[] {T, T}, pos));
        float[] q = new float[3 * T * T];
        float[] k = new float[3 * T * T];
        for (int i = 0; i < T; i++) {
            q[i * T + i] = 40f; // head 0: q_i = 40 e_i
            if (i + 1 < T) {
                k[i * T + i + 1] = 1f; // head 0: k_j = e_{j+1}, so q_i·k_j = 40 [j = i−1]
            }
        }
        w.put("blocks.0.attn.W_Q", new HostTensor(new int[] {3, T, T}, q));
        w.put("blocks.0.attn.W_K", new HostTensor(new int[] {3, T, T}, k));
        w.put("blocks.0.attn.b_Q", HostTensor.zeros(3, T));
        w.put("blocks.0.attn.b_K", HostTensor.zeros(3, T));
        return Transformer.create(C, w);
    }

    static int[] randomIds(SplittableRandom rng, int t) {
        int[] s = new int[t];
        s[0] = 0;
        for (int i = 1; i < t; i++) {
            s[i] = 1 + rng.nextInt(VOCAB.size() - 1);
        }
        return s;
    }

    static PatternData.Structured structured(int[] ids) {
        List<String> toks = new ArrayList<>();
        for (int id : ids) {
            toks.add(VOCAB.get(id));
        }
        return new PatternData.Structured(ids, TokenStructure.of(toks));
    }

    static PatternData data(double[][] custom) {
        SplittableRandom rng = new SplittableRandom(3);
        List<int[]> text = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            text.add(randomIds(rng, 9));
        }
        List<RepeatedTokens> rep = new RepeatedTokenGenerator(0, VOCAB.size(), java.util.Set.of(), 5, 0)
                .generate(4, 4);
        List<PatternData.Structured> dyck = new ArrayList<>();
        DyckGenerator g = new DyckGenerator(1, 3, 4, 10, false);
        for (int i = 0; i < 6; i++) {
            GeneratedSequence s = g.sample(rng);
            int[] ids = new int[s.tokens().size() + 1];
            for (int j = 0; j < s.tokens().size(); j++) {
                ids[j + 1] = VOCAB.indexOf(s.tokens().get(j));
            }
            dyck.add(structured(ids));
        }
        List<PatternData.Structured> sexpr = List.of(structured(new int[] {0, 1, 3, 1, 4, 3, 2, 1, 3, 2, 2}),
                structured(new int[] {0, 1, 1, 3, 2, 4, 2}));
        return new PatternData(text, rep, dyck, sexpr, custom);
    }

    @Test
    void constructedPreviousTokenHeadScoresOneAndUniformHeadsScoreChance() {
        double[][] prevTemplate = new double[9][9];
        for (int i = 1; i < 9; i++) {
            prevTemplate[i][i - 1] = 1;
        }
        PatternData d = data(prevTemplate);
        try (Transformer model = handBuilt()) {
            PatternScores.Result r = PatternScores.compute(model, d);
            assertEquals(1.0, r.previousToken()[0][0], 1e-3);
            assertEquals(1.0 / 9, r.currentToken()[0][0], 1e-3); // only position 0 attends to itself
            assertEquals(8.0 / 9, r.custom()[0][0], 1e-3); // detect_head "mul": rows 1..8 of 9
            // chance of a uniform head: the mean of 1/(i+1) over the positions each score reads
            double prevChance = 0;
            double curChance = 0;
            for (int i = 0; i < 9; i++) {
                curChance += 1.0 / (i + 1) / 9;
                if (i >= 1) {
                    prevChance += 1.0 / (i + 1) / 8;
                }
            }
            double indChance = 0;
            int indN = 0;
            for (RepeatedTokens rt : d.repeated()) {
                for (int i = rt.secondHalfStart(); i < rt.length(); i++) {
                    indChance += 1.0 / (i + 1);
                    indN++;
                }
            }
            indChance /= indN;
            double brChance = 0;
            int brN = 0;
            for (PatternData.Structured s : d.brackets()) {
                for (int c = 0; c < s.ids().length; c++) {
                    if (s.structure().isCloser(c) && s.structure().match(c) >= 0) {
                        brChance += 1.0 / (c + 1);
                        brN++;
                    }
                }
            }
            brChance /= brN;
            for (int h = 1; h < 3; h++) {
                assertEquals(prevChance, r.previousToken()[0][h], 1e-5);
                assertEquals(curChance, r.currentToken()[0][h], 1e-5);
                assertEquals(8.0 / 9 * prevChance, r.custom()[0][h], 1e-5);
                assertEquals(indChance, r.induction()[0][h], 1e-5);
                assertEquals(brChance, r.bracketMatching()[0][h], 1e-5);
                assertEquals(1.0, r.depthTracking()[0][h], 1e-4);
            }
            assertTrue(r.previousToken()[0][0] > 3 * prevChance);
            // multigram: patterns that are functions of position alone follow no content
            assertEquals(0.0, r.multigram()[0][0], 1e-3);
            assertEquals(0.0, r.multigram()[0][1], 1e-6);
            assertEquals(0.0, r.multigram()[0][2], 1e-6);
            assertTrue(r.depthTracking()[0][0] < 0.99, "a previous-token head is not a counter");
        }
    }

    /**
     * A content head by construction: one-hot tokens, every query the same vector, keys of token "a" scored
     * {@code SCORE} and all others 0, so its pattern is known in closed form, A[i][j] = e^{s_j} / Σ_{k≤i} e^{s_k}. The
     * multigram score is checked against a brute-force evaluation of its definition on those exact patterns; the
     * second head (W_Q = W_K = 0) attends uniformly, a function of position alone: 0.
     */
    @Test
    void aHeadThatFollowsOneTokenScoresItsExactMultigramValueAndAUniformHeadZero() {
        int d = 8;
        ModelConfig c = ModelConfig.attnOnly(1, 2, d, d, VOCAB.size(), T).withNormalization(null);
        Map<String, HostTensor> w = RandomWeights.gaussian(c, 1, 0.3, true);
        float[] embed = new float[VOCAB.size() * d];
        for (int t = 0; t < VOCAB.size(); t++) {
            embed[t * d + t] = 1f;
        }
        w.put("embed.W_E", new HostTensor(new int[] {VOCAB.size(), d}, embed));
        w.put("pos_embed.W_pos", HostTensor.zeros(T, d));
        float[] q = new float[2 * d * d];
        float[] k = new float[2 * d * d];
        float scale = 8f;
        for (int t = 0; t < VOCAB.size(); t++) {
            q[t * d] = 1f; // head 0: q = e_0 for every token
        }
        k[3 * d] = scale; // head 0: k = scale·e_0 for token "a" (id 3), 0 otherwise
        w.put("blocks.0.attn.W_Q", new HostTensor(new int[] {2, d, d}, q));
        w.put("blocks.0.attn.W_K", new HostTensor(new int[] {2, d, d}, k));
        w.put("blocks.0.attn.b_Q", HostTensor.zeros(2, d));
        w.put("blocks.0.attn.b_K", HostTensor.zeros(2, d));
        SplittableRandom rng = new SplittableRandom(11);
        List<int[]> text = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            text.add(randomIds(rng, 6 + i % 4)); // lengths 6..9: rows averaged over the sequences that have them
        }
        double s = scale / Math.sqrt(d);
        List<double[][]> exact = new ArrayList<>();
        for (int[] ids : text) {
            double[][] a = new double[ids.length][ids.length];
            for (int i = 0; i < ids.length; i++) {
                double z = 0;
                for (int j = 0; j <= i; j++) {
                    z += Math.exp(ids[j] == 3 ? s : 0);
                }
                for (int j = 0; j <= i; j++) {
                    a[i][j] = Math.exp(ids[j] == 3 ? s : 0) / z;
                }
            }
            exact.add(a);
        }
        double expected = bruteForceMultigram(exact);
        assertTrue(expected > 0.2, "the constructed head follows content: " + expected);
        try (Transformer model = Transformer.create(c, w)) {
            PatternScores.Result r = PatternScores.compute(model, new PatternData(text, null, null, null, null));
            assertEquals(expected, r.multigram()[0][0], 1e-5);
            assertEquals(0.0, r.multigram()[0][1], 1e-6);
            // one sequence: no other row to compare with, so no score (not a misleading 0)
            PatternScores.Result one = PatternScores.compute(model,
                    new PatternData(List.of(text.get(0)), null, null, null, null));
            assertTrue(Double.isNaN(one.multigram()[0][0]), "one sequence: " + one.multigram()[0][0]);
        }
    }

    /**
     * The definition read literally: every row against the mass-weighted mean of the same row over the other
     * sequences that have it (rows no other sequence has are left out).
     */
    static double bruteForceMultigram(List<double[][]> patterns) {
        double num = 0;
        double den = 0;
        for (double[][] a : patterns) {
            for (int i = 2; i < a.length; i++) {
                double m = 0;
                for (int j = 1; j <= i; j++) {
                    m += a[i][j];
                }
                double othersMass = 0;
                int others = 0;
                for (double[][] b : patterns) {
                    if (b != a && b.length > i) {
                        others++;
                        for (int j = 1; j <= i; j++) {
                            othersMass += b[i][j];
                        }
                    }
                }
                if (others == 0) {
                    continue;
                }
                double tv = 0;
                for (int j = 1; j <= i; j++) {
                    double mean = 0;
                    for (double[][] b : patterns) {
                        if (b != a && b.length > i) {
                            mean += b[i][j];
                        }
                    }
                    tv += Math.abs(a[i][j] / m - mean / othersMass) / 2;
                }
                num += m * tv;
                den += m;
            }
        }
        return num / den;
    }

    @Test
    void missingDataGivesNaNAndNoTemplateGivesNoCustomScore() {
        try (Transformer model = handBuilt()) {
            PatternScores.Result r = PatternScores.compute(model,
                    new PatternData(List.of(new int[] {0, 3, 4}), null, null, null, null));
            assertTrue(Double.isNaN(r.induction()[0][1]));
            assertTrue(Double.isNaN(r.bracketMatching()[0][1]));
            assertTrue(Double.isNaN(r.depthTracking()[0][1]));
            assertNull(r.custom());
        }
    }

    @Test
    void aCustomPatternOfTheWrongShapeIsRefused() {
        try (Transformer model = handBuilt()) {
            HeadLabException e = assertThrows(HeadLabException.class, () -> PatternScores.compute(model,
                    new PatternData(List.of(new int[] {0, 3, 4}), null, null, null, new double[2][3])));
            assertTrue(e.getMessage().contains("the custom pattern is 2×3 but the sequences have 3 tokens"),
                    e.getMessage());
            double[][] ragged = {new double[3], new double[2], new double[3]};
            assertThrows(HeadLabException.class, () -> PatternScores.compute(model,
                    new PatternData(List.of(new int[] {0, 3, 4}), null, null, null, ragged)));
            e = assertThrows(HeadLabException.class, () -> PatternScores.compute(model,
                    new PatternData(List.of(), null, null, null, new double[3][3])));
            assertTrue(e.getMessage().contains("needs text sequences"), e.getMessage());
        }
    }
}
