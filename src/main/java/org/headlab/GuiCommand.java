package org.headlab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.headlab.cli.HeadLabCli;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.Head;
import org.headlab.core.run.SampleRuns;
import org.headlab.ui.HeadLabApp;
import org.headlab.ui.Selection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code headlab gui [RUN] [--step S] [--head L:H] [--text T]}: the window, opened on a run and, if asked, on a
 * checkpoint, head and input, so that a view can be reopened from the command line exactly as it was.
 */
@Command(name = "gui", mixinStandardHelpOptions = true,
        description = "Open the workbench window (default run: the preferred one in sample-runs/).")
final class GuiCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "RUN", description = "The run folder (holding run.json).")
    Path run;

    @Option(names = "--step", paramLabel = "S", description = "Checkpoint to show (default: the last).")
    Integer step;

    @Option(names = "--head", paramLabel = "L:H", description = "Head to select (default 0:0).")
    String head;

    @Option(names = "--text", paramLabel = "T", description = "Input to show (default: from the run's data).")
    String text;

    @Override
    public Integer call() {
        Path dir = run != null ? run : SampleRuns.defaultRun().orElse(null);
        if (dir != null && !Files.isDirectory(dir)) {
            throw new HeadLabException("no run folder at " + dir);
        }
        Head selected = head == null ? null : Head.parse(head);
        HeadLabApp.launchOn(new HeadLabApp.StartRequest(dir, step, selected, text));
        return 0;
    }

    static int run(String[] args) {
        return HeadLabCli.withUserErrorHandling(new CommandLine(new GuiCommand())).execute(args);
    }
}
