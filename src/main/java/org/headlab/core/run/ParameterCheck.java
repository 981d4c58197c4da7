package org.headlab.core.run;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.headlab.core.HeadLabException;

/**
 * Checks a checkpoint's tensors against the parameters the model config implies: the same names and shapes,
 * nothing missing and nothing unknown. TransformerLens also saves two buffers per attention layer (the causal
 * mask and the IGNORE constant, and the rotary sin/cos tables in rotary models) in its state dict; they are derived
 * from the config, so they are ignored.
 */
public final class ParameterCheck {
    private static final Pattern TRANSFORMER_LENS_BUFFER = Pattern.compile(
            "blocks\\.\\d+\\.attn\\.(mask|IGNORE|rotary_sin|rotary_cos)");

    private ParameterCheck() {
    }

    /** A buffer TransformerLens saves beside the parameters (derived from the config, so never read). */
    public static boolean isIgnoredBuffer(String name) {
        return TRANSFORMER_LENS_BUFFER.matcher(name).matches();
    }

    /** @param source the file (or description) to name in messages */
    static void check(ModelConfig config, Map<String, int[]> found, String source) {
        Map<String, int[]> expected = config.parameterShapes();
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            int[] shape = found.get(e.getKey());
            if (shape == null) {
                long missing = expected.keySet().stream().filter(n -> !found.containsKey(n)).count();
                throw new HeadLabException(source + ": tensor '" + e.getKey() + "' is missing (expected shape "
                        + Arrays.toString(e.getValue()) + ")" + (missing > 1 ? "; " + (missing - 1)
                        + " other parameter(s) missing too" : ""));
            }
            if (!Arrays.equals(shape, e.getValue())) {
                throw new HeadLabException(source + ": tensor '" + e.getKey() + "' has shape "
                        + Arrays.toString(shape) + ", expected " + Arrays.toString(e.getValue())
                        + " for this model config" + disagreement(e.getKey(), shape, e.getValue()));
            }
        }
        for (String name : found.keySet()) {
            if (!expected.containsKey(name) && !isIgnoredBuffer(name)) {
                throw new HeadLabException(source + ": unexpected tensor '" + name + "' (not a parameter of a "
                        + describe(config) + " model; names follow TransformerLens)");
            }
        }
    }

    /** Checks weights in memory (e.g. handed to a model) the same way; {@code source} names them in messages. */
    public static void checkWeights(ModelConfig config, Map<String, HostTensor> weights, String source) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        weights.forEach((name, t) -> shapes.put(name, t.shape()));
        check(config, shapes, source);
    }

    static void check(ModelConfig config, SafetensorsHeader header) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        header.tensors().forEach((name, entry) -> shapes.put(name, entry.shape()));
        check(config, shapes, header.file().toString());
        for (String name : config.parameterShapes().keySet()) {
            SafetensorsDtype dtype = header.tensors().get(name).dtype();
            if (!dtype.readableAsFloat()) {
                throw new HeadLabException(header.file() + ": tensor '" + name + "' has dtype " + dtype
                        + ", expected a float dtype (" + SafetensorsDtype.readable() + ")");
            }
        }
    }

    /**
     * Which field of the model config (run.json's "model") the tensor's shape disagrees with, e.g. "; the config's
     * d_model is 64, the tensor's 32": the message then points at the config field, not only at the tensor.
     */
    static String disagreement(String name, int[] found, int[] expected) {
        String[] fields = dimensionNames(name);
        if (fields == null || fields.length != expected.length || found.length != expected.length) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < fields.length; i++) {
            if (found[i] != expected[i]) {
                b.append(b.length() == 0 ? "; " : ", ").append("the config's ").append(fields[i]).append(" is ")
                        .append(expected[i]).append(", the tensor's ").append(found[i]);
            }
        }
        return b.toString();
    }

    /** The config fields that make up each dimension of a parameter, by TransformerLens name. */
    private static String[] dimensionNames(String name) {
        String last = name.substring(name.lastIndexOf('.') + 1);
        return switch (last) {
            case "W_E" -> new String[] {"d_vocab", "d_model"};
            case "W_pos" -> new String[] {"n_ctx", "d_model"};
            case "W_Q", "W_K", "W_V" -> new String[] {"n_heads", "d_model", "d_head"};
            case "W_O" -> new String[] {"n_heads", "d_head", "d_model"};
            case "b_Q", "b_K", "b_V" -> new String[] {"n_heads", "d_head"};
            case "b_O", "w", "b", "b_out" -> new String[] {"d_model"};
            case "W_in" -> new String[] {"d_model", "d_mlp"};
            case "b_in" -> new String[] {"d_mlp"};
            case "W_out" -> new String[] {"d_mlp", "d_model"};
            case "W_U" -> new String[] {"d_model", "d_vocab"};
            case "b_U" -> new String[] {"d_vocab"};
            default -> null;
        };
    }

    private static String describe(ModelConfig c) {
        return c.nLayers() + "-layer " + (c.attnOnly() ? "attention-only" : "MLP") + " "
                + c.normalization().name() + "-normalized";
    }
}
