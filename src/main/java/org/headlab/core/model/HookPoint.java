package org.headlab.core.model;

/**
 * The places in the forward pass where activations can be recorded or replaced, named after TransformerLens hooks.
 * Shapes use B = batch, T = positions, H = heads, D = d_model, V = d_vocab.
 */
public enum HookPoint {
    /** {@code blocks.l.hook_resid_pre}: the residual stream entering layer l, [B,T,D]. */
    RESID_PRE(true),
    /**
     * {@code blocks.l.hook_q_input}: the residual stream entering layer l, one copy per head, [B,T,H,D], before the
     * layer's normalization (TransformerLens' {@code use_split_qkv_input}). Only passes that ask for split inputs
     * (recording it, or a hook whose {@link ActivationHook#splitsQkvInput()} is true) visit it. A replaced copy of
     * head h feeds only head h's queries.
     */
    Q_INPUT(true),
    /** {@code blocks.l.hook_k_input}: as {@link #Q_INPUT}, for the keys. */
    K_INPUT(true),
    /** {@code blocks.l.hook_v_input}: as {@link #Q_INPUT}, for the values. */
    V_INPUT(true),
    /** {@code blocks.l.attn.hook_attn_scores}: scaled scores after the causal mask, [B,H,T,T]. */
    ATTN_SCORES(true),
    /** {@code blocks.l.attn.hook_pattern}: softmax of the scores, [B,H,T(query),T(key)]. */
    PATTERN(true),
    /** {@code blocks.l.attn.hook_z}: per-head weighted values, [B,T,H,d_head]. */
    Z(true),
    /** {@code blocks.l.hook_attn_out}: the attention layer's contribution incl. b_O, [B,T,D]. */
    ATTN_OUT(true),
    /** {@code blocks.l.hook_resid_mid}: the residual stream between attention and MLP, [B,T,D]; MLP models only. */
    RESID_MID(true),
    /** {@code blocks.l.hook_mlp_out}: the MLP's contribution, [B,T,D]; MLP models only. */
    MLP_OUT(true),
    /** {@code blocks.l.hook_resid_post}: the residual stream leaving layer l, [B,T,D]; the last one is resid_final. */
    RESID_POST(true),
    /** The unembedding output, [B,T,V]; not tied to a layer (layer index {@link #NO_LAYER}). */
    LOGITS(false);

    /** The layer index passed for points that belong to no layer. */
    public static final int NO_LAYER = -1;

    private final boolean perLayer;

    HookPoint(boolean perLayer) {
        this.perLayer = perLayer;
    }

    public boolean perLayer() {
        return perLayer;
    }
}
