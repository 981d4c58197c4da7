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
import org.headlab.core.estimate.Head;
import org.headlab.core.model.Transformer;
import org.headlab.core.session.RunSession;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * What the estimator commands share: the run, one step or all steps, the heads, and the output format (a table,
 * {@code --json} or {@code --csv}). A subclass computes one step into a JSON-ready map and turns it into rows.
 */
abstract class EstimatorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RUN", description = "The run folder (holding run.json).")
    Path runDir;

    @Option(names = "--step", paramLabel = "S", description = "Checkpoint step (default: the last checkpoint).")
    Integer step;

    @Option(names = "--all-steps", description = "Every checkpoint of the run, in step order.")
    boolean allSteps;

    @Option(names = "--heads", paramLabel = "L:H", split = ",",
            description = "Heads to report, e.g. 0:1,1:3 (default: all).")
    List<String> heads;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Option(names = "--csv", description = "Print CSV (one header line, one row per table row).")
    boolean csv;

    /** The session is open while a subclass computes. */
    RunSession session;

    /** Called once before the steps (data that does not depend on the weights). */
    abstract void prepare(List<Head> selected);

    /** One checkpoint's results as a JSON object (without "step"). */
    abstract Map<String, Object> computeStep(Transformer model, List<Head> selected);

    /** Table columns after "step". */
    abstract List<String> columns();

    /** Table rows of one step's results (without the step). */
    abstract List<List<Object>> rows(Map<String, Object> result, List<Head> selected);

    /** Fields that do not depend on the step, printed once at the top of the JSON. */
    Map<String, Object> header() {
        return new LinkedHashMap<>();
    }

    @Override
    public Integer call() {
        if (json && csv) {
            throw new HeadLabException("--json and --csv exclude each other");
        }
        if (allSteps && step != null) {
            throw new HeadLabException("--step and --all-steps exclude each other");
        }
        try (RunSession s = RunSession.open(runDir)) {
            session = s;
            List<Integer> steps = s.steps();
            if (steps.isEmpty()) {
                throw new HeadLabException("run '" + s.run().name() + "' has no checkpoints");
            }
            List<Integer> chosen = allSteps ? steps
                    : List.of(step != null ? s.run().checkpoint(step).step() : steps.get(steps.size() - 1));
            List<Head> selected = new ArrayList<>();
            if (heads != null) {
                for (String h : heads) {
                    selected.add(Head.parse(h).checkedAgainst(s.run().config()));
                }
            }
            selected = new ArrayList<>(Head.selectOrAll(selected, s.run().config()));
            prepare(selected);
            List<Map<String, Object>> results = new ArrayList<>();
            try (Transformer model = Transformer.create(s.run().config(), s.run().weights(chosen.get(0)))) {
                for (int i = 0; i < chosen.size(); i++) {
                    if (i > 0) {
                        model.setWeights(s.run().weights(chosen.get(i)));
                    }
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("step", chosen.get(i));
                    r.putAll(computeStep(model, selected));
                    results.add(r);
                }
            }
            print(spec.commandLine().getOut(), results, selected);
        } finally {
            session = null;
        }
        return 0;
    }

    private void print(PrintWriter out, List<Map<String, Object>> results, List<Head> selected) {
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("run", session.run().name());
            m.putAll(header());
            if (allSteps) {
                m.put("steps", results);
            } else {
                m.putAll(results.get(0));
            }
            JsonOutput.print(out, m);
            return;
        }
        List<String> cols = new ArrayList<>();
        cols.add("step");
        cols.addAll(columns());
        List<List<String>> table = new ArrayList<>();
        for (Map<String, Object> r : results) {
            for (List<Object> row : rows(r, selected)) {
                List<String> cells = new ArrayList<>();
                cells.add(String.valueOf(r.get("step")));
                row.forEach(x -> cells.add(cell(x)));
                table.add(cells);
            }
        }
        if (csv) {
            out.println(String.join(",", cols.stream().map(EstimatorCommand::csvQuote).toList()));
            for (List<String> row : table) {
                out.println(String.join(",", row.stream().map(EstimatorCommand::csvQuote).toList()));
            }
            return;
        }
        int[] width = new int[cols.size()];
        for (int c = 0; c < cols.size(); c++) {
            width[c] = cols.get(c).length();
            for (List<String> row : table) {
                width[c] = Math.max(width[c], row.get(c).length());
            }
        }
        out.println(pad(cols, width));
        for (List<String> row : table) {
            out.println(pad(row, width));
        }
    }

    private static String pad(List<String> cells, int[] width) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            if (c > 0) {
                b.append("  ");
            }
            String s = cells.get(c);
            b.append(s).append(" ".repeat(width[c] - s.length()));
        }
        return b.toString().stripTrailing();
    }

    static String cell(Object x) {
        if (x == null) {
            return "-";
        }
        if (x instanceof Double d) {
            return Double.isNaN(d) ? "-" : String.format(Locale.ROOT, "%.5f", d);
        }
        return String.valueOf(x);
    }

    /** RFC 4180: quote a field holding a comma, a quote or a line break; double the quotes inside. */
    static String csvQuote(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }

    /** [a][b] with NaN as null (JSON has no NaN). */
    static Double[][] jsonMatrix(double[][] m) {
        if (m == null) {
            return null;
        }
        Double[][] out = new Double[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = new Double[m[i].length];
            for (int j = 0; j < m[i].length; j++) {
                out[i][j] = Double.isNaN(m[i][j]) ? null : m[i][j];
            }
        }
        return out;
    }

    static Double jsonNumber(double x) {
        return Double.isNaN(x) || Double.isInfinite(x) ? null : x;
    }
}
