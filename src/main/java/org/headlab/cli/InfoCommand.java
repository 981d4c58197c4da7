package org.headlab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.headlab.core.data.Tokenizer;
import org.headlab.core.run.CheckpointRef;
import org.headlab.core.run.DatasetRef;
import org.headlab.core.run.ModelConfig;
import org.headlab.core.run.Run;
import org.headlab.core.session.RunSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code info RUN}: what a run holds, read from run.json and the checkpoint headers only. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show a run: model shape, tokenizer, datasets and checkpoints.")
final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RUN", description = "The run folder (holding run.json).")
    Path runDir;

    @Option(names = "--json", description = "Print JSON (checkpoints listed with their step and file).")
    boolean json;

    @Override
    public Integer call() {
        try (RunSession session = RunSession.open(runDir)) {
            Run run = session.run();
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                JsonOutput.print(out, describe(session));
            } else {
                printText(out, session);
            }
        }
        return 0;
    }

    static Map<String, Object> describe(RunSession session) {
        Run run = session.run();
        Tokenizer tok = session.tokenizer();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", run.name());
        m.put("description", run.manifest().description());
        m.put("format", run.manifest().format());
        m.put("dir", run.dir().toString());
        m.put("model", run.config());
        m.put("parameter_count", run.config().parameterCount());
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("type", run.manifest().tokenizer().type());
        t.put("vocab_size", tok.vocabSize());
        t.put("bos", run.manifest().tokenizer().bos());
        m.put("tokenizer", t);
        List<Map<String, Object>> datasets = new ArrayList<>();
        for (DatasetRef d : run.datasets()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", d.name());
            row.put("file", d.file());
            row.put("description", d.description());
            datasets.add(row);
        }
        m.put("datasets", datasets);
        List<Map<String, Object>> checkpoints = new ArrayList<>();
        for (CheckpointRef c : run.checkpoints()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("step", c.step());
            row.put("file", run.dir().relativize(c.path()).toString());
            checkpoints.add(row);
        }
        m.put("checkpoints", checkpoints);
        m.put("training", run.manifest().training());
        return m;
    }

    private static void printText(PrintWriter out, RunSession session) {
        Run run = session.run();
        ModelConfig c = run.config();
        out.println(run.name() + (run.manifest().description() == null ? "" : " — " + run.manifest().description()));
        out.println("  folder       " + run.dir());
        out.printf("  model        %d layers × %d heads, d_model %d, d_head %d, n_ctx %d, d_vocab %d%n",
                c.nLayers(), c.nHeads(), c.dModel(), c.dHead(), c.nCtx(), c.dVocab());
        out.printf("               %s, normalization %s, %s, %,d parameters%n",
                c.attnOnly() ? "attention-only" : "MLP width " + c.dMlp() + " (" + c.activation() + ")",
                c.normalization(), c.positionsInWords(), c.parameterCount());
        out.printf("  tokenizer    %s, %d tokens%s%n", run.manifest().tokenizer().type(),
                session.tokenizer().vocabSize(),
                run.manifest().tokenizer().bos() == null ? "" : ", BOS " + run.manifest().tokenizer().bos());
        for (DatasetRef d : run.datasets()) {
            out.printf("  dataset      %-10s %s%s%n", d.name(), d.file(),
                    d.description() == null ? "" : "  (" + d.description() + ")");
        }
        List<Integer> steps = run.steps();
        out.printf("  checkpoints  %d: %s%n", steps.size(), abbreviate(steps));
    }

    private static String abbreviate(List<Integer> steps) {
        if (steps.size() <= 12) {
            return steps.toString();
        }
        return steps.subList(0, 6) + " … " + steps.subList(steps.size() - 3, steps.size());
    }
}
