package org.headlab.core.estimate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.headlab.core.HeadLabException;
import org.headlab.core.Json;

/**
 * What one task produced: flat, namespaced metrics as devinterp writes them ({@code llc/mean},
 * {@code ablation/zero/delta_loss}, {@code loss/per_window}), each a number or an array of numbers.
 * Non-finite numbers are kept (a diverged chain's NaN is a finding) and written as the strings "NaN",
 * "Infinity", "-Infinity" because JSON has no such numbers.
 */
public final class EstimatorResult {
    private static final Pattern KEY = Pattern.compile("[a-z0-9_]+(/[a-z0-9_.\\-]+)+");

    private final SortedMap<String, JsonNode> metrics;

    private EstimatorResult(SortedMap<String, JsonNode> metrics) {
        this.metrics = Collections.unmodifiableSortedMap(metrics);
    }

    public static Builder builder() {
        return new Builder();
    }

    public SortedMap<String, JsonNode> metrics() {
        return metrics;
    }

    /** A scalar metric as a double (NaN for a stored "NaN"). */
    public double number(String key) {
        return toDouble(require(key));
    }

    public double[] array(String key) {
        JsonNode n = require(key);
        if (!n.isArray()) {
            throw new IllegalArgumentException("metric '" + key + "' is not an array");
        }
        double[] out = new double[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = toDouble(n.get(i));
        }
        return out;
    }

    private JsonNode require(String key) {
        JsonNode n = metrics.get(key);
        if (n == null) {
            throw new IllegalArgumentException("no metric '" + key + "' (have " + metrics.keySet() + ")");
        }
        return n;
    }

    private static double toDouble(JsonNode n) {
        return n.isTextual() ? Double.parseDouble(n.textValue()) : n.doubleValue();
    }

    /**
     * {@code v} rounded to {@code digits} significant decimal digits (0, NaN and ±∞ kept): how a metric is stored when
     * the digits past these say nothing (an error bar's third digit, a minibatch loss below its noise).
     */
    public static double significant(double v, int digits) {
        return !Double.isFinite(v) || v == 0 ? v
                : new java.math.BigDecimal(v).round(new java.math.MathContext(digits)).doubleValue();
    }

    /** Compact JSON with sorted keys: what the store keeps. */
    public String toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        metrics.forEach(o::set);
        try {
            return Json.mapper().writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static EstimatorResult fromJson(String json) {
        try {
            JsonNode n = Json.mapper().readTree(json);
            if (n == null || !n.isObject()) {
                throw new HeadLabException("stored metrics are not a JSON object: " + json);
            }
            SortedMap<String, JsonNode> m = new TreeMap<>();
            n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue()));
            return new EstimatorResult(m);
        } catch (JsonProcessingException e) {
            throw new HeadLabException("stored metrics are not valid JSON: " + Json.describe(e));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EstimatorResult r && metrics.equals(r.metrics);
    }

    @Override
    public int hashCode() {
        return metrics.hashCode();
    }

    @Override
    public String toString() {
        return toJson();
    }

    public static final class Builder {
        private final SortedMap<String, JsonNode> metrics = new TreeMap<>();

        public Builder put(String key, double value) {
            return set(key, number(value));
        }

        public Builder put(String key, long value) {
            return set(key, LongNode.valueOf(value));
        }

        public Builder put(String key, double[] values) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode(values.length);
            for (double v : values) {
                a.add(number(v));
            }
            return set(key, a);
        }

        /** An array stored to {@code digits} significant digits ({@link EstimatorResult#significant}). */
        public Builder put(String key, double[] values, int digits) {
            double[] rounded = new double[values.length];
            for (int i = 0; i < rounded.length; i++) {
                rounded[i] = significant(values[i], digits);
            }
            return put(key, rounded);
        }

        /** Every metric of {@code other} (an estimator that stores another's result beside its own). */
        public Builder putAll(EstimatorResult other) {
            other.metrics().forEach(this::set);
            return this;
        }

        /** The metrics of {@code other} that this builder does not hold yet. */
        public Builder putMissing(EstimatorResult other) {
            other.metrics().forEach((k, v) -> {
                if (!metrics.containsKey(k)) {
                    set(k, v);
                }
            });
            return this;
        }

        private Builder set(String key, JsonNode value) {
            if (!KEY.matcher(key).matches()) {
                throw new IllegalArgumentException("metric keys are namespaced snake_case like 'llc/mean': '"
                        + key + "'");
            }
            if (metrics.put(key, value) != null) {
                throw new IllegalArgumentException("metric '" + key + "' set twice");
            }
            return this;
        }

        private static JsonNode number(double v) {
            return Double.isFinite(v) ? DoubleNode.valueOf(v == 0.0 ? 0.0 : v) : TextNode.valueOf(Double.toString(v));
        }

        public EstimatorResult build() {
            if (metrics.isEmpty()) {
                throw new IllegalStateException("a result needs at least one metric");
            }
            return new EstimatorResult(new TreeMap<>(metrics));
        }
    }
}
