package org.headlab.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.headlab.core.HeadLabException;
import org.headlab.core.data.TokenizerSpec;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.run.SafetensorsDtype;

/**
 * Everything a training run depends on. Two specs that are equal produce bit-identical runs on one machine, and a
 * resumed run must have the spec it was started with.
 *
 * @param datasets the slices written to {@code data/<name>.jsonl}; the ones named in {@code trainSlices} are trained
 *     on (their documents packed together, in this order), the ones named in {@code heldoutSlices} (possibly none)
 *     each give a held-out loss at every checkpoint
 * @param facts extra free-form facts for run.json's {@code training} (the generator settings, the command line)
 * @param tokenizerFile the content of the file a {@code huggingface} tokenizer names (written into the run), or null
 *     when the tokenizer lives in run.json
 * @param sinusoidalPositions start W_pos from sinusoids instead of noise (see
 *     {@link org.headlab.core.run.RandomWeights#withSinusoidalPositions})
 * @param checkpointDtype how the finished run stores its checkpoints, F32 or F16 (half the bytes). Training and the
 *     training folder are float32 either way, so this is not part of the fingerprint: an interrupted training may be
 *     finished with another choice
 * @param extraCheckpoints steps saved on top of the dense-early schedule of {@code checkpoints} (e.g. densely across
 *     a stage found by an earlier run), kept ascending and distinct; empty for none
 */
public record TrainingSpec(String name, String description, ModelConfig config, TokenizerSpec tokenizer,
        List<Slice> datasets, List<String> trainSlices, List<String> heldoutSlices, int steps, int batchSize,
        AdamW.Settings adam, double clipNorm, long seed, int checkpoints, Map<String, Object> facts,
        String tokenizerFile, boolean sinusoidalPositions, SafetensorsDtype checkpointDtype,
        List<Integer> extraCheckpoints) {

    /** A spec whose run stores float32 checkpoints. */
    public TrainingSpec(String name, String description, ModelConfig config, TokenizerSpec tokenizer,
            List<Slice> datasets, List<String> trainSlices, List<String> heldoutSlices, int steps, int batchSize,
            AdamW.Settings adam, double clipNorm, long seed, int checkpoints, Map<String, Object> facts,
            String tokenizerFile, boolean sinusoidalPositions) {
        this(name, description, config, tokenizer, datasets, trainSlices, heldoutSlices, steps, batchSize, adam,
                clipNorm, seed, checkpoints, facts, tokenizerFile, sinusoidalPositions, SafetensorsDtype.F32, List.of());
    }

    /** A spec whose tokenizer lives in run.json. */
    public TrainingSpec(String name, String description, ModelConfig config, TokenizerSpec tokenizer,
            List<Slice> datasets, List<String> trainSlices, List<String> heldoutSlices, int steps, int batchSize,
            AdamW.Settings adam, double clipNorm, long seed, int checkpoints, Map<String, Object> facts) {
        this(name, description, config, tokenizer, datasets, trainSlices, heldoutSlices, steps, batchSize, adam,
                clipNorm, seed, checkpoints, facts, null, false);
    }

    /** One named slice of texts; each text is tokenized and given a BOS (if the tokenizer has one). */
    public record Slice(String name, String description, List<String> texts) {
        public Slice {
            texts = List.copyOf(texts);
        }
    }

    /** One training slice and at most one held-out slice (null for none). */
    public TrainingSpec(String name, String description, ModelConfig config, TokenizerSpec tokenizer,
            List<Slice> datasets, String trainSlice, String heldoutSlice, int steps, int batchSize,
            AdamW.Settings adam, double clipNorm, long seed, int checkpoints, Map<String, Object> facts) {
        this(name, description, config, tokenizer, datasets, List.of(trainSlice),
                heldoutSlice == null ? List.of() : List.of(heldoutSlice), steps, batchSize, adam, clipNorm, seed,
                checkpoints, facts);
    }

    public TrainingSpec {
        datasets = List.copyOf(datasets);
        trainSlices = List.copyOf(trainSlices);
        heldoutSlices = List.copyOf(heldoutSlices);
        facts = facts == null ? Map.of() : new LinkedHashMap<>(facts);
        checkpointDtype = checkpointDtype == null ? SafetensorsDtype.F32 : checkpointDtype;
        extraCheckpoints = extraCheckpoints == null ? List.of() : List.copyOf(new java.util.TreeSet<>(extraCheckpoints));
    }

    /** Checks what can be checked without data or the file system; one clear message for the first problem. */
    public TrainingSpec validate() {
        if (name == null || name.isBlank()) {
            throw new HeadLabException("a training run needs a name");
        }
        config.validate("model config of run '" + name + "'");
        if (steps < 1) {
            throw new HeadLabException("--steps must be at least 1, got " + steps);
        }
        if (batchSize < 1) {
            throw new HeadLabException("--batch must be at least 1, got " + batchSize);
        }
        if (checkpoints < 2) {
            throw new HeadLabException("--checkpoints must be at least 2 (step 0 and the last), got " + checkpoints);
        }
        for (int s : extraCheckpoints) {
            if (s < 1 || s > steps) {
                throw new HeadLabException("--checkpoint-steps: step " + s + " is not a training step (1.." + steps
                        + ")");
            }
        }
        if (!(clipNorm > 0)) {
            throw new HeadLabException("gradient clipping norm must be positive, got " + clipNorm);
        }
        if (config.nCtx() < 2) {
            throw new HeadLabException("n_ctx must be at least 2 for a next-token loss, got " + config.nCtx());
        }
        if (trainSlices.isEmpty()) {
            throw new HeadLabException("a training run needs at least one slice to train on");
        }
        for (String t : trainSlices) {
            if (datasets.stream().noneMatch(s -> s.name().equals(t))) {
                throw new HeadLabException("no dataset slice named '" + t + "' to train on");
            }
        }
        for (String h : heldoutSlices) {
            if (datasets.stream().noneMatch(s -> s.name().equals(h))) {
                throw new HeadLabException("no dataset slice named '" + h + "' for the held-out loss");
            }
        }
        if ("huggingface".equals(tokenizer.type()) != (tokenizerFile != null)) {
            throw new HeadLabException("a huggingface tokenizer needs its file's content, and only it has one");
        }
        if (tokenizer.vocab() != null && tokenizer.vocab().size() != config.dVocab()) {
            throw new HeadLabException("the tokenizer has " + tokenizer.vocab().size() + " tokens but d_vocab is "
                    + config.dVocab());
        }
        return this;
    }

    public Slice slice(String sliceName) {
        return datasets.stream().filter(s -> s.name().equals(sliceName)).findFirst().orElseThrow();
    }
}
