package org.headlab.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.headlab.core.HeadLabException;

/**
 * The structure of run.json, checked on the JSON tree before binding so that a missing or mistyped field is
 * reported by its path ({@code checkpoints[2].step}) rather than as a zero or null surfacing later.
 */
final class ManifestShape {
    private static final List<String> REQUIRED_MODEL_INTS =
            List.of("n_layers", "n_heads", "d_model", "d_head", "d_vocab", "n_ctx");

    private final Path file;

    ManifestShape(Path file) {
        this.file = file;
    }

    void check(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new HeadLabException(file + ": must be a JSON object");
        }
        requireText(root, "", "format");
        requireText(root, "", "name");
        optionalText(root, "", "description");
        JsonNode model = require(root, "", "model", JsonNode::isObject, "an object");
        for (String key : REQUIRED_MODEL_INTS) {
            require(model, "model.", key, JsonNode::isIntegralNumber, "an integer");
        }
        if (has(root, "tokenizer")) {
            JsonNode tokenizer = require(root, "", "tokenizer", JsonNode::isObject, "an object");
            requireText(tokenizer, "tokenizer.", "type");
            optionalText(tokenizer, "tokenizer.", "file");
        }
        if (has(root, "datasets")) {
            JsonNode datasets = require(root, "", "datasets", JsonNode::isArray, "a list");
            for (int i = 0; i < datasets.size(); i++) {
                String at = "datasets[" + i + "]";
                JsonNode d = item(datasets, i, at, "{name, file, description}");
                requireText(d, at + ".", "name");
                requireText(d, at + ".", "file");
                optionalText(d, at + ".", "description");
            }
        }
        JsonNode checkpoints = require(root, "", "checkpoints", JsonNode::isArray, "a list");
        for (int i = 0; i < checkpoints.size(); i++) {
            String at = "checkpoints[" + i + "]";
            JsonNode c = item(checkpoints, i, at, "{step, file}");
            require(c, at + ".", "step", JsonNode::isIntegralNumber, "an integer");
            requireText(c, at + ".", "file");
        }
        if (has(root, "training")) {
            require(root, "", "training", JsonNode::isObject, "an object");
        }
    }

    private static boolean has(JsonNode node, String key) {
        return node.has(key) && !node.get(key).isNull();
    }

    private JsonNode item(JsonNode array, int i, String at, String shape) {
        JsonNode node = array.get(i);
        if (!node.isObject()) {
            throw new HeadLabException(file + ": field '" + at + "' must be an object " + shape);
        }
        return node;
    }

    private void requireText(JsonNode node, String prefix, String key) {
        require(node, prefix, key, JsonNode::isTextual, "a string");
    }

    private void optionalText(JsonNode node, String prefix, String key) {
        if (has(node, key)) {
            requireText(node, prefix, key);
        }
    }

    private JsonNode require(JsonNode node, String prefix, String key, java.util.function.Predicate<JsonNode> ok,
            String expected) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            throw new HeadLabException(file + ": field '" + prefix + key + "' is missing (expected " + expected
                    + ")");
        }
        if (!ok.test(value)) {
            throw new HeadLabException(file + ": field '" + prefix + key + "' must be " + expected + ", found "
                    + value.getNodeType().toString().toLowerCase(java.util.Locale.ROOT) + " " + abbreviate(value));
        }
        return value;
    }

    private static String abbreviate(JsonNode value) {
        String s = value.toString();
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
