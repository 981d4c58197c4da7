package org.headlab.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.Head;
import org.headlab.core.figure.AttentionMapFigure;
import org.headlab.core.figure.Figure;
import org.headlab.core.figure.FigureExporter;
import org.headlab.core.figure.Provenance;
import org.headlab.core.run.Run;
import org.headlab.core.session.AttentionResult;
import org.headlab.core.session.RunSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code export-attention RUN --text T [--step S] [--head L:H | --layer L] --out FILE.{png,svg,pdf}}: an attention
 * map figure with its data (CSV) and provenance (JSON) beside it.
 */
@Command(name = "export-attention", mixinStandardHelpOptions = true,
        description = {"Export attention maps as a figure (PNG, SVG or PDF by the file's extension),",
            "with FILE.csv (every weight) and FILE.provenance.json (run, checkpoint and its hash, input) beside it."})
final class ExportAttentionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RUN", description = "The run folder (holding run.json).")
    Path runDir;

    @Option(names = "--text", paramLabel = "T", required = true, description = "The input text.")
    String text;

    @Option(names = "--step", paramLabel = "S", description = "Checkpoint step (default: the last checkpoint).")
    Integer step;

    @Option(names = "--head", paramLabel = "L:H", description = "One head (default: every head of the model).")
    String head;

    @Option(names = "--layer", paramLabel = "L", description = "Every head of layer L side by side.")
    Integer layer;

    @Option(names = "--out", paramLabel = "FILE", required = true,
            description = "The figure file: .png, .svg or .pdf.")
    Path out;

    @Option(names = "--dpi", paramLabel = "N", defaultValue = "300",
            description = "PNG resolution in dots per inch (default: ${DEFAULT-VALUE}); ignored for SVG and PDF.")
    int dpi;

    @Option(names = "--size", paramLabel = "WxH",
            description = "Figure size in points (1/72 inch), e.g. 400x380 (default: the figure's own).")
    String size;

    @Option(names = "--json", description = "Print the written files as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (head != null && layer != null) {
            throw new HeadLabException("give --head or --layer, not both");
        }
        if (dpi < 1 || dpi > 2400) {
            throw new HeadLabException("--dpi must be between 1 and 2400, not " + dpi);
        }
        FigureExporter.Format.of(out); // a bad extension fails before the model runs
        double[] wh = size == null ? null : parseSize(size);
        Path folder = out.toAbsolutePath().getParent();
        if (folder != null && !Files.isDirectory(folder)) {
            throw new HeadLabException("the output folder " + folder + " does not exist");
        }
        try (RunSession session = RunSession.open(runDir)) {
            Run run = session.run();
            List<Integer> steps = session.steps();
            int s = step != null ? run.checkpoint(step).step() : steps.get(steps.size() - 1);
            Head h = head == null ? null : Head.parse(head).checkedAgainst(run.config());
            if (layer != null && (layer < 0 || layer >= run.config().nLayers())) {
                throw new HeadLabException("--layer must be 0.." + (run.config().nLayers() - 1) + ", not " + layer);
            }
            AttentionResult r = session.attention(s, text);
            List<String> heads = new ArrayList<>();
            if (h != null) {
                heads.add(h.toString());
            } else {
                for (int l = 0; l < r.layers(); l++) {
                    if (layer == null || layer == l) {
                        for (int k = 0; k < r.heads(); k++) {
                            heads.add(l + ":" + k);
                        }
                    }
                }
            }
            Provenance prov = AttentionMapFigure.provenance(run, r, heads);
            Figure fig = h != null ? AttentionMapFigure.head(r, h, prov)
                    : layer != null ? AttentionMapFigure.layer(r, layer, prov)
                    : AttentionMapFigure.allHeads(r, prov);
            FigureExporter.Exported e = wh == null ? FigureExporter.export(fig, out, dpi)
                    : FigureExporter.export(fig, out, wh[0], wh[1], dpi);
            PrintWriter pw = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("figure", e.figure().toString());
                m.put("data", e.csv().toString());
                m.put("provenance", e.provenance().toString());
                JsonOutput.print(pw, m);
            } else {
                pw.println("figure:     " + e.figure());
                pw.println("data:       " + e.csv());
                pw.println("provenance: " + e.provenance());
            }
        }
        return 0;
    }

    static double[] parseSize(String text) {
        String[] p = text.toLowerCase(java.util.Locale.ROOT).split("[x×]");
        try {
            if (p.length == 2) {
                double w = Double.parseDouble(p[0].trim());
                double hh = Double.parseDouble(p[1].trim());
                if (w >= 20 && hh >= 20 && w <= 10_000 && hh <= 10_000) {
                    return new double[] {w, hh};
                }
            }
        } catch (NumberFormatException ignored) {
            // the message below says what is expected
        }
        throw new HeadLabException("--size '" + text + "' must be WIDTHxHEIGHT in points, each 20..10000, e.g. 400x380");
    }
}
