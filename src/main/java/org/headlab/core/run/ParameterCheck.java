package org.headlab.core.run;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.headlab.core.HeadLabException;

/**
 * Checks a checkpoint's tensors against the parameters the model config implies: the same names and shapes,
 * nothing missing and nothing unknown. TransformerLens also saves two buffers per attention layer (the causal
 * mask and the IGNORE constant) in its state dict; they are derived from the config, so they are ignored.
 */
public final class ParameterCheck {
    private static final Pattern TRANSFORMER_LENS_BUFFER = Pattern.compile("blocks\\.\\d+\\.attn\\.(mask|IGNORE)");

    private ParameterCheck() {
    }

    static boolean isIgnoredBuffer(String name) {
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
                        + " for this model config");
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

    private static String describe(ModelConfig c) {
        return c.nLayers() + "-layer " + (c.attnOnly() ? "attention-only" : "MLP") + " "
                + c.normalization().name() + "-normalized";
    }
}
