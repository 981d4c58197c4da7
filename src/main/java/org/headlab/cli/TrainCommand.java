package org.headlab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.headlab.core.HeadLabException;
import org.headlab.core.data.BracketPair;
import org.headlab.core.data.DyckGenerator;
import org.headlab.core.data.SExpressionGenerator;
import org.headlab.core.data.TaggedDyckGenerator;
import org.headlab.core.data.TokenizerSpec;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.run.Run;
import org.headlab.core.run.SafetensorsDtype;
import org.headlab.train.AdamW;
import org.headlab.train.ConsoleProgress;
import org.headlab.train.BpeTokenizerTrainer;
import org.headlab.train.TextCorpus;
import org.headlab.train.Trainer;
import org.headlab.train.TrainingSpec;
import org.headlab.train.TrainingTasks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code train --task dyck|sexpr|lm --out DIR ...}: generates a synthetic corpus (or, for lm, reads text and code
 * files) and trains a run on it.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a small attention-only transformer (or one with MLPs: --mlp) on generated data and "
                + "write a run folder.",
            "dyck: Dyck-k strings, one char token per bracket plus <bos>. sexpr: arithmetic S-expressions mod 7 "
                + "with their value ('(+ 3 (* 2 5)) = 6'), bracket tokenizer.",
            "lm: language modelling on --text and --code files (printable ASCII + newline; a BPE learned from them, "
                + "or characters); "
                + "slices text, code (trained on together) and text-heldout, code-heldout.",
            "Progress goes to stderr. An interrupted training continues with the same command plus --resume."})
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    enum Task { dyck, sexpr, lm }

    @Option(names = "--task", required = true, paramLabel = "TASK", description = "dyck, sexpr or lm.")
    Task task;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The run folder to create.")
    Path out;

    @Option(names = "--name", paramLabel = "NAME", description = "Run name (default: the folder name).")
    String name;

    @Option(names = "--layers", defaultValue = "2", description = "Layers (default ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--heads", defaultValue = "8", description = "Heads per layer (default ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--d-model", defaultValue = "64", description = "Residual width (default ${DEFAULT-VALUE}).")
    int dModel;

    @Option(names = "--d-head", defaultValue = "8", description = "Head width (default ${DEFAULT-VALUE}).")
    int dHead;

    @Option(names = "--mlp", paramLabel = "WIDTH", description = "Give every layer an MLP block of this hidden "
            + "width (default: none, attention-only).")
    Integer mlp;

    @Option(names = "--act", defaultValue = "gelu", paramLabel = "FN", description = "MLP activation: gelu, "
            + "gelu_new, relu or silu (default ${DEFAULT-VALUE}; only with --mlp).")
    String act;

    @Option(names = "--n-ctx", defaultValue = "64", description = "Context length (default ${DEFAULT-VALUE}).")
    int nCtx;

    enum Positional { standard, shortformer }

    @Option(names = "--positional", defaultValue = "standard", description = "standard (W_pos added to the "
            + "residual) or shortformer (W_pos added to the query/key inputs only, as in the paper's model) "
            + "(default ${DEFAULT-VALUE}).")
    Positional positional;

    @Option(names = "--pos-init", defaultValue = "gaussian", description = "Initial W_pos: gaussian (the GPT-2 "
            + "init) or sinusoidal (Vaswani et al.'s sinusoids at the same RMS; previous-token heads form sooner) "
            + "(default ${DEFAULT-VALUE}).")
    PosInit posInit;

    enum PosInit { gaussian, sinusoidal }

    @Option(names = "--steps", defaultValue = "2000", description = "Training steps (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch", defaultValue = "32", description = "Windows per batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Constant learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--weight-decay", defaultValue = "0.05", description = "AdamW weight decay "
            + "(default ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--clip", defaultValue = "1.0", description = "Global gradient-norm clip (default "
            + "${DEFAULT-VALUE}).")
    double clip;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the initial weights and the batch order "
            + "(default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--data-seed", paramLabel = "SEED", description = "Seed of the generated data (default: seed).")
    Long dataSeed;

    @Option(names = "--checkpoints", defaultValue = "40", description = "Checkpoints, step 0 to the last, log-spaced "
            + "early then linear (default ${DEFAULT-VALUE}).")
    int checkpoints;

    @Option(names = "--train-size", defaultValue = "20000", description = "Generated training strings "
            + "(default ${DEFAULT-VALUE}).")
    int trainSize;

    @Option(names = "--heldout-size", defaultValue = "500", description = "Generated held-out strings, none in the "
            + "training slice (default ${DEFAULT-VALUE}).")
    int heldoutSize;

    @Option(names = "--kinds", defaultValue = "2", description = "dyck: bracket kinds, 1..4 of () [] {} <> "
            + "(default ${DEFAULT-VALUE}).")
    int kinds;

    enum Closers { typed, untyped }

    @Option(names = "--closers", defaultValue = "typed", description = "dyck: typed (each kind its own closer, "
            + "([]) ) or untyped (one generic closer ')' followed by a tag naming the kind it closed: ( [ ) b ) a, so "
            + "the tag must be read off the matching opener; lengths count brackets) (default ${DEFAULT-VALUE}).")
    Closers closers;

    @Option(names = "--max-depth", defaultValue = "4", description = "dyck: most brackets open at once; sexpr: "
            + "nesting depth (default ${DEFAULT-VALUE}).")
    int maxDepth;

    @Option(names = "--depth-weights", split = ",", paramLabel = "W", description = "sexpr: one weight per depth "
            + "1..max-depth, e.g. 2,1,1 draws half of the expressions at depth 1 (a single operation) (default: "
            + "uniform).")
    List<Integer> depthWeights;

    @Option(names = "--min-length", defaultValue = "2", description = "dyck: shortest string, even "
            + "(default ${DEFAULT-VALUE}).")
    int minLength;

    @Option(names = "--max-length", description = "dyck: longest string, even (default: the largest even length "
            + "that fits n_ctx with the BOS).")
    Integer maxLength;

    @Option(names = "--text", paramLabel = "PATH", description = "lm: natural-language text, a file or a folder "
            + "(its *.TEXT_EXT files, not recursive); repeatable.")
    List<Path> text = new ArrayList<>();

    @Option(names = "--text-ext", defaultValue = "txt", description = "lm: file ending read from --text folders "
            + "(default ${DEFAULT-VALUE}).")
    String textExt;

    @Option(names = "--code", paramLabel = "PATH", description = "lm: source code, a file or a folder (its "
            + "*.CODE_EXT files, not recursive); repeatable.")
    List<Path> code = new ArrayList<>();

    @Option(names = "--code-ext", defaultValue = "py", description = "lm: file ending read from --code folders "
            + "(default ${DEFAULT-VALUE}).")
    String codeExt;

    enum LmTokenizer { bpe, character }

    @Option(names = "--tokenizer", defaultValue = "bpe", description = "lm: bpe (byte-pair encoding learned from "
            + "the corpus, shipped as tokenizer.json) or character (default ${DEFAULT-VALUE}).")
    LmTokenizer lmTokenizer;

    @Option(names = "--vocab-size", defaultValue = "1024", description = "lm with bpe: tokens in the learned "
            + "vocabulary, BOS and the 96 characters included (default ${DEFAULT-VALUE}).")
    int vocabSize;

    @Option(names = "--repeat-fraction", defaultValue = "0", paramLabel = "F", description = "lm: this fraction of "
            + "the training chunks become a passage of 4 to n_ctx/2 tokens written several times over, so that "
            + "copying from context pays; held-out slices stay plain (default ${DEFAULT-VALUE}).")
    double repeatFraction;

    @Option(names = "--checkpoint-steps", split = ",", paramLabel = "S", description = "Extra steps to save, on "
            + "top of the --checkpoints schedule (e.g. 1300,1400,...,2300 to resolve a stage an earlier run found "
            + "between two checkpoints).")
    List<Integer> checkpointSteps = new ArrayList<>();

    @Option(names = "--checkpoint-dtype", defaultValue = "f32", paramLabel = "DTYPE", description = "How the run "
            + "stores its checkpoints: f32, or f16 (half the bytes, rounded to nearest-even; training is float32 "
            + "either way, so an interrupted training may be finished with either; default ${DEFAULT-VALUE}).")
    CheckpointDtype checkpointDtype;

    enum CheckpointDtype { f32, f16 }

    @Option(names = "--resume", description = "Continue the interrupted training of --out from its last checkpoint "
            + "(same options as the first attempt).")
    boolean resume;

    @Option(names = "--quiet", description = "No progress output.")
    boolean quiet;

    /** The tokenizer.json a bpe lm run ships, once learned. */
    private String tokenizerFile;
    private int bpeVocab;

    @Override
    public Integer call() {
        long data = dataSeed == null ? seed : dataSeed;
        TokenizerSpec tokenizer;
        List<TrainingSpec.Slice> slices;
        Map<String, Object> facts;
        String description;
        if (task == Task.dyck) {
            if (kinds < 1 || kinds > BracketPair.DEFAULTS.size()) {
                throw new HeadLabException("--kinds must be 1.." + BracketPair.DEFAULTS.size() + ", got " + kinds);
            }
            if (closers == Closers.untyped) {
                // n brackets are 3n/2 tokens; the BOS takes one position
                int longest = maxLength != null ? maxLength : (((nCtx - 1) * 2 / 3) / 2) * 2;
                TaggedDyckGenerator g = new TaggedDyckGenerator(kinds, maxDepth, minLength, longest, false);
                tokenizer = TrainingTasks.dyckTaggedTokenizer(kinds);
                slices = TrainingTasks.slices(g, data, trainSize, heldoutSize, "tagged Dyck-" + kinds);
                facts = TrainingTasks.describe(g, data);
                description = String.format(Locale.ROOT, "%d-layer x %d-head attention-only transformer trained on "
                        + "Dyck-%d strings with one generic closer followed by the closed kind's tag (depth <= %d, "
                        + "%d..%d brackets)", layers, heads, kinds, maxDepth, minLength, longest);
            } else {
                int longest = maxLength != null ? maxLength : ((nCtx - 1) / 2) * 2;
                DyckGenerator g = new DyckGenerator(kinds, maxDepth, minLength, longest, false);
                tokenizer = TrainingTasks.dyckTokenizer(kinds);
                slices = TrainingTasks.slices(g, data, trainSize, heldoutSize, "Dyck-" + kinds);
                facts = TrainingTasks.describe(g, data);
                description = String.format(Locale.ROOT, "%d-layer x %d-head attention-only transformer trained on "
                        + "Dyck-%d strings (depth <= %d, length %d..%d)", layers, heads, kinds, maxDepth, minLength,
                        longest);
            }
        } else if (task == Task.lm) {
            TextCorpus.Source textSource = TextCorpus.read("text", text, textExt);
            TextCorpus.Source codeSource = TextCorpus.read("code", code, codeExt);
            int chunk = nCtx - 1; // one chunk + BOS = one window
            TextCorpus.Split t;
            TextCorpus.Split c;
            String unit;
            java.util.function.BiFunction<String, Integer, String> prefix;
            java.util.function.ToIntFunction<String> length;
            if (lmTokenizer == LmTokenizer.bpe) {
                BpeTokenizerTrainer.Bpe bpe = BpeTokenizerTrainer.train(List.of(textSource.text(),
                        codeSource.text()), TextCorpus.VOCAB.subList(1, TextCorpus.VOCAB.size()), TrainingTasks.BOS,
                        vocabSize);
                tokenizerFile = bpe.toTokenizerJson();
                bpeVocab = bpe.vocab().size();
                tokenizer = new TokenizerSpec("huggingface", null, "tokenizer.json", TrainingTasks.BOS);
                unit = chunk + " tokens";
                t = TextCorpus.split(textSource, BpeTokenizerTrainer.chunks(textSource.text(), bpe, chunk), unit,
                        data, trainSize, heldoutSize);
                c = TextCorpus.split(codeSource, BpeTokenizerTrainer.chunks(codeSource.text(), bpe, chunk), unit,
                        data, trainSize, heldoutSize);
                prefix = (x, k) -> BpeTokenizerTrainer.prefix(x, bpe, k);
                length = x -> bpe.encode(x).length;
            } else {
                tokenizer = TextCorpus.tokenizer();
                unit = chunk + " characters";
                t = TextCorpus.split(textSource, chunk, data, trainSize, heldoutSize);
                c = TextCorpus.split(codeSource, chunk, data, trainSize, heldoutSize);
                prefix = (x, k) -> x.substring(0, Math.min(k, x.length()));
                length = String::length;
            }
            List<String> textTrain = TextCorpus.withRepeats(t.train(), repeatFraction, data, chunk, prefix,
                    length);
            List<String> codeTrain = TextCorpus.withRepeats(c.train(), repeatFraction, data + 1, chunk,
                    prefix, length);
            String repeats = repeatFraction > 0 ? String.format(Locale.ROOT, "; %.0f %% of them are a passage "
                    + "of 4 to n_ctx/2 tokens written over and over", 100 * repeatFraction) : "";
            slices = new ArrayList<>();
            slices.add(new TrainingSpec.Slice("text", trainSize + " chunks of " + unit
                    + " of natural-language text (trained on)" + repeats, textTrain));
            slices.add(new TrainingSpec.Slice("code", trainSize + " chunks of " + unit
                    + " of source code (trained on)" + repeats, codeTrain));
            if (heldoutSize > 0) {
                slices.add(new TrainingSpec.Slice("text-heldout", heldoutSize + " chunks of " + unit
                        + " of natural-language text, not trained on", t.heldout()));
                slices.add(new TrainingSpec.Slice("code-heldout", heldoutSize + " chunks of " + unit
                        + " of source code, not trained on", c.heldout()));
            }
            facts = new LinkedHashMap<>();
            facts.put("task", "lm");
            facts.put("corpus", "each source normalised to printable ASCII + newline (CR LF -> LF, tab -> 4 "
                    + "spaces, other characters dropped), cut into consecutive chunks of n_ctx - 1 "
                    + (lmTokenizer == LmTokenizer.bpe ? "tokens (ending on a pre-token boundary)" : "characters")
                    + ", shuffled with the data seed; the first --heldout-size chunks are held out, the next "
                    + "--train-size are trained on");
            if (lmTokenizer == LmTokenizer.bpe) {
                facts.put("tokenizer_training", "byte-pair encoding learned from both whole sources (held-out "
                        + "chunks included) up to " + vocabSize + " tokens; GPT-2 pre-tokenizer split; "
                        + "tokenizer.json in the run folder");
            }
            facts.put("text", TextCorpus.describe(t));
            facts.put("code", TextCorpus.describe(c));
            facts.put("data_seed", data);
            description = String.format(Locale.ROOT, "%d-layer x %d-head attention-only transformer, "
                    + "%s language model on natural-language text and source code (context %d)",
                    layers, heads, lmTokenizer == LmTokenizer.bpe ? vocabSize + "-token BPE" : "character-level",
                    nCtx);
        } else {
            SExpressionGenerator g = new SExpressionGenerator(maxDepth, 2, 3, SExpressionGenerator.DEFAULT_FORMAT,
                    depthWeights);
            tokenizer = TrainingTasks.sexprTokenizer();
            slices = TrainingTasks.slices(g, data, trainSize, heldoutSize, "S-expression");
            facts = TrainingTasks.describe(g, data);
            description = String.format(Locale.ROOT, "%d-layer x %d-head attention-only transformer trained on "
                    + "arithmetic S-expressions mod 7 with their value (depth <= %d%s)", layers, heads, maxDepth,
                    depthWeights == null ? "" : ", depth weights " + depthWeights);
        }
        if (repeatFraction != 0 && task != Task.lm) {
            throw new HeadLabException("--repeat-fraction is for --task lm only");
        }
        if (depthWeights != null && task != Task.sexpr) {
            throw new HeadLabException("--depth-weights is for --task sexpr only");
        }
        if (mlp != null) {
            description = description.replace("attention-only transformer", "transformer with MLPs (width " + mlp
                    + ", " + act + ")");
        }
        facts.put("command", command(data));
        int dVocab = tokenizer.vocab() != null ? tokenizer.vocab().size() : bpeVocab;
        ModelConfig config = ModelConfig.attnOnly(layers, heads, dModel, dHead, dVocab, nCtx)
                .withPositionalEmbedding(positional.name());
        if (mlp != null) {
            config = config.withMlp(mlp, act);
        }
        String runName = name != null ? name : out.toAbsolutePath().normalize().getFileName().toString();
        List<String> trainSlices = task == Task.lm ? List.of("text", "code") : List.of("train");
        List<String> heldoutSlices = heldoutSize == 0 ? List.of()
                : task == Task.lm ? List.of("text-heldout", "code-heldout") : List.of("heldout");
        TrainingSpec ts = new TrainingSpec(runName, description, config, tokenizer, slices, trainSlices,
                heldoutSlices, steps, batch, AdamW.Settings.PAPER.withLr(lr).withWeightDecay(weightDecay), clip, seed,
                checkpoints, facts, tokenizerFile, posInit == PosInit.sinusoidal,
                checkpointDtype == CheckpointDtype.f16 ? SafetensorsDtype.F16 : SafetensorsDtype.F32,
                checkpointSteps);
        PrintWriter err = spec.commandLine().getErr();
        Trainer.Listener listener = quiet ? Trainer.Listener.NONE : new ConsoleProgress(err, false);
        long start = System.nanoTime();
        Run run = Trainer.train(ts, out, resume, listener);
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "wrote %s: %d checkpoints (steps %d..%d) in %.1f s%n", run.dir(), run.steps().size(),
                run.steps().get(0), run.steps().get(run.steps().size() - 1), (System.nanoTime() - start) / 1e9);
        return 0;
    }

    /** The command line that reproduces this run (every option that matters, explicitly). */
    private String command(long data) {
        List<String> a = new ArrayList<>(List.of("headlab", "train", "--task", task.name(), "--out",
                out.getFileName().toString()));
        add(a, "--layers", layers);
        add(a, "--heads", heads);
        add(a, "--d-model", dModel);
        add(a, "--d-head", dHead);
        if (mlp != null) {
            add(a, "--mlp", mlp);
            add(a, "--act", act);
        }
        add(a, "--n-ctx", nCtx);
        if (positional != Positional.standard) {
            add(a, "--positional", positional);
        }
        if (posInit != PosInit.gaussian) {
            add(a, "--pos-init", posInit);
        }
        add(a, "--steps", steps);
        add(a, "--batch", batch);
        add(a, "--lr", lr);
        add(a, "--weight-decay", weightDecay);
        add(a, "--clip", clip);
        add(a, "--seed", seed);
        add(a, "--data-seed", data);
        add(a, "--checkpoints", checkpoints);
        if (!checkpointSteps.isEmpty()) {
            add(a, "--checkpoint-steps", new java.util.TreeSet<>(checkpointSteps).stream().map(String::valueOf)
                    .collect(java.util.stream.Collectors.joining(",")));
        }
        if (checkpointDtype != CheckpointDtype.f32) {
            add(a, "--checkpoint-dtype", checkpointDtype);
        }
        add(a, "--train-size", trainSize);
        add(a, "--heldout-size", heldoutSize);
        if (task != Task.lm) {
            add(a, "--max-depth", maxDepth);
        }
        if (depthWeights != null) {
            a.add("--depth-weights");
            a.add(depthWeights.stream().map(String::valueOf).reduce((x, y) -> x + "," + y).orElse(""));
        }
        if (task == Task.lm) {
            text.forEach(p -> add(a, "--text", p));
            if (text.stream().anyMatch(java.nio.file.Files::isDirectory)) {
                add(a, "--text-ext", textExt);
            }
            add(a, "--tokenizer", lmTokenizer);
            if (lmTokenizer == LmTokenizer.bpe) {
                add(a, "--vocab-size", vocabSize);
            }
            if (repeatFraction > 0) {
                add(a, "--repeat-fraction", repeatFraction);
            }
            code.forEach(p -> add(a, "--code", p));
            if (code.stream().anyMatch(java.nio.file.Files::isDirectory)) {
                add(a, "--code-ext", codeExt);
            }
        }
        if (task == Task.dyck) {
            add(a, "--kinds", kinds);
            if (closers == Closers.untyped) {
                add(a, "--closers", closers);
            }
            add(a, "--min-length", minLength);
            if (maxLength != null) {
                add(a, "--max-length", maxLength);
            }
        }
        return String.join(" ", a);
    }

    private static void add(List<String> a, String option, Object value) {
        a.add(option);
        a.add(String.valueOf(value));
    }
}
