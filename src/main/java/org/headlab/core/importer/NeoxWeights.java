package org.headlab.core.importer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.headlab.core.HeadLabException;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.ModelConfig;

/**
 * The GPT-NeoX family (Pythia) as Hugging Face saves it ({@code GPTNeoXForCausalLM}: config.json +
 * model.safetensors) in TransformerLens's names and layouts. Linear weights are stored [out, in] (the layer computes
 * x·Wᵀ + b); the fused {@code query_key_value} [3D, D] is viewed per head as [H, 3·d_head], so rows
 * h·3·d_head + part·d_head + j hold part (Q, K, V) of head h; rotary positions turn the first
 * rotary_pct·d_head dimensions of each head's queries and keys (GPT-NeoX's halves convention); attention and MLP
 * read the block's input side by side when {@code use_parallel_residual} (the default); {@code embed_out} is the
 * untied unembedding, b_U is 0.
 */
final class NeoxWeights {
    /** Buffers older GPT-NeoX checkpoints carry that are not parameters. */
    private static final String[] BUFFERS = {"attention.bias", "attention.masked_bias", "attention.rotary_emb.inv_freq"};

    private NeoxWeights() {
    }

    /** The model config of a GPT-NeoX config.json, or one line naming the field it cannot honour. */
    static ModelConfig config(JsonNode c, Path file) {
        int layers = ImportConfigs.integer(c, file, "num_hidden_layers");
        int heads = ImportConfigs.integer(c, file, "num_attention_heads");
        int d = ImportConfigs.integer(c, file, "hidden_size");
        int vocab = ImportConfigs.integer(c, file, "vocab_size");
        int ctx = ImportConfigs.integer(c, file, "max_position_embeddings");
        int mlp = ImportConfigs.integer(c, file, "intermediate_size");
        if (d % heads != 0) {
            throw new HeadLabException(file + ": hidden_size " + d + " is not a multiple of num_attention_heads "
                    + heads);
        }
        int dh = d / heads;
        String actFn = ImportConfigs.activation(c, file, "hidden_act", "gelu");
        JsonNode pct = c.get("rotary_pct");
        double rotaryPct = pct == null || pct.isNull() ? 1.0 : pct.asDouble(Double.NaN);
        if (!(rotaryPct > 0 && rotaryPct <= 1)) {
            throw new HeadLabException(file + ": field rotary_pct must be in (0, 1], not " + pct);
        }
        int rotaryDim = (int) (dh * rotaryPct); // as GPT-NeoX: int(head_size * rotary_pct)
        if (rotaryDim < 2 || rotaryDim % 2 != 0) {
            throw new HeadLabException(file + ": rotary_pct " + rotaryPct + " of head size " + dh + " gives "
                    + rotaryDim + " rotary dimensions; an even number ≥ 2 is needed");
        }
        if (c.hasNonNull("rope_scaling")) {
            throw new HeadLabException(file + ": rope_scaling " + c.get("rope_scaling") + " is not supported (plain"
                    + " rotary positions only)");
        }
        if (!c.path("attention_bias").asBoolean(true)) {
            throw new HeadLabException(file + ": attention_bias false is not supported (Pythia's attention has"
                    + " biases)");
        }
        double base = c.path("rotary_emb_base").asDouble(10000);
        double eps = c.path("layer_norm_eps").asDouble(1e-5);
        boolean parallel = c.path("use_parallel_residual").asBoolean(true);
        return new ModelConfig(layers, heads, d, dh, vocab, ctx, false, mlp, actFn, "LN", "rotary", eps,
                c.path("_name_or_path").asText(null), rotaryDim, base, null, parallel ? Boolean.TRUE : null);
    }

    /** One checkpoint's tensors (Hugging Face names) in TransformerLens names; {@code file} names it in errors. */
    static Map<String, HostTensor> toTransformerLens(Map<String, HostTensor> hf, ModelConfig c, Path file) {
        Map<String, HostTensor> in = new LinkedHashMap<>();
        hf.forEach((name, t) -> in.put(name.startsWith("gpt_neox.") ? name.substring("gpt_neox.".length())
                : name, t));
        Map<String, HostTensor> out = new LinkedHashMap<>();
        int d = c.dModel();
        int h = c.nHeads();
        int dh = c.dHead();
        int m = c.dMlp();
        Tensors t = new Tensors(in, file);
        out.put("embed.W_E", t.take("embed_in.weight", c.dVocab(), d));
        for (int l = 0; l < c.nLayers(); l++) {
            String p = "layers." + l + ".";
            String b = "blocks." + l + ".";
            out.put(b + "ln1.w", t.take(p + "input_layernorm.weight", d));
            out.put(b + "ln1.b", t.take(p + "input_layernorm.bias", d));
            float[] qkv = t.take(p + "attention.query_key_value.weight", 3 * d, d).data();
            float[] qkvBias = t.take(p + "attention.query_key_value.bias", 3 * d).data();
            String[] names = {"W_Q", "W_K", "W_V"};
            String[] biases = {"b_Q", "b_K", "b_V"};
            for (int part = 0; part < 3; part++) {
                float[] w = new float[h * d * dh];
                float[] bias = new float[h * dh];
                for (int head = 0; head < h; head++) {
                    for (int j = 0; j < dh; j++) {
                        int row = head * 3 * dh + part * dh + j;
                        for (int i = 0; i < d; i++) {
                            w[(head * d + i) * dh + j] = qkv[row * d + i];
                        }
                        bias[head * dh + j] = qkvBias[row];
                    }
                }
                out.put(b + "attn." + names[part], new HostTensor(new int[] {h, d, dh}, w));
                out.put(b + "attn." + biases[part], new HostTensor(new int[] {h, dh}, bias));
            }
            // dense [D, D] maps the concatenated head outputs (column head·d_head + j) to the residual stream
            HostTensor dense = t.take(p + "attention.dense.weight", d, d).transpose();
            out.put(b + "attn.W_O", new HostTensor(new int[] {h, dh, d}, dense.data()));
            out.put(b + "attn.b_O", t.take(p + "attention.dense.bias", d));
            out.put(b + "ln2.w", t.take(p + "post_attention_layernorm.weight", d));
            out.put(b + "ln2.b", t.take(p + "post_attention_layernorm.bias", d));
            out.put(b + "mlp.W_in", t.take(p + "mlp.dense_h_to_4h.weight", m, d).transpose());
            out.put(b + "mlp.b_in", t.take(p + "mlp.dense_h_to_4h.bias", m));
            out.put(b + "mlp.W_out", t.take(p + "mlp.dense_4h_to_h.weight", d, m).transpose());
            out.put(b + "mlp.b_out", t.take(p + "mlp.dense_4h_to_h.bias", d));
            for (String buffer : BUFFERS) {
                t.skip(p + buffer);
            }
        }
        out.put("ln_final.w", t.take("final_layer_norm.weight", d));
        out.put("ln_final.b", t.take("final_layer_norm.bias", d));
        HostTensor unembed = in.containsKey("embed_out.weight") ? t.take("embed_out.weight", c.dVocab(), d)
                : out.get("embed.W_E"); // tie_word_embeddings
        out.put("unembed.W_U", unembed.transpose());
        out.put("unembed.b_U", HostTensor.zeros(c.dVocab()));
        t.requireAllTaken();
        return out;
    }
}
