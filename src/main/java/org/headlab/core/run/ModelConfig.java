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
 * @param normalizationType also "RMS" (RMSNorm with a weight) and "RMSPre" (RMSNorm without), as TransformerLens.
 * @param positionalEmbeddingType "standard" (W_pos added to the residual stream), "shortformer" (W_pos added to
 *     the query and key inputs of every layer only) or "rotary" (no W_pos: queries and keys rotated by position,
 *     GPT-NeoX convention, on the first {@code rotaryDim} dimensions of each head).
 * @param rotaryDim rotated dimensions per head (even, ≤ d_head; TransformerLens' default d_head); rotary only.
 * @param rotaryBase the rotation frequencies' base (default 10000); rotary only.
 * @param rotaryAdjacentPairs TransformerLens' GPT-J convention (rotate adjacent pairs); only false (GPT-NeoX's
 *     halves) is supported.
 * @param parallelAttnMlp attention and MLP both read resid_pre and are added to it together (GPT-NeoX, GPT-J).
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
        @JsonProperty("model_name") String modelName,
        @JsonProperty("rotary_dim") Integer rotaryDim,
        @JsonProperty("rotary_base") Double rotaryBase,
        @JsonProperty("rotary_adjacent_pairs") Boolean rotaryAdjacentPairs,
        @JsonProperty("parallel_attn_mlp") Boolean parallelAttnMlp) {

    public static final double DEFAULT_EPS = 1e-5;

    /** An attention-only model with LayerNorm and standard positions, the defaults of TransformerLens. */
    public static ModelConfig attnOnly(int nLayers, int nHeads, int dModel, int dHead, int dVocab, int nCtx) {
        return new ModelConfig(nLayers, nHeads, dModel, dHead, dVocab, nCtx, true, null, null, "LN", "standard",
                DEFAULT_EPS, null, null, null, null, null);
    }

    public ModelConfig withNormalization(String type) {
        return new ModelConfig(nLayers, nHeads, dModel, dHead, dVocab, nCtx, attnOnly, dMlp, actFn, type,
                positionalEmbeddingType, eps, modelName, rotaryDim, rotaryBase, rotaryAdjacentPairs, parallelAttnMlp);
    }

    public ModelConfig withPositionalEmbedding(String type) {
        return new ModelConfig(nLayers, nHeads, dModel, dHead, dVocab, nCtx, attnOnly, dMlp, actFn,
                normalizationType, type, eps, modelName, rotaryDim, rotaryBase, rotaryAdjacentPairs, parallelAttnMlp);
    }

    /** Rotary positions on the first {@code dims} dimensions of each head, frequencies from {@code base}. */
    public ModelConfig withRotary(int dims, double base) {
        return new ModelConfig(nLayers, nHeads, dModel, dHead, dVocab, nCtx, attnOnly, dMlp, actFn,
                normalizationType, "rotary", eps, modelName, dims, base, null, parallelAttnMlp);
    }

    /** Attention and MLP in parallel from resid_pre (GPT-NeoX), or in sequence. */
    public ModelConfig withParallelAttnMlp(boolean parallel) {
        return new ModelConfig(nLayers, nHeads, dModel, dHead, dVocab, nCtx, attnOnly, dMlp, actFn,
                normalizationType, positionalEmbeddingType, eps, modelName, rotaryDim, rotaryBase,
                rotaryAdjacentPairs, parallel ? Boolean.TRUE : null);
    }

    public ModelConfig withEps(double value) {
        return new ModelConfig(nLayers, nHeads, dModel, dHead, dVocab, nCtx, attnOnly, dMlp, actFn,
                normalizationType, positionalEmbeddingType, value, modelName, rotaryDim, rotaryBase,
                rotaryAdjacentPairs, parallelAttnMlp);
    }

    public ModelConfig withMlp(int width, String activation) {
        return new ModelConfig(nLayers, nHeads, dModel, dHead, dVocab, nCtx, false, width, activation,
                normalizationType, positionalEmbeddingType, eps, modelName, rotaryDim, rotaryBase,
                rotaryAdjacentPairs, parallelAttnMlp);
    }

    /** The normalization kind, with TransformerLens' null mapped to {@link Normalization#NONE}. */
    public Normalization normalization() {
        if (normalizationType == null) {
            return Normalization.NONE;
        }
        return switch (normalizationType) {
            case "LN" -> Normalization.LN;
            case "LNPre" -> Normalization.LN_PRE;
            case "RMS" -> Normalization.RMS;
            case "RMSPre" -> Normalization.RMS_PRE;
            case "none", "None", "" -> Normalization.NONE;
            default -> throw new HeadLabException("normalization_type '" + normalizationType
                    + "' is not supported (expected LN, LNPre, RMS, RMSPre or null)");
        };
    }

    /** How positions enter the model. */
    public enum Positions { STANDARD, SHORTFORMER, ROTARY }

    public Positions positions() {
        String p = positionalEmbeddingType == null ? "standard" : positionalEmbeddingType;
        return switch (p) {
            case "standard" -> Positions.STANDARD;
            case "shortformer" -> Positions.SHORTFORMER;
            case "rotary" -> Positions.ROTARY;
            default -> throw new HeadLabException("positional_embedding_type '" + p
                    + "' is not supported (expected standard, shortformer or rotary)");
        };
    }

    public boolean shortformer() {
        return positions() == Positions.SHORTFORMER;
    }

    public boolean rotary() {
        return positions() == Positions.ROTARY;
    }

    /**
     * "standard positions", "shortformer positions" or "rotary positions on 4 of 8 dims", plus ", parallel
     * attention + MLP" when so.
     */
    public String positionsInWords() {
        String p = switch (positions()) {
            case STANDARD -> "standard positions";
            case SHORTFORMER -> "shortformer positions";
            case ROTARY -> "rotary positions on " + rotaryDimOrDefault() + " of " + dHead + " dims";
        };
        return p + (parallelBlocks() ? ", parallel attention + MLP" : "");
    }

    /** Rotated dimensions per head (d_head when the config does not say, as TransformerLens). */
    public int rotaryDimOrDefault() {
        return rotaryDim == null ? dHead : rotaryDim;
    }

    public double rotaryBaseOrDefault() {
        return rotaryBase == null ? 10000 : rotaryBase;
    }

    /** Whether attention and MLP read resid_pre side by side (only meaningful with an MLP). */
    public boolean parallelBlocks() {
        return Boolean.TRUE.equals(parallelAttnMlp) && !attnOnly;
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

    public enum Normalization {
        LN, LN_PRE, RMS, RMS_PRE, NONE;

        /** Whether the norm has a weight ({@code .w}) and a bias ({@code .b}). */
        public boolean weighted() {
            return this == LN || this == RMS;
        }

        public boolean biased() {
            return this == LN;
        }
    }

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
            positions();
        } catch (HeadLabException e) {
            throw new HeadLabException(source + ": " + e.getMessage());
        }
        if (rotary()) {
            int rd = rotaryDimOrDefault();
            if (rd <= 0 || rd % 2 != 0 || rd > dHead) {
                throw new HeadLabException(source + ": rotary_dim must be a positive even number ≤ d_head (" + dHead
                        + "), got " + rd);
            }
            if (!(rotaryBaseOrDefault() > 0)) {
                throw new HeadLabException(source + ": rotary_base must be positive, got " + rotaryBase);
            }
            if (Boolean.TRUE.equals(rotaryAdjacentPairs)) {
                throw new HeadLabException(source + ": rotary_adjacent_pairs true (GPT-J's rotation of adjacent"
                        + " pairs) is not supported; only GPT-NeoX's rotation of halves (false)");
            }
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
        if (!rotary()) {
            p.put("pos_embed.W_pos", new int[] {nCtx, dModel});
        }
        for (int l = 0; l < nLayers; l++) {
            String b = "blocks." + l + ".";
            putNorm(p, b + "ln1");
            p.put(b + "attn.W_Q", new int[] {nHeads, dModel, dHead});
            p.put(b + "attn.W_K", new int[] {nHeads, dModel, dHead});
            p.put(b + "attn.W_V", new int[] {nHeads, dModel, dHead});
            p.put(b + "attn.W_O", new int[] {nHeads, dHead, dModel});
            p.put(b + "attn.b_Q", new int[] {nHeads, dHead});
            p.put(b + "attn.b_K", new int[] {nHeads, dHead});
            p.put(b + "attn.b_V", new int[] {nHeads, dHead});
            p.put(b + "attn.b_O", new int[] {dModel});
            if (!attnOnly) {
                putNorm(p, b + "ln2");
                p.put(b + "mlp.W_in", new int[] {dModel, dMlp});
                p.put(b + "mlp.b_in", new int[] {dMlp});
                p.put(b + "mlp.W_out", new int[] {dMlp, dModel});
                p.put(b + "mlp.b_out", new int[] {dModel});
            }
        }
        putNorm(p, "ln_final");
        p.put("unembed.W_U", new int[] {dModel, dVocab});
        p.put("unembed.b_U", new int[] {dVocab});
        return p;
    }

    private void putNorm(Map<String, int[]> p, String name) {
        if (normalization().weighted()) {
            p.put(name + ".w", new int[] {dModel});
        }
        if (normalization().biased()) {
            p.put(name + ".b", new int[] {dModel});
        }
    }

    public long parameterCount() {
        long n = 0;
        for (int[] s : parameterShapes().values()) {
            n += HostTensor.numel(s);
        }
        return n;
    }
}
