package org.headlab.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.headlab.core.HeadLabException;
import org.headlab.core.importer.RunImport;
import org.headlab.core.run.Run;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code import SRC --out RUN}: a researcher's checkpoint series made into a HeadLab run ({@link RunImport}). */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Make a HeadLab run from a checkpoint series, never writing to SRC: Hugging Face GPT-2",
            "checkpoints (folders checkpoint-STEP/ or step-STEP/ with config.json + model.safetensors) or",
            "TransformerLens state dicts (…STEP.safetensors beside a TransformerLens config.json)."},
        footer = {"", "Exit status: 0 imported, 2 a usage or input error (nothing is written then)."})
final class ImportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SRC", description = "The folder of checkpoints.")
    Path src;

    @Option(names = "--out", paramLabel = "RUN", required = true, description = "The run folder to make (must not"
            + " exist).")
    Path out;

    @Option(names = "--steps", split = ",", paramLabel = "S,S,…",
            description = "Training steps of the checkpoints in the order of the numbers in their names (default:"
                + " those numbers).")
    List<Integer> steps;

    @Option(names = "--tokenizer", paramLabel = "FILE",
            description = "A Hugging Face tokenizer.json (default: SRC/tokenizer.json, else the first checkpoint's).")
    Path tokenizer;

    @Option(names = "--bos", paramLabel = "TOKEN", description = "Beginning-of-sequence token (default: the"
            + " config's bos_token_id, else <|endoftext|> or <bos> when the vocabulary has it).")
    String bos;

    @Option(names = "--data", paramLabel = "NAME=FILE",
            description = "A dataset slice: a .jsonl file of {\"text\": …} records or a text file, one document per"
                + " line (repeatable).")
    Map<String, Path> data = new LinkedHashMap<>();

    @Option(names = "--name", description = "The run's name (default: the folder name of RUN).")
    String name;

    @Override
    public Integer call() {
        if (steps != null && steps.stream().anyMatch(s -> s < 0)) {
            throw new HeadLabException("--steps must be non-negative, got " + steps);
        }
        Run run = RunImport.importRun(src, out, new RunImport.Options(steps, tokenizer, bos, data, name));
        spec.commandLine().getOut().printf("imported %d checkpoints (steps %s) of a %d-layer × %d-head model into %s;"
                + " open it with: headlab gui %s%n", run.steps().size(), describe(run.steps()), run.config().nLayers(),
                run.config().nHeads(), run.dir(), run.dir());
        return 0;
    }

    private static String describe(List<Integer> steps) {
        return steps.size() <= 6 ? steps.toString() : steps.get(0) + " … " + steps.get(steps.size() - 1);
    }
}
