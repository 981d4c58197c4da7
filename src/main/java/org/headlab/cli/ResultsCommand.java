package org.headlab.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.headlab.core.Json;
import org.headlab.core.run.Run;
import org.headlab.core.session.RunSession;
import org.headlab.core.store.PortableResults;
import org.headlab.core.store.ResultKey;
import org.headlab.core.store.ResultStore;
import org.headlab.core.store.StoredResult;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code results RUN [--estimator E] [--step S] --csv|--json}: the stored numbers. CSV is long-form (one row per
 * metric, with a header row); JSON is a list with one object per stored result and its metrics as an object.
 */
@Command(name = "results", mixinStandardHelpOptions = true,
        description = "Print stored estimator results of a run as CSV (one row per metric) or JSON; export them to"
                + " RUN/results/*.jsonl, or import those.")
final class ResultsCommand implements Callable<Integer> {
    static final String CSV_HEADER = "step,estimator,scope,layer,head,dataset,params,metric,value,checkpoint_hash";

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RUN", description = "The run folder.")
    Path runDir;

    @Option(names = "--estimator", paramLabel = "ID", description = "Only this estimator.")
    String estimator;

    @Option(names = "--step", paramLabel = "S", description = "Only this checkpoint.")
    Integer step;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Format format;

    static final class Format {
        @Option(names = "--csv", required = true, description = "CSV with a header row.")
        boolean csv;

        @Option(names = "--json", required = true, description = "A JSON list of rows.")
        boolean json;

        @Option(names = "--export", required = true, description = "Write the store's results into RUN/results/"
                + "<estimator>.jsonl (portable, travels with the run; imported when the run's store is opened).")
        boolean export;

        @Option(names = "--import", required = true, description = "Import RUN/results/*.jsonl into the store now"
                + " and say what was imported and refused.")
        boolean importNow;

        @Option(names = "--rebase-init-loss", required = true, description = "Replace every stored llc and llc_full"
                + " result whose init loss came from the first batches of its slice by the one init_batches 0 (the"
                + " whole slice) gives from the same draws (ADR 0014), in the store and in RUN/results/*.jsonl.")
        boolean rebaseInitLoss;
    }

    @Override
    public Integer call() throws JsonProcessingException {
        Run run = Run.open(runDir);
        Map<String, Integer> stepOfHash = new HashMap<>();
        for (int s : run.steps()) {
            stepOfHash.putIfAbsent(run.contentHash(s), s);
        }
        String hash = step == null ? null : run.contentHash(step);
        List<StoredResult> rows = List.of();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (format.export || format.importNow || format.rebaseInitLoss) {
            try (ResultStore store = ResultStore.openForRun(run)) {
                PortableResults.Report report = store.lastImport();
                report.refused().forEach(r -> err.println("headlab: refused " + r));
                if (format.importNow) {
                    out.println(report.summary());
                    return report.refused().isEmpty() ? 0 : 1;
                }
                List<ResultKey> replaced = new ArrayList<>();
                if (format.rebaseInitLoss) {
                    List<ResultStore.Replacement> plan;
                    try (RunSession session = RunSession.open(run.dir())) {
                        plan = InitLossRebase.plan(session, store);
                    }
                    store.replace(plan);
                    plan.forEach(p -> replaced.add(p.old()));
                    out.println("rebased " + plan.size() + " result" + (plan.size() == 1 ? "" : "s")
                            + " onto the init loss of the whole slice");
                }
                for (Path f : PortableResults.export(run, store, replaced)) {
                    long n;
                    try (var lines = Files.lines(f)) {
                        n = lines.count();
                    } catch (java.io.IOException e) {
                        n = -1;
                    }
                    out.println("wrote " + run.dir().relativize(f) + " (" + n + " results)");
                }
            }
            return 0;
        }
        if (ResultStore.hasResults(run.dir())) {
            // listing is read-only: the store is read into memory, the run folder is left as it was
            try (ResultStore store = ResultStore.readOnlyView(run)) {
                store.lastImport().refused().forEach(r -> err.println("headlab: refused " + r));
                rows = store.query(estimator, hash);
            }
        }
        if (format.json) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (StoredResult r : rows) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("step", stepOfHash.getOrDefault(r.key().checkpointHash(), r.step()));
                m.put("estimator", r.key().estimator());
                m.put("scope", r.key().scope().name().toLowerCase(java.util.Locale.ROOT));
                m.put("layer", r.key().layer() < 0 ? null : r.key().layer());
                m.put("head", r.key().head() < 0 ? null : r.key().head());
                m.put("dataset", r.key().dataset().isEmpty() ? null : r.key().dataset());
                m.put("params", Json.mapper().readTree(r.key().params()));
                m.put("metrics", r.result().metrics());
                m.put("checkpoint_hash", r.key().checkpointHash());
                m.put("elapsed_ms", r.elapsedMillis());
                list.add(m);
            }
            JsonOutput.print(out, list);
        } else {
            out.println(CSV_HEADER);
            for (StoredResult r : rows) {
                int s = stepOfHash.getOrDefault(r.key().checkpointHash(), r.step());
                for (Map.Entry<String, JsonNode> m : r.result().metrics().entrySet()) {
                    JsonNode v = m.getValue();
                    out.println(String.join(",", String.valueOf(s), csv(r.key().estimator()),
                            r.key().scope().name().toLowerCase(java.util.Locale.ROOT),
                            r.key().layer() < 0 ? "" : String.valueOf(r.key().layer()),
                            r.key().head() < 0 ? "" : String.valueOf(r.key().head()), csv(r.key().dataset()),
                            csv(r.key().params()), csv(m.getKey()), csv(v.isTextual() ? v.textValue() : v.toString()),
                            r.key().checkpointHash()));
                }
            }
        }
        out.flush();
        return 0;
    }

    static String csv(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }
}
