package org.headlab.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.headlab.core.AtomicFiles;
import org.headlab.core.estimate.llc.LlcData;
import org.headlab.core.session.RunSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code windows RUN [--dataset S] --out FILE}: the n_ctx token windows that the rLLC and the other estimators read
 * from a slice, in their order, one {@code {"tokens": [...]}} per line — so another tool (devinterp, bench/) can be
 * run on exactly the same data; the first 16 × 32 of them are the init-loss batches.
 */
@Command(name = "windows", mixinStandardHelpOptions = true,
        description = "Write the token windows estimators read from a dataset slice (JSON lines, in order).")
final class WindowsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RUN", description = "The run folder.")
    Path runDir;

    @Option(names = "--dataset", description = "Dataset slice (default: the first).")
    String dataset;

    @Option(names = "--out", required = true, description = "The JSON-lines file to write.")
    Path out;

    @Override
    public Integer call() {
        try (RunSession session = RunSession.open(runDir)) {
            LlcData data = LlcCommand.data(session, dataset);
            AtomicFiles.write(out, o -> {
                StringBuilder b = new StringBuilder();
                for (int[] w : data.sequences()) {
                    b.setLength(0);
                    b.append("{\"tokens\":[");
                    for (int i = 0; i < w.length; i++) {
                        b.append(i == 0 ? "" : ",").append(w[i]);
                    }
                    b.append("]}\n");
                    o.write(b.toString().getBytes(StandardCharsets.UTF_8));
                }
            });
            spec.commandLine().getOut().printf("wrote %d windows of %d tokens from '%s' to %s%n", data.size(),
                    data.length(), data.name(), out);
        }
        return 0;
    }
}
