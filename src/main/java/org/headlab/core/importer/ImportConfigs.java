package org.headlab.core.importer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.headlab.core.HeadLabException;

/** Reading fields of a foreign config file, each failure one line naming the file and the field. */
final class ImportConfigs {
    private ImportConfigs() {
    }

    static int integer(JsonNode c, Path file, String field) {
        JsonNode n = c.get(field);
        if (n == null || n.isNull()) {
            throw new HeadLabException(file + ": field " + field + " is missing");
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() <= 0) {
            throw new HeadLabException(file + ": field " + field + " must be a positive integer, not " + n);
        }
        return n.asInt();
    }

    /**
     * The TransformerLens activation of a Hugging Face config's activation field (ACT2FN names: the tanh
     * approximations gelu_new, gelu_pytorch_tanh and gelu_fast are one formula), or one line naming the field.
     */
    static String activation(JsonNode c, Path file, String field, String defaultValue) {
        String act = c.path(field).asText(defaultValue);
        return switch (act) {
            case "gelu" -> "gelu";
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> "gelu_new";
            case "relu" -> "relu";
            case "silu", "swish" -> "silu";
            default -> throw new HeadLabException(file + ": " + field + " '" + act + "' is not supported"
                    + " (gelu, gelu_new, relu, silu)");
        };
    }
}
