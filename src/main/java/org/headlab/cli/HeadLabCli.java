package org.headlab.cli;

import java.io.PrintWriter;
import org.headlab.core.HeadLabException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line: {@code headlab <command> ...}. User mistakes print one line to stderr and exit 2. */
@Command(name = "headlab", mixinStandardHelpOptions = true, versionProvider = HeadLabCli.Version.class,
        description = "HeadLab: attention heads of small transformers over training.",
        footer = {"", "Run with no arguments (or 'gui [RUN]') to open the workbench window."},
        subcommands = {
            InfoCommand.class,
            AttentionCommand.class,
            GenerateCommand.class,
            TrainCommand.class,
            LlcCommand.class,
            SusceptibilityCommand.class,
            LlcCalibrateCommand.class,
            WindowsCommand.class,
            ValidateLlcCommand.class,
            AblateCommand.class,
            PatchCommand.class,
            ComposeCommand.class,
            PatternsCommand.class,
            SweepCommand.class,
            ResultsCommand.class,
            ExportAttentionCommand.class,
            FiguresCommand.class,
            ImportCommand.class,
            ClusterCommand.class,
            CompareRunsCommand.class,
            MultigramsCommand.class,
            LabelsCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class})
public final class HeadLabCli implements Runnable {
    public static final int EXIT_USER_ERROR = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs the CLI and returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    public static CommandLine commandLine() {
        return withUserErrorHandling(new CommandLine(new HeadLabCli()));
    }

    /**
     * The project's rule for a command line: a user mistake (HeadLabException, a bad option) prints one line on
     * stderr and exits with {@link #EXIT_USER_ERROR}; anything else is a bug and keeps its stack trace. Also used by
     * the {@code gui} command, which lives outside this package.
     */
    public static CommandLine withUserErrorHandling(CommandLine cl) {
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof HeadLabException) {
                commandLine.getErr().println("headlab: " + ex.getMessage());
                return EXIT_USER_ERROR;
            }
            throw ex; // a bug: keep the stack trace
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("headlab: " + ex.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for usage.");
            return EXIT_USER_ERROR;
        });
        return cl;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"HeadLab " + org.headlab.core.HeadLabVersion.get()};
        }
    }
}
