package org.headlab.core.model;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.headlab.core.run.ModelConfig;

/** Tiny models and token batches shared by the model tests. */
final class Fixtures {
    static final String[] NORMALIZATIONS = {"LN", "LNPre", null};
    static final String[] POSITIONALS = {"standard", "shortformer"};
    /** null = attention-only. */
    static final String[] MLPS = {null, "gelu", "gelu_new", "relu", "silu"};

    private Fixtures() {
    }

    /** 2 layers, 3 heads, d_model 12, d_head 4, vocab 17, n_ctx 10. */
    static ModelConfig tiny(String normalization, String positional, String activation) {
        ModelConfig c = ModelConfig.attnOnly(2, 3, 12, 4, 17, 10)
                .withNormalization(normalization).withPositionalEmbedding(positional);
        return activation == null ? c : c.withMlp(20, activation);
    }

    static ModelConfig tiny() {
        return tiny("LN", "shortformer", null);
    }

    /** Every normalization × positional type × (attention-only or MLP with each activation). */
    static List<ModelConfig> allVariants() {
        List<ModelConfig> out = new ArrayList<>();
        for (String n : NORMALIZATIONS) {
            for (String p : POSITIONALS) {
                for (String a : MLPS) {
                    out.add(tiny(n, p, a));
                }
            }
        }
        return out;
    }

    static String describe(ModelConfig c) {
        return c.normalizationType() + "/" + c.positionalEmbeddingType() + "/"
                + (c.attnOnly() ? "attn-only" : "mlp-" + c.actFn());
    }

    static int[][] tokens(ModelConfig c, int batch, int length, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[][] t = new int[batch][length];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < length; i++) {
                t[b][i] = rng.nextInt(c.dVocab());
            }
        }
        return t;
    }
}
