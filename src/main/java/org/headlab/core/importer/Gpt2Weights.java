package org.headlab.core.importer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.headlab.core.HeadLabException;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;

/**
 * The GPT-2 family as Hugging Face saves it ({@code GPT2LMHeadModel}: config.json + model.safetensors) in
 * TransformerLens's names and layouts. Conv1D weights are stored [in, out] (the layer computes x·W + b); the fused
 * {@code c_attn} holds [Q | K | V] along its output, each split into heads of n_embd / n_head columns; the
 * unembedding is the transposed token embedding unless the file has its own {@code lm_head.weight}; b_U is 0.
 */
final class Gpt2Weights {
    /** Buffers some GPT-2 checkpoints carry that are not parameters (the causal mask). */
    private static final Set<String> BUFFERS = Set.of("attn.bias", "attn.masked_bias");

    private Gpt2Weights() {
    }

    /** The model config of a GPT-2 config.json, or one line naming the field it cannot honour. */
    static ModelConfig config(JsonNode c, Path file) {
        int layers = ImportConfigs.integer(c, file, "n_layer");
        int heads = ImportConfigs.integer(c, file, "n_head");
        int d = ImportConfigs.integer(c, file, "n_embd");
        int vocab = ImportConfigs.integer(c, file, "vocab_size");
        int ctx = c.hasNonNull("n_positions") ? ImportConfigs.integer(c, file, "n_positions")
                : ImportConfigs.integer(c, file, "n_ctx");
        if (d % heads != 0) {
            throw new HeadLabException(file + ": n_embd " + d + " is not a multiple of n_head " + heads);
        }
        int mlp = c.hasNonNull("n_inner") ? ImportConfigs.integer(c, file, "n_inner") : 4 * d;
        String actFn = ImportConfigs.activation(c, file, "activation_function", "gelu_new");
        if (c.path("scale_attn_by_inverse_layer_idx").asBoolean(false)) {
            throw new HeadLabException(file + ": scale_attn_by_inverse_layer_idx true is not supported (attention"
                    + " scores are scaled by 1/sqrt(d_head) only)");
        }
        if (!c.path("scale_attn_weights").asBoolean(true)) {
            throw new HeadLabException(file + ": scale_attn_weights false is not supported");
        }
        if (c.path("add_cross_attention").asBoolean(false)) {
            throw new HeadLabException(file + ": add_cross_attention true (an encoder-decoder) is not supported");
        }
        double eps = c.path("layer_norm_epsilon").asDouble(1e-5);
        return new ModelConfig(layers, heads, d, d / heads, vocab, ctx, false, mlp, actFn, "LN", "standard", eps,
                c.path("_name_or_path").asText(null), null, null, null, null);
    }

    /** One checkpoint's tensors (Hugging Face names) in TransformerLens names; {@code file} names it in errors. */
    static Map<String, HostTensor> toTransformerLens(Map<String, HostTensor> hf, ModelConfig c, Path file) {
        Map<String, HostTensor> in = new LinkedHashMap<>();
        hf.forEach((name, t) -> in.put(name.startsWith("transformer.") ? name.substring("transformer.".length())
                : name, t));
        Map<String, HostTensor> out = new LinkedHashMap<>();
        int d = c.dModel();
        int h = c.nHeads();
        int dh = c.dHead();
        Tensors t = new Tensors(in, file);
        out.put("embed.W_E", t.take("wte.weight", c.dVocab(), d));
        out.put("pos_embed.W_pos", t.take("wpe.weight", c.nCtx(), d));
        for (int l = 0; l < c.nLayers(); l++) {
            String p = "h." + l + ".";
            String b = "blocks." + l + ".";
            out.put(b + "ln1.w", t.take(p + "ln_1.weight", d));
            out.put(b + "ln1.b", t.take(p + "ln_1.bias", d));
            HostTensor qkv = t.take(p + "attn.c_attn.weight", d, 3 * d);
            HostTensor qkvBias = t.take(p + "attn.c_attn.bias", 3 * d);
            String[] names = {"W_Q", "W_K", "W_V"};
            String[] biases = {"b_Q", "b_K", "b_V"};
            for (int part = 0; part < 3; part++) {
                float[] w = new float[h * d * dh];
                float[] bias = new float[h * dh];
                for (int head = 0; head < h; head++) {
                    for (int j = 0; j < dh; j++) {
                        int col = part * d + head * dh + j;
                        for (int i = 0; i < d; i++) {
                            w[(head * d + i) * dh + j] = qkv.data()[i * 3 * d + col];
                        }
                        bias[head * dh + j] = qkvBias.data()[col];
                    }
                }
                out.put(b + "attn." + names[part], new HostTensor(new int[] {h, d, dh}, w));
                out.put(b + "attn." + biases[part], new HostTensor(new int[] {h, dh}, bias));
            }
            // c_proj [d, d]: row index = head·d_head + j of the concatenated head outputs, so W_O[h][j] is a row
            HostTensor proj = t.take(p + "attn.c_proj.weight", d, d);
            out.put(b + "attn.W_O", new HostTensor(new int[] {h, dh, d}, proj.data().clone()));
            out.put(b + "attn.b_O", t.take(p + "attn.c_proj.bias", d));
            out.put(b + "ln2.w", t.take(p + "ln_2.weight", d));
            out.put(b + "ln2.b", t.take(p + "ln_2.bias", d));
            out.put(b + "mlp.W_in", t.take(p + "mlp.c_fc.weight", d, c.dMlp()));
            out.put(b + "mlp.b_in", t.take(p + "mlp.c_fc.bias", c.dMlp()));
            out.put(b + "mlp.W_out", t.take(p + "mlp.c_proj.weight", c.dMlp(), d));
            out.put(b + "mlp.b_out", t.take(p + "mlp.c_proj.bias", d));
            for (String buffer : BUFFERS) {
                t.skip(p + buffer);
            }
        }
        out.put("ln_final.w", t.take("ln_f.weight", d));
        out.put("ln_final.b", t.take("ln_f.bias", d));
        HostTensor unembed = in.containsKey("lm_head.weight") ? t.take("lm_head.weight", c.dVocab(), d)
                : out.get("embed.W_E");
        out.put("unembed.W_U", unembed.transpose());
        out.put("unembed.b_U", HostTensor.zeros(c.dVocab()));
        t.requireAllTaken();
        return out;
    }
}
