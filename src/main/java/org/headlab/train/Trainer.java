package org.headlab.train;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.headlab.core.AtomicFiles;
import org.headlab.core.HeadLabException;
import org.headlab.core.Json;
import org.headlab.core.data.Tokenizer;
import org.headlab.core.data.Tokenizers;
import org.headlab.core.model.LossAndGradients;
import org.headlab.core.model.ParameterMask;
import org.headlab.core.model.Transformer;
import org.headlab.core.run.HostTensor;
import org.headlab.core.run.RandomWeights;
import org.headlab.core.run.Run;
import org.headlab.core.run.RunWriter;
import org.headlab.core.run.SafetensorsDtype;
import org.headlab.core.run.SafetensorsReader;
import org.headlab.core.run.SafetensorsWriter;

/**
 * Trains a run-format model with DJL autograd on the CPU and writes a complete run folder.
 *
 * <p>Recipe: TransformerLens GPT-2 init from the seed, AdamW exactly as PyTorch's (see {@link AdamW}) with decay on
 * every parameter (the paper's HF Trainer did not match TransformerLens names, estimators.md §1.2), global gradient
 * clipping, constant learning rate, batches of {@link PackedCorpus} windows (no padding), mean next-token loss.
 *
 * <p>Files: while training, everything lives in a hidden sibling of the target, {@code .<name>.training/}: the
 * plan (a fingerprint of the spec and data), the tokenizer file of a run whose tokenizer lives in one, each scheduled checkpoint as it is reached, and {@code state.safetensors}
 * (AdamW moments, the step, per-checkpoint metrics) written atomically at every checkpoint. An interrupted run
 * resumes from its last checkpoint; since batches depend only on (seed, step) and the update is deterministic, the
 * resumed run ends with the same bits as an uninterrupted one. At the end the run is assembled through
 * {@link RunWriter} (temp folder, then one rename) and the training folder is deleted. Bad input (an existing
 * target, impossible shapes, an empty corpus, an unusable output folder) is refused before anything is written.
 */
public final class Trainer {
    static final String PLAN_FILE = "plan.json";
    static final String STATE_FILE = "state.safetensors";
    private static final int HELDOUT_WINDOWS = 64;
    private static final int EVAL_BATCH = 32;

    /** Progress callbacks, on the training thread. Throwing from one stops training like an interrupt would. */
    public interface Listener {
        Listener NONE = new Listener() { };

        /** After step {@code step} (1-based count of updates done) with the loss before that update. */
        default void onStep(int step, int totalSteps, double loss) {
        }

        default void onCheckpoint(CheckpointMetrics metrics) {
        }

        default void onResume(int fromStep) {
        }
    }

    /**
     * What was measured at one checkpoint.
     *
     * @param trainLoss mean training loss of the steps since the previous checkpoint (NaN at step 0)
     * @param heldoutLoss mean loss on up to 64 windows of each held-out slice at this checkpoint's weights,
     *     averaged over the held-out slices (NaN without one)
     * @param sliceLosses that loss per held-out slice, in the spec's order (empty without held-out slices)
     */
    public record CheckpointMetrics(int step, double trainLoss, double heldoutLoss, Map<String, Double> sliceLosses) {
        public CheckpointMetrics {
            sliceLosses = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sliceLosses));
        }
    }

    private Trainer() {
    }

    /** The hidden folder an unfinished training of {@code target} lives in. */
    public static Path trainingFolder(Path target) {
        Path t = target.toAbsolutePath().normalize();
        return t.resolveSibling("." + t.getFileName() + ".training");
    }

    /**
     * Trains and writes the run at {@code target}.
     *
     * @param resume continue the interrupted training in {@link #trainingFolder}; without it such a folder is an
     *     error (so two trainings never mix)
     */
    public static Run train(TrainingSpec spec, Path target, boolean resume, Listener listener) {
        spec.validate();
        Path absolute = target.toAbsolutePath().normalize();
        RunWriter.checkedParent(absolute);
        Tokenizer tokenizer = tokenizer(spec, absolute.getParent());
        if (tokenizer.vocabSize() > spec.config().dVocab()) {
            throw new HeadLabException("the tokenizer has " + tokenizer.vocabSize() + " tokens but d_vocab is only "
                    + spec.config().dVocab());
        }
        List<int[]> trainDocs = new ArrayList<>();
        for (String t : spec.trainSlices()) {
            trainDocs.addAll(encode(tokenizer, spec.slice(t)));
        }
        PackedCorpus train = PackedCorpus.pack(trainDocs, spec.config().nCtx(),
                "'" + String.join("' + '", spec.trainSlices()) + "'");
        Map<String, PackedCorpus> heldout = new LinkedHashMap<>();
        for (String h : spec.heldoutSlices()) {
            heldout.put(h, PackedCorpus.pack(encode(tokenizer, spec.slice(h)), spec.config().nCtx(), "'" + h + "'"));
        }
        CheckpointSchedule schedule = CheckpointSchedule.of(spec.steps(), spec.checkpoints())
                .with(spec.extraCheckpoints());
        String fingerprint = fingerprint(spec);
        Path folder = trainingFolder(absolute);
        boolean exists = Files.exists(folder, LinkOption.NOFOLLOW_LINKS);
        if (exists && !resume) {
            throw new HeadLabException("an interrupted training of " + absolute + " exists in " + folder
                    + "; continue it with --resume or delete that folder");
        }
        if (!exists && resume) {
            throw new HeadLabException("nothing to resume: " + folder + " does not exist");
        }
        Session s = exists ? Session.resume(folder, spec, fingerprint, schedule)
                : Session.start(folder, spec, fingerprint);
        if (exists) {
            listener.onResume(s.step);
        }
        s.run(spec, train, heldout, schedule, listener);
        return s.finish(spec, absolute, schedule);
    }

    static Map<String, HostTensor> initialWeights(TrainingSpec spec) {
        Map<String, HostTensor> w = RandomWeights.gpt2(spec.config(), spec.seed());
        return spec.sinusoidalPositions() ? RandomWeights.withSinusoidalPositions(w, spec.config()) : w;
    }

    /** The spec's tokenizer; one that lives in a file is read from a scratch copy of the file's content. */
    static Tokenizer tokenizer(TrainingSpec spec, Path runParent) {
        if (spec.tokenizerFile() == null) {
            return Tokenizers.create(spec.tokenizer(), runParent);
        }
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory("headlab-tokenizer");
            Files.writeString(scratch.resolve(spec.tokenizer().file()), spec.tokenizerFile(), StandardCharsets.UTF_8);
            return Tokenizers.create(spec.tokenizer(), scratch);
        } catch (IOException e) {
            throw new HeadLabException("cannot write a scratch copy of the tokenizer: " + e.getMessage(), e);
        } finally {
            if (scratch != null) {
                org.headlab.core.AtomicFiles.deleteTree(scratch);
            }
        }
    }

    static List<int[]> encode(Tokenizer tokenizer, TrainingSpec.Slice slice) {
        List<int[]> out = new ArrayList<>(slice.texts().size());
        int bos = tokenizer.bosId();
        for (int i = 0; i < slice.texts().size(); i++) {
            int[] ids;
            try {
                ids = tokenizer.encode(slice.texts().get(i));
            } catch (HeadLabException e) {
                throw new HeadLabException("text " + i + " of slice '" + slice.name() + "': " + e.getMessage());
            }
            if (bos >= 0) {
                int[] b = new int[ids.length + 1];
                b[0] = bos;
                System.arraycopy(ids, 0, b, 1, ids.length);
                ids = b;
            }
            out.add(ids);
        }
        return out;
    }

    /** SHA-256 over everything that determines the weights (not the free-form facts). */
    static String fingerprint(TrainingSpec spec) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            Map<String, Object> plan = planFacts(spec);
            md.update(Json.mapper().writeValueAsBytes(plan));
            if (spec.tokenizerFile() != null) {
                md.update(spec.tokenizerFile().getBytes(StandardCharsets.UTF_8));
            }
            for (TrainingSpec.Slice slice : spec.datasets()) {
                md.update(slice.name().getBytes(StandardCharsets.UTF_8));
                for (String t : slice.texts()) {
                    md.update(t.getBytes(StandardCharsets.UTF_8));
                    md.update((byte) 0);
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, Object> planFacts(TrainingSpec spec) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", spec.config());
        m.put("tokenizer", spec.tokenizer());
        m.put("steps", spec.steps());
        m.put("batch_size", spec.batchSize());
        m.put("optimizer", "adamw (PyTorch semantics, weight decay on all parameters)");
        m.put("lr", spec.adam().lr());
        m.put("lr_schedule", "constant");
        m.put("betas", List.of(spec.adam().beta1(), spec.adam().beta2()));
        m.put("eps", spec.adam().eps());
        m.put("weight_decay", spec.adam().weightDecay());
        m.put("max_grad_norm", spec.clipNorm());
        m.put("seed", spec.seed());
        m.put("init", "TransformerLens gpt2 init, N(0, (0.8/sqrt(d_model))^2), seed = seed"
                + (spec.sinusoidalPositions() ? "; W_pos = sinusoids (Vaswani et al. 2017) at the same RMS" : ""));
        m.put("batching", "packed windows of n_ctx tokens starting at a document's BOS, drawn uniformly with "
                + "replacement per step from RNG(seed, step); loss = mean over all positions");
        m.put("checkpoints", spec.checkpoints());
        if (!spec.extraCheckpoints().isEmpty()) { // only then: earlier trainings keep their fingerprints
            m.put("extra_checkpoint_steps", spec.extraCheckpoints());
        }
        // one slice each: the keys every run had before several slices were possible (same fingerprint)
        if (spec.trainSlices().size() == 1) {
            m.put("train_slice", spec.trainSlices().get(0));
        } else {
            m.put("train_slices", spec.trainSlices());
        }
        if (spec.heldoutSlices().size() == 1) {
            m.put("heldout_slice", spec.heldoutSlices().get(0));
        } else if (spec.heldoutSlices().size() > 1) {
            m.put("heldout_slices", spec.heldoutSlices());
        }
        return m;
    }

    /** The mutable state of one training: weights, optimizer, step, metrics. */
    private static final class Session {
        final Path folder;
        final Map<String, float[]> params = new LinkedHashMap<>();
        final Map<String, int[]> shapes;
        final AdamW adam;
        final List<CheckpointMetrics> metrics = new ArrayList<>();
        int step;

        private Session(Path folder, TrainingSpec spec) {
            this.folder = folder;
            this.shapes = spec.config().parameterShapes();
            this.adam = new AdamW(spec.adam());
        }

        static Session start(Path folder, TrainingSpec spec, String fingerprint) {
            try {
                Files.createDirectory(folder);
                Files.createDirectory(folder.resolve("checkpoints"));
            } catch (IOException e) {
                org.headlab.core.AtomicFiles.deleteTree(folder);
                throw new HeadLabException("cannot create training folder " + folder + ": "
                        + AtomicFiles.describe(e), e);
            }
            Session s = new Session(folder, spec);
            try {
                Map<String, Object> plan = new LinkedHashMap<>();
                plan.put("fingerprint", fingerprint);
                plan.put("name", spec.name());
                plan.putAll(planFacts(spec));
                Json.writeAtomically(folder.resolve(PLAN_FILE), plan);
                writeTokenizerFile(folder, spec);
                initialWeights(spec).forEach((n, t) -> s.params.put(n, t.data().clone()));
            } catch (RuntimeException e) {
                org.headlab.core.AtomicFiles.deleteTree(folder);
                throw e;
            }
            return s;
        }

        /** The checkpoints of an unfinished training can be read (scored, watched) with the file next to them. */
        private static void writeTokenizerFile(Path folder, TrainingSpec spec) {
            if (spec.tokenizerFile() != null) {
                AtomicFiles.write(folder.resolve(spec.tokenizer().file()),
                        out -> out.write(spec.tokenizerFile().getBytes(StandardCharsets.UTF_8)));
            }
        }

        static Session resume(Path folder, TrainingSpec spec, String fingerprint, CheckpointSchedule schedule) {
            Map<String, Object> plan;
            try {
                plan = Json.mapper().readValue(folder.resolve(PLAN_FILE).toFile(), new TypeReference<>() { });
            } catch (IOException e) {
                throw new HeadLabException("cannot read " + folder.resolve(PLAN_FILE) + ": " + e.getMessage(), e);
            }
            if (!fingerprint.equals(plan.get("fingerprint"))) {
                throw new HeadLabException("cannot resume " + folder + ": it was started with other settings or "
                        + "data (the model, optimizer, seed, steps, checkpoints and data must be the same)");
            }
            Session s = new Session(folder, spec);
            writeTokenizerFile(folder, spec); // the fingerprint fixes its content; older folders lacked the file
            Path state = folder.resolve(STATE_FILE);
            if (!Files.exists(state)) {
                // interrupted before the first state was saved: start over from the seed
                initialWeights(spec).forEach((n, t) -> s.params.put(n, t.data().clone()));
                return s;
            }
            Map<String, String> meta = SafetensorsReader.readHeader(state).metadata();
            s.step = Integer.parseInt(meta.get("step"));
            s.adam.restore(SafetensorsReader.readAll(state), Long.parseLong(meta.get("adam_step")));
            for (String line : meta.get("metrics").split(";")) {
                String[] f = line.split(",");
                Map<String, Double> slices = new LinkedHashMap<>();
                for (int i = 3; i < f.length; i++) {
                    int eq = f[i].lastIndexOf('=');
                    slices.put(f[i].substring(0, eq), Double.parseDouble(f[i].substring(eq + 1)));
                }
                s.metrics.add(new CheckpointMetrics(Integer.parseInt(f[0]), Double.parseDouble(f[1]),
                        Double.parseDouble(f[2]), slices));
            }
            Map<String, HostTensor> w = SafetensorsReader.readAll(folder.resolve(RunWriter.checkpointFile(s.step)));
            for (String n : s.shapes.keySet()) {
                s.params.put(n, w.get(n).data().clone());
            }
            return s;
        }

        void run(TrainingSpec spec, PackedCorpus train, Map<String, PackedCorpus> heldout, CheckpointSchedule schedule,
                Listener listener) {
            ParameterMask all = ParameterMask.full(spec.config());
            try (Transformer model = Transformer.create(spec.config(), hostWeights())) {
                if (step == 0 && !Files.exists(folder.resolve(STATE_FILE))) {
                    checkpoint(model, heldout, Double.NaN, listener);
                }
                double lossSum = 0;
                int lossCount = 0;
                while (step < spec.steps()) {
                    int[][] batch = train.batch(spec.seed(), step, spec.batchSize());
                    LossAndGradients lg = model.lossAndGradients(batch, all);
                    double loss = lg.loss();
                    if (!Double.isFinite(loss)) {
                        throw new HeadLabException("training diverged: loss " + loss + " at step " + step
                                + " (try a smaller --lr)");
                    }
                    Map<String, float[]> grads = new LinkedHashMap<>();
                    lg.gradients().forEach((n, g) -> grads.put(n, g.data().clone()));
                    AdamW.clipGradNorm(grads, spec.clipNorm());
                    adam.update(params, grads);
                    model.setWeights(hostWeights());
                    step++;
                    lossSum += loss;
                    lossCount++;
                    listener.onStep(step, spec.steps(), loss);
                    if (schedule.contains(step)) {
                        checkpoint(model, heldout, lossSum / lossCount, listener);
                        lossSum = 0;
                        lossCount = 0;
                    }
                }
            }
        }

        private void checkpoint(Transformer model, Map<String, PackedCorpus> heldout, double trainLoss,
                Listener listener) {
            Map<String, Double> slices = new LinkedHashMap<>();
            heldout.forEach((name, corpus) -> slices.put(name, heldoutLoss(model, corpus)));
            double heldoutLoss = slices.values().stream().mapToDouble(Double::doubleValue).average()
                    .orElse(Double.NaN);
            CheckpointMetrics m = new CheckpointMetrics(step, trainLoss, heldoutLoss, slices);
            SafetensorsWriter.write(folder.resolve(RunWriter.checkpointFile(step)), hostWeights(),
                    Map.of("format", "pt", "step", String.valueOf(step)));
            metrics.add(m);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("step", String.valueOf(step));
            meta.put("adam_step", String.valueOf(adam.step()));
            // step,train,heldout;... with Double.toString, which round-trips exactly (NaN included)
            StringBuilder lines = new StringBuilder();
            for (CheckpointMetrics c : metrics) {
                lines.append(lines.length() == 0 ? "" : ";").append(c.step()).append(',').append(c.trainLoss())
                        .append(',').append(c.heldoutLoss());
                c.sliceLosses().forEach((n, v) -> lines.append(',').append(n).append('=').append(v));
            }
            meta.put("metrics", lines.toString());
            SafetensorsWriter.write(folder.resolve(STATE_FILE), adam.state(), meta);
            listener.onCheckpoint(m);
        }

        private static double heldoutLoss(Transformer model, PackedCorpus heldout) {
            List<int[]> windows = heldout.head(HELDOUT_WINDOWS);
            double sum = 0;
            int n = 0;
            for (int i = 0; i < windows.size(); i += EVAL_BATCH) {
                List<int[]> part = windows.subList(i, Math.min(windows.size(), i + EVAL_BATCH));
                sum += model.loss(part.toArray(new int[0][])) * part.size();
                n += part.size();
            }
            return sum / n;
        }

        Map<String, HostTensor> hostWeights() {
            Map<String, HostTensor> out = new LinkedHashMap<>();
            params.forEach((n, a) -> out.put(n, new HostTensor(shapes.get(n), a)));
            return out;
        }

        Run finish(TrainingSpec spec, Path target, CheckpointSchedule schedule) {
            Map<String, Object> facts = new LinkedHashMap<>(planFacts(spec));
            facts.putAll(spec.facts());
            facts.put("checkpoint_steps", schedule.steps());
            List<Map<String, Object>> rows = new ArrayList<>();
            for (CheckpointMetrics m : metrics) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("step", m.step());
                if (Double.isFinite(m.trainLoss())) {
                    row.put("train_loss", round(m.trainLoss()));
                }
                if (Double.isFinite(m.heldoutLoss())) {
                    row.put("heldout_loss", round(m.heldoutLoss()));
                }
                if (m.sliceLosses().size() > 1) {
                    m.sliceLosses().forEach((n, v) -> row.put("heldout_loss_" + n, round(v)));
                }
                rows.add(row);
            }
            facts.put("checkpoint_metrics", rows);
            if (spec.checkpointDtype() != SafetensorsDtype.F32) {
                facts.put("checkpoint_dtype", spec.checkpointDtype().name() + ": trained in float32, rounded to "
                        + "nearest-even when the run was written; checkpoint_metrics are losses of the float32 weights");
            }
            Run run;
            try (RunWriter w = RunWriter.create(target, spec.config(), spec.tokenizer(), spec.name(),
                    spec.description())) {
                w.checkpointDtype(spec.checkpointDtype());
                for (int s : schedule.steps()) {
                    w.addCheckpoint(s, SafetensorsReader.readAll(folder.resolve(RunWriter.checkpointFile(s))));
                }
                for (TrainingSpec.Slice slice : spec.datasets()) {
                    w.addDataset(slice.name(), slice.description(), slice.texts());
                }
                if (spec.tokenizerFile() != null) {
                    w.addFile(spec.tokenizer().file(), spec.tokenizerFile());
                }
                w.training(facts);
                run = w.commit();
            }
            org.headlab.core.AtomicFiles.deleteTree(folder);
            return run;
        }

        private static double round(double x) {
            return Math.round(x * 1e5) / 1e5;
        }
    }


}
