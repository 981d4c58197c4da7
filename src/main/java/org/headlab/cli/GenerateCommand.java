package org.headlab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.headlab.core.HeadLabException;
import org.headlab.core.data.DyckGenerator;
import org.headlab.core.data.GeneratedSequence;
import org.headlab.core.data.RepeatedTokenGenerator;
import org.headlab.core.data.RepeatedTokens;
import org.headlab.core.data.SExpressionGenerator;
import org.headlab.core.data.SequenceGenerator;
import org.headlab.core.data.Tokenizer;
import org.headlab.core.session.RunSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code generate dyck|sexpr|repeat}: seeded inputs with their structure, as text lines or JSON. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate seeded inputs: Dyck strings, S-expressions, repeated random tokens.",
        subcommands = {GenerateCommand.Dyck.class, GenerateCommand.SExpr.class, GenerateCommand.Repeat.class})
final class GenerateCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options every generator shares. */
    static final class Common {
        @Option(names = "--count", defaultValue = "5", description = "How many sequences (default ${DEFAULT-VALUE}).")
        int count;

        @Option(names = "--seed", defaultValue = "1", description = "Random seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--json", description = "JSON with tokens, depth and matching-bracket index per token.")
        boolean json;

        void check() {
            if (count < 1) {
                throw new HeadLabException("--count must be at least 1, got " + count);
            }
        }
    }

    static void print(PrintWriter out, Common common, SequenceGenerator generator) {
        common.check();
        List<GeneratedSequence> seqs = generator.generate(common.seed, common.count);
        if (!common.json) {
            seqs.forEach(s -> out.println(s.text()));
            return;
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (GeneratedSequence s : seqs) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("text", s.text());
            row.put("tokens", s.tokens());
            row.put("depth", s.structure().depths());
            row.put("match", s.structure().matches());
            s.value().ifPresent(v -> row.put("value", v));
            rows.add(row);
        }
        JsonOutput.print(out, Map.of("sequences", rows));
    }

    @Command(name = "dyck", mixinStandardHelpOptions = true, description = "Balanced bracket strings (Dyck-k).")
    static final class Dyck implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Common common = new Common();

        @Option(names = "--kinds", defaultValue = "2", description = "Bracket kinds 1..4 of ()[]{}<> (default ${DEFAULT-VALUE}).")
        int kinds;

        @Option(names = "--max-depth", defaultValue = "4", description = "Deepest nesting (default ${DEFAULT-VALUE}).")
        int maxDepth;

        @Option(names = "--min-length", defaultValue = "8", description = "Shortest length, even (default ${DEFAULT-VALUE}).")
        int minLength;

        @Option(names = "--max-length", defaultValue = "24", description = "Longest length, even (default ${DEFAULT-VALUE}).")
        int maxLength;

        @Option(names = "--spaced", description = "Separate brackets by spaces (for bracket tokenizers).")
        boolean spaced;

        @Override
        public Integer call() {
            print(spec.commandLine().getOut(), common,
                    new DyckGenerator(kinds, maxDepth, minLength, maxLength, spaced));
            return 0;
        }
    }

    @Command(name = "sexpr", mixinStandardHelpOptions = true,
            description = "Nested arithmetic mod 7 with + - * in prefix form, with its value.")
    static final class SExpr implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Common common = new Common();

        @Option(names = "--max-depth", defaultValue = "3", description = "Deepest nesting (default ${DEFAULT-VALUE}).")
        int maxDepth;

        @Option(names = "--min-arity", defaultValue = "2", description = "Fewest arguments per operator (default ${DEFAULT-VALUE}).")
        int minArity;

        @Option(names = "--max-arity", defaultValue = "3", description = "Most arguments per operator (default ${DEFAULT-VALUE}).")
        int maxArity;

        @Option(names = "--format", defaultValue = SExpressionGenerator.DEFAULT_FORMAT,
                description = "Text layout with {expr} and {value} (default '${DEFAULT-VALUE}').")
        String format;

        @Override
        public Integer call() {
            print(spec.commandLine().getOut(), common,
                    new SExpressionGenerator(maxDepth, minArity, maxArity, format));
            return 0;
        }
    }

    @Command(name = "repeat", mixinStandardHelpOptions = true,
            description = "Repeated random tokens (the induction test): L random ids, then the same L again.")
    static final class Repeat implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Common common = new Common();

        @Option(names = "--half-length", defaultValue = "20", description = "L, the length of each half (default ${DEFAULT-VALUE}).")
        int halfLength;

        @Option(names = "--run", paramLabel = "RUN", description = "Draw from this run's vocabulary (and show tokens).")
        Path run;

        @Option(names = "--vocab-size", description = "Draw ids from 0..N-1 when no run is given.")
        Integer vocabSize;

        @Override
        public Integer call() {
            Common c = common;
            c.check();
            Tokenizer tokenizer = null;
            RepeatedTokenGenerator generator;
            if (run != null) {
                try (RunSession session = RunSession.open(run)) {
                    tokenizer = session.tokenizer();
                }
                generator = RepeatedTokenGenerator.forTokenizer(tokenizer, halfLength);
            } else if (vocabSize != null) {
                generator = new RepeatedTokenGenerator(0, vocabSize, java.util.Set.of(), halfLength, -1);
            } else {
                throw new HeadLabException("generate repeat needs --run RUN or --vocab-size N");
            }
            PrintWriter out = spec.commandLine().getOut();
            List<Map<String, Object>> rows = new ArrayList<>();
            for (RepeatedTokens r : generator.generate(c.seed, c.count)) {
                List<String> tokens = tokenizer == null ? null : tokenizer.tokenStrings(r.ids());
                if (!c.json) {
                    out.println(tokens == null ? joinIds(r.ids()) : String.join(" ", tokens));
                    continue;
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("token_ids", r.ids());
                if (tokens != null) {
                    row.put("tokens", tokens);
                }
                row.put("half_length", r.halfLength());
                row.put("prefix_length", r.prefixLength());
                rows.add(row);
            }
            if (c.json) {
                JsonOutput.print(out, Map.of("sequences", rows));
            }
            return 0;
        }

        private static String joinIds(int[] ids) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < ids.length; i++) {
                b.append(i == 0 ? "" : " ").append(ids[i]);
            }
            return b.toString();
        }
    }
}
