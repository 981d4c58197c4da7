package org.headlab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.Head;
import org.headlab.core.labels.HeadLabel;
import org.headlab.core.labels.LabelEdit;
import org.headlab.core.labels.LabelProvenance;
import org.headlab.core.labels.LabelClass;
import org.headlab.core.labels.LabelSet;
import org.headlab.core.labels.LabelStore;
import org.headlab.core.run.Run;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code labels RUN}: list a run's head labels (text, CSV or JSON), and set or remove labels without the window
 * ({@code --set 1:2=induction@100-400 --note "..."}). Edits go through the same LabelEdit values as the GUI's undo
 * stack and are saved atomically.
 */
@Command(name = "labels", mixinStandardHelpOptions = true,
        description = "List, set or remove head labels (the run's labels.json).")
final class LabelsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RUN", description = "The run folder (holding run.json).")
    Path runDir;

    static final class Format {
        @Option(names = "--csv", description = "Print CSV, one row per label.")
        boolean csv;
        @Option(names = "--json", description = "Print the labels.json document.")
        boolean json;
    }

    @ArgGroup(exclusive = true)
    Format format = new Format();

    @Option(names = "--set", paramLabel = "L:H=CLASS[@FROM-TO]",
            description = "Label head L:H with CLASS, for checkpoint steps FROM..TO (both optional, inclusive).")
    List<String> set = new ArrayList<>();

    @Option(names = "--note", description = "The note for the labels set by --set.")
    String note = "";

    @Option(names = "--remove", paramLabel = "L:H", description = "Remove every label of head L:H.")
    List<String> remove = new ArrayList<>();

    @Option(names = "--add-class", paramLabel = "NAME[=#RRGGBB]", description = "Add a class of your own (its id is"
            + " the name in lower case with dashes, e.g. 'Depth tracking' → depth-tracking), usable by --set.")
    List<String> addClass = new ArrayList<>();

    @Override
    public Integer call() {
        Run run = Run.open(runDir);
        LabelProvenance provenance = LabelProvenance.now(Clock.systemUTC(), null);
        LabelSet labels = LabelStore.read(runDir);
        if (!set.isEmpty() || !remove.isEmpty() || !addClass.isEmpty()) {
            changes(labels, run, provenance); // refuses bad arguments before anything is locked or written
            // read, change and write under labels.json's lock: a concurrent writer's edits are never lost
            labels = LabelStore.update(runDir, current -> changes(current, run, provenance));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (format.json) {
            JsonOutput.print(out, LabelStore.document(labels));
        } else if (format.csv) {
            out.print(LabelStore.toCsv(labels));
        } else {
            printText(out, labels, run);
        }
        return 0;
    }

    private HeadLabel parseSet(String text, Run run, LabelProvenance provenance) {
        int eq = text.indexOf('=');
        if (eq < 0) {
            throw new HeadLabException("--set '" + text + "' must be written L:H=CLASS[@FROM-TO], e.g. 1:2=induction@100-400");
        }
        Head h = Head.parse(text.substring(0, eq)).checkedAgainst(run.config());
        String rest = text.substring(eq + 1).trim();
        Integer from = null;
        Integer to = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            String range = rest.substring(at + 1).trim();
            rest = rest.substring(0, at).trim();
            int dash = range.indexOf('-');
            if (dash < 0) {
                from = step(range, text);
                to = from;
            } else {
                from = range.substring(0, dash).isBlank() ? null : step(range.substring(0, dash), text);
                to = range.substring(dash + 1).isBlank() ? null : step(range.substring(dash + 1), text);
            }
        }
        return new HeadLabel(h, rest, from, to, note, provenance);
    }

    private static Integer step(String s, String whole) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new HeadLabException("--set '" + whole + "': step '" + s.trim() + "' must be an integer");
        }
    }

    private static void printText(PrintWriter out, LabelSet labels, Run run) {
        if (labels.labels().isEmpty()) {
            out.println(run.name() + ": no labels (" + LabelStore.file(run.dir()) + ")");
            return;
        }
        out.println(run.name() + ": " + labels.labels().size() + " label" + (labels.labels().size() == 1 ? "" : "s"));
        for (HeadLabel l : labels.labels()) {
            out.printf("  %-5s %-18s %-22s %s%s%n", l.headName(), l.classId(), l.rangeText(),
                    l.provenance().who().isEmpty() ? "" : "by " + l.provenance().who(),
                    l.note().isEmpty() ? "" : "  — " + l.note());
        }
    }

    /** The labels with this command's classes, removals and assignments applied. */
    private LabelSet changes(LabelSet labels, Run run, LabelProvenance provenance) {
        for (String c : addClass) {
            int eq = c.lastIndexOf('=');
            String name = eq < 0 ? c : c.substring(0, eq);
            String colour = eq < 0 ? "#17becf" : c.substring(eq + 1).trim();
            if (!colour.matches("#[0-9a-fA-F]{6}")) {
                throw new HeadLabException("--add-class '" + c + "': the colour must be #RRGGBB, got '" + colour + "'");
            }
            LabelClass cls = LabelClass.user(name, colour);
            if (cls.id().isEmpty()) {
                throw new HeadLabException("--add-class '" + c + "': the name needs a letter or digit");
            }
            if (labels.classById(cls.id()).isEmpty()) {
                labels = labels.withClass(cls);
            }
        }
        List<LabelEdit> edits = new ArrayList<>();
        for (String r : remove) {
            Head h = Head.parse(r).checkedAgainst(run.config());
            for (HeadLabel l : labels.forHead(h)) {
                edits.add(new LabelEdit.Remove(l));
            }
        }
        for (String s : set) {
            edits.add(new LabelEdit.Assign(parseSet(s, run, provenance)));
        }
        for (LabelEdit e : edits) {
            labels = e.applyTo(labels);
        }
        return labels;
    }
}
