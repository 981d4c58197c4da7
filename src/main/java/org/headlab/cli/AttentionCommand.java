package org.headlab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.headlab.core.estimate.Head;
import org.headlab.core.session.AttentionResult;
import org.headlab.core.session.RunSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code attention RUN --step S --text T}: the attention patterns of every head at one checkpoint. */
@Command(name = "attention", mixinStandardHelpOptions = true,
        description = "Attention patterns of every head at one checkpoint on one input.")
final class AttentionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RUN", description = "The run folder (holding run.json).")
    Path runDir;

    @Option(names = "--step", paramLabel = "S", description = "Checkpoint step (default: the last checkpoint).")
    Integer step;

    @Option(names = "--text", paramLabel = "T", required = true, description = "The input text.")
    String text;

    @Option(names = "--head", paramLabel = "L:H", description = "Print this head's full map (text output only).")
    String head;

    @Option(names = "--json", description = "Print JSON: tokens, token_ids, patterns[layer][head][q][k], structure.")
    boolean json;

    @Override
    public Integer call() {
        try (RunSession session = RunSession.open(runDir)) {
            List<Integer> steps = session.steps();
            int s = step != null ? session.run().checkpoint(step).step() : steps.get(steps.size() - 1);
            Head h = head == null ? null : Head.parse(head).checkedAgainst(session.run().config());
            AttentionResult r = session.attention(s, text);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("run", session.run().name());
                m.put("step", r.step());
                m.put("text", r.text());
                m.put("tokens", r.tokens());
                m.put("token_ids", r.tokenIds());
                m.put("patterns", r.patterns());
                m.put("depth", r.structure().depths());
                m.put("match", r.structure().matches());
                JsonOutput.print(out, m);
            } else if (h != null) {
                printMatrix(out, r, h);
            } else {
                printSummary(out, r);
            }
        }
        return 0;
    }

    /** One line per head: where the last token looks, and the mean weight on the previous token and on itself. */
    private static void printSummary(PrintWriter out, AttentionResult r) {
        int n = r.length();
        out.printf(Locale.ROOT, "step %d, %d tokens: %s%n", r.step(), n, String.join(" ", r.tokens()));
        out.println("head   prev-token  self    last token attends most to");
        for (Head head : Head.all(r.layers(), r.heads())) {
            float[][] p = r.pattern(head.layer(), head.head());
            double prev = 0;
            double self = 0;
            for (int q = 0; q < n; q++) {
                self += p[q][q];
                if (q > 0) {
                    prev += p[q][q - 1];
                }
            }
            int best = 0;
            for (int k = 1; k < n; k++) {
                if (p[n - 1][k] > p[n - 1][best]) {
                    best = k;
                }
            }
            out.printf(Locale.ROOT, "%-6s %-11.3f %-7.3f %d '%s' (%.3f)%n", head,
                    n > 1 ? prev / (n - 1) : 0.0, self / n, best, r.tokens().get(best), p[n - 1][best]);
        }
    }

    private static void printMatrix(PrintWriter out, AttentionResult r, Head h) {
        float[][] p = r.pattern(h.layer(), h.head());
        out.printf(Locale.ROOT, "head %s at step %d (rows: query, columns: key)%n", h, r.step());
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%10s", ""));
        for (String t : r.tokens()) {
            header.append(String.format(Locale.ROOT, " %5s", clip(t)));
        }
        out.println(header);
        for (int q = 0; q < p.length; q++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%4d %5s", q, clip(r.tokens().get(q))));
            for (int k = 0; k <= q; k++) {
                row.append(String.format(Locale.ROOT, " %5.2f", p[q][k]));
            }
            out.println(row);
        }
    }

    private static String clip(String token) {
        String t = token.replace("\n", "\\n");
        return t.length() > 5 ? t.substring(0, 5) : t;
    }
}
