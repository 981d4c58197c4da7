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
import org.headlab.core.analysis.Multigrams;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.Head;
import org.headlab.core.model.Transformer;
import org.headlab.core.session.RunSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code multigrams RUN --head L:H}: the token pairs a head attends along on a slice ({@link Multigrams}). */
@Command(name = "multigrams", mixinStandardHelpOptions = true,
        description = {"The token pairs a head attends along on a dataset slice (key token → query token, at which",
            "distance), counted against the pairs a head picking earlier tokens at random would make (lift)."},
        footer = {"", "Exit status: 0 done, 2 a usage or input error."})
final class MultigramsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RUN", description = "The run folder.")
    Path runDir;

    @Option(names = "--head", required = true, paramLabel = "L:H", description = "The head.")
    String head;

    @Option(names = "--step", description = "Checkpoint (default: the last).")
    Integer step;

    @Option(names = "--slice", description = "Dataset slice (default: the run's first).")
    String slice;

    @Option(names = "--windows", defaultValue = "64", description = "Windows of the slice (default: ${DEFAULT-VALUE}).")
    int windows;

    @Option(names = "--top", defaultValue = "15", description = "Pairs to list (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--json", description = "JSON: every pair with count, expected count, lift, distance, example.")
    boolean json;

    @Override
    public Integer call() {
        if (windows < 1 || top < 1) {
            throw new HeadLabException("--windows and --top must be at least 1");
        }
        try (RunSession session = RunSession.open(runDir)) {
            Head h = Head.parse(head).checkedAgainst(session.run().config());
            List<Integer> steps = session.steps();
            int s = step != null ? session.run().checkpoint(step).step() : steps.get(steps.size() - 1);
            DatasetSlices slices = new DatasetSlices(session);
            DatasetSlices.Slice sl = slices.slice(slice != null ? slice : slices.defaultSlice());
            int[][] w = sl.windowArray(sl.windowLength(), windows);
            List<List<String>> tokens = new ArrayList<>();
            List<float[][]> patterns = new ArrayList<>();
            try (Transformer t = Transformer.create(session.run().config(), session.run().weights(s))) {
                for (int[] ids : w) {
                    tokens.add(session.tokenizer().tokenStrings(ids));
                    patterns.add(t.attentionPatterns(ids)[h.layer()][h.head()]);
                }
            }
            Multigrams.Result r = Multigrams.count(tokens, patterns);
            PrintWriter out = spec.commandLine().getOut();
            List<Multigrams.Pair> shown = r.pairs().subList(0, Math.min(top, r.pairs().size()));
            if (json) {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (Multigrams.Pair p : r.pairs()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("key", p.key());
                    m.put("query", p.query());
                    m.put("count", p.count());
                    m.put("expected", p.expected());
                    m.put("lift", Double.isInfinite(p.lift()) ? null : p.lift());
                    m.put("distance", p.distance());
                    m.put("example", p.example());
                    rows.add(m);
                }
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("run", session.run().name());
                doc.put("head", h.toString());
                doc.put("step", s);
                doc.put("slice", sl.name());
                doc.put("windows", w.length);
                doc.put("queries", r.queries());
                doc.put("resting_on_first", r.restingOnFirst());
                doc.put("pairs", rows);
                JsonOutput.print(out, doc);
                return 0;
            }
            out.printf(Locale.ROOT, "head %s at step %d on '%s' (%d windows, %d query positions; %.0f %% rest on the"
                    + " first position)%n", h, s, sl.name(), w.length, r.queries(),
                    100.0 * r.restingOnFirst() / Math.max(1, r.queries()));
            out.printf("%6s %8s %7s %8s  %-14s %-14s %s%n", "count", "expected", "lift", "distance", "key", "query",
                    "example");
            for (Multigrams.Pair p : shown) {
                out.printf(Locale.ROOT, "%6d %8.1f %7.1f %8d  %-14s %-14s %s%n", p.count(), p.expected(), p.lift(),
                        p.distance(), quote(p.key()), quote(p.query()), quote(p.example()));
            }
        }
        return 0;
    }

    private static String quote(String s) {
        return "'" + s.replace("\n", "\\n") + "'";
    }
}
