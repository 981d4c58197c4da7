package org.headlab.core.run;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.headlab.core.HeadLabException;

/**
 * The model's shape, with TransformerLens {@code HookedTransformerConfig} key names so that a config exported from
 * Python reads as it is. Keys HeadLab does not use are ignored; keys it uses but cannot honour are refused by
 * {@link #validate(String)}.
 *
 * @param normalizationType "LN" (LayerNorm with weight and bias), "LNPre" (centre and scale, no parameters) or
 *     null / "none" (no normalization), as in TransformerLens.
 * @param positionalEmbeddingType "standard" (W_pos added to the residual stream) or "shortformer" (W_pos added to
 *     the query and key inputs of every layer only).
 * @param dMlp width of the MLP hidden layer; ignored when {@code attnOnly}.
 * @param actFn MLP activation: "gelu" (erf), "gelu_new" (tanh approximation), "relu", "silu".
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelConfig(
        @JsonProperty("n_layers") int nLayers,
        @JsonProperty("n_heads") int nHeads,
        @JsonProperty("d_model") int dModel,
        @JsonProperty("d_head") int dHead,
        @JsonProperty("d_vocab") int dVocab,
        @JsonProperty("n_ctx") int nCtx,
        @JsonProperty("attn_only") boolean attnOnly,
        @JsonProperty("d_mlp") Integer dMlp,
        @JsonProperty("act_fn") String actFn,
        @JsonProperty("normalization_type") String normalizationType,
        @JsonProperty("positional_embedding_type") String positionalEmbeddingType,
        @JsonProperty("eps") Double eps,
        @JsonProperty("model_name") String modelName) {

    public static final double DEFAULT_EPS = 1e-5;

    /** An attention-only model with LayerNorm and standard positions, the defaults of TransformerLens. */
    public static ModelConfig attnOnly(int nLayers, int nHeads, int dModel, int dHead, int dVocab, int nCtx) {
        return new ModelConfig(nLayers, nHeads, dModel, dHead, dVocab, nCtx, true, null, null, "LN", "standard",
                DEFAULT_EPS, null);
    }

    public ModelConfig withNormalization(String type) {
        return new ModelConfig(nLayers, nHeads, dModel, dHead, dVocab, nCtx, attnOnly, dMlp, actFn, type,
                positionalEmbeddingType, eps, modelName);
    }

    public ModelConfig withPositionalEmbedding(String type) {
        return new ModelConfig(nLayers, nHeads, dModel, dHead, dVocab, nCtx, attnOnly, dMlp, actFn,
                normalizationType, type, eps, modelName);
    }

    public ModelConfig withMlp(int width, String activation) {
        return new ModelConfig(nLayers, nHeads, dModel, dHead, dVocab, nCtx, false, width, activation,
                normalizationType, positionalEmbeddingType, eps, modelName);
    }

    /** The normalization kind, with TransformerLens' null mapped to {@link Normalization#NONE}. */
    public Normalization normalization() {
        if (normalizationType == null) {
            return Normalization.NONE;
        }
        return switch (normalizationType) {
            case "LN" -> Normalization.LN;
            case "LNPre" -> Normalization.LN_PRE;
            case "none", "None", "" -> Normalization.NONE;
            default -> throw new HeadLabException("normalization_type '" + normalizationType
                    + "' is not supported (expected LN, LNPre or null)");
        };
    }

    public boolean shortformer() {
        String p = positionalEmbeddingType == null ? "standard" : positionalEmbeddingType;
        return switch (p) {
            case "standard" -> false;
            case "shortformer" -> true;
            default -> throw new HeadLabException("positional_embedding_type '" + p
                    + "' is not supported (expected standard or shortformer)");
        };
    }

    public double epsOrDefault() {
        return eps == null ? DEFAULT_EPS : eps;
    }

    public String activation() {
        return actFn == null ? "gelu" : actFn.toLowerCase(Locale.ROOT);
    }

    public boolean hasMlp() {
        return !attnOnly;
    }

    public enum Normalization { LN, LN_PRE, NONE }

    /**
     * Checks every field HeadLab relies on and names the first bad one.
     *
     * @param source where the config came from (a file name), for the message
     */
    public ModelConfig validate(String source) {
        requirePositive(source, "n_layers", nLayers);
        requirePositive(source, "n_heads", nHeads);
        requirePositive(source, "d_model", dModel);
        requirePositive(source, "d_head", dHead);
        requirePositive(source, "d_vocab", dVocab);
        requirePositive(source, "n_ctx", nCtx);
        try {
            normalization();
            shortformer();
        } catch (HeadLabException e) {
            throw new HeadLabException(source + ": " + e.getMessage());
        }
        if (!attnOnly) {
            if (dMlp == null || dMlp <= 0) {
                throw new HeadLabException(source + ": d_mlp must be a positive integer when attn_only is false");
            }
            switch (activation()) {
                case "gelu", "gelu_new", "relu", "silu" -> { }
                default -> throw new HeadLabException(source + ": act_fn '" + actFn
                        + "' is not supported (expected gelu, gelu_new, relu or silu)");
            }
        }
        if (eps != null && !(eps > 0)) {
            throw new HeadLabException(source + ": eps must be positive, got " + eps);
        }
        return this;
    }

    private static void requirePositive(String source, String field, int value) {
        if (value <= 0) {
            throw new HeadLabException(source + ": " + field + " must be a positive integer, got " + value);
        }
    }

    /**
     * Every parameter this config implies, with its TransformerLens name and shape, in a fixed order
     * (embeddings, blocks in order, final norm, unembedding).
     */
    public Map<String, int[]> parameterShapes() {
        Map<String, int[]> p = new LinkedHashMap<>();
        p.put("embed.W_E", new int[] {dVocab, dModel});
        p.put("pos_embed.W_pos", new int[] {nCtx, dModel});
        boolean ln = normalization() == Normalization.LN;
        for (int l = 0; l < nLayers; l++) {
            String b = "blocks." + l + ".";
            if (ln) {
                p.put(b + "ln1.w", new int[] {dModel});
                p.put(b + "ln1.b", new int[] {dModel});
            }
            p.put(b + "attn.W_Q", new int[] {nHeads, dModel, dHead});
            p.put(b + "attn.W_K", new int[] {nHeads, dModel, dHead});
            p.put(b + "attn.W_V", new int[] {nHeads, dModel, dHead});
            p.put(b + "attn.W_O", new int[] {nHeads, dHead, dModel});
            p.put(b + "attn.b_Q", new int[] {nHeads, dHead});
            p.put(b + "attn.b_K", new int[] {nHeads, dHead});
            p.put(b + "attn.b_V", new int[] {nHeads, dHead});
            p.put(b + "attn.b_O", new int[] {dModel});
            if (!attnOnly) {
                if (ln) {
                    p.put(b + "ln2.w", new int[] {dModel});
                    p.put(b + "ln2.b", new int[] {dModel});
                }
                p.put(b + "mlp.W_in", new int[] {dModel, dMlp});
                p.put(b + "mlp.b_in", new int[] {dMlp});
                p.put(b + "mlp.W_out", new int[] {dMlp, dModel});
                p.put(b + "mlp.b_out", new int[] {dModel});
            }
        }
        if (ln) {
            p.put("ln_final.w", new int[] {dModel});
            p.put("ln_final.b", new int[] {dModel});
        }
        p.put("unembed.W_U", new int[] {dModel, dVocab});
        p.put("unembed.b_U", new int[] {dVocab});
        return p;
    }

    public long parameterCount() {
        long n = 0;
        for (int[] s : parameterShapes().values()) {
            n += HostTensor.numel(s);
        }
        return n;
    }
}
