package org.headlab.core.figure;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a figure's data came from, written to {@code <name>.provenance.json} beside every export so the figure can
 * be traced and remade: the run, the checkpoint(s) and their content hashes, the estimator with all its
 * parameters, the seed, the dataset slice, the labels used, and anything else the producer wants to keep
 * ({@code extra}). The exporter adds the app version, the creation time and the output's format and size.
 *
 * <p>Every field may be null or empty when it does not apply (an attention map has no estimator); the sidecar
 * still names the field with null so a reader sees it was considered.
 */
public record Provenance(String run, String runDir, List<Integer> checkpoints, Map<String, String> checkpointHashes,
        String estimator, Map<String, Object> parameters, Long seed, String datasetSlice,
        Map<String, Object> labels, Map<String, Object> extra) {

    public Provenance {
        checkpoints = checkpoints == null ? List.of() : List.copyOf(checkpoints);
        checkpointHashes = checkpointHashes == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(checkpointHashes));
        parameters = parameters == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        labels = labels == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        extra = extra == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    /** No source recorded: for figures of made-up data (tests, previews). */
    public static Provenance none() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding every field of this provenance, to add to it. */
    public Builder toBuilder() {
        Builder b = new Builder().run(run, runDir).checkpoints(checkpoints).estimator(estimator, parameters)
                .seed(seed).datasetSlice(datasetSlice).labels(labels);
        checkpointHashes.forEach((k, v) -> b.hashes.put(k, v));
        extra.forEach(b::extra);
        return b;
    }

    /** The fields in a stable order, snake_case, as they go into the sidecar. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run", run);
        m.put("run_dir", runDir);
        m.put("checkpoints", checkpoints);
        m.put("checkpoint_hashes", checkpointHashes);
        m.put("estimator", estimator);
        m.put("parameters", parameters);
        m.put("seed", seed);
        m.put("dataset_slice", datasetSlice);
        m.put("labels", labels);
        m.putAll(extra);
        return m;
    }

    public static final class Builder {
        private String run;
        private String runDir;
        private final List<Integer> checkpoints = new ArrayList<>();
        private final Map<String, String> hashes = new LinkedHashMap<>();
        private String estimator;
        private final Map<String, Object> parameters = new LinkedHashMap<>();
        private Long seed;
        private String datasetSlice;
        private Map<String, Object> labels;
        private final Map<String, Object> extra = new LinkedHashMap<>();

        public Builder run(String name, String dir) {
            this.run = name;
            this.runDir = dir;
            return this;
        }

        /** A checkpoint used, with its content hash (null if unknown). */
        public Builder checkpoint(int step, String contentHash) {
            checkpoints.add(step);
            if (contentHash != null) {
                hashes.put(Integer.toString(step), contentHash);
            }
            return this;
        }

        /** The content hash of a checkpoint already listed (or listed later). */
        public Builder checkpointHash(int step, String contentHash) {
            hashes.put(Integer.toString(step), contentHash);
            return this;
        }

        /** The checkpoints already listed, each step once. */
        public List<Integer> checkpointSteps() {
            return List.copyOf(new java.util.LinkedHashSet<>(checkpoints));
        }

        /** The parameters given so far. */
        public Map<String, Object> parameters() {
            return Collections.unmodifiableMap(parameters);
        }

        public Builder checkpoints(List<Integer> steps) {
            checkpoints.addAll(steps);
            return this;
        }

        public Builder estimator(String name, Map<String, ?> params) {
            this.estimator = name;
            if (params != null) {
                parameters.putAll(params);
            }
            return this;
        }

        public Builder parameter(String name, Object value) {
            parameters.put(name, value);
            return this;
        }

        public Builder seed(Long seed) {
            this.seed = seed;
            return this;
        }

        public Builder datasetSlice(String slice) {
            this.datasetSlice = slice;
            return this;
        }

        /** The head labels the figure used (e.g. {"1:6": "induction"}) or where they came from. */
        public Builder labels(Map<String, ?> labels) {
            this.labels = labels == null ? null : new LinkedHashMap<>(labels);
            return this;
        }

        public Builder extra(String key, Object value) {
            extra.put(key, value);
            return this;
        }

        public Provenance build() {
            return new Provenance(run, runDir, checkpoints, hashes, estimator, parameters, seed, datasetSlice, labels,
                    extra);
        }
    }
}
