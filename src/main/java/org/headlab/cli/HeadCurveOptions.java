package org.headlab.cli;

import java.util.Locale;
import org.headlab.core.HeadLabException;
import org.headlab.core.analysis.HeadClusters;
import org.headlab.core.labels.LabelSet;
import org.headlab.core.labels.LabelStore;
import org.headlab.core.run.Run;
import org.headlab.core.store.ResultTable;
import picocli.CommandLine.Option;

/**
 * The options of the commands that read every head's curve of one stored metric ({@code cluster},
 * {@code compare-runs}): which metric and estimator, which slice and checkpoints, how each curve is scaled; and the
 * reading that goes with them, each mistake one line.
 */
final class HeadCurveOptions {
    @Option(names = "--metric", required = true, description = "A stored per-head metric, e.g. llc/mean,"
            + " ablation/resample/delta_loss, patterns/induction, hessian_trace/mean.")
    String metric;

    @Option(names = "--estimator", description = "The estimator that stored it (default: the metric's prefix).")
    String estimator;

    @Option(names = "--slice", description = "Only results on this dataset slice.")
    String slice;

    @Option(names = "--from-step", description = "Only checkpoints at or after this step (e.g. leave out the"
            + " steps before the model leaves its initialisation, where every rLLC is negative).")
    Integer fromStep;

    @Option(names = "--normalise", defaultValue = "standardise", description = "standardise (default), minmax or"
            + " none: how each head's curve is scaled first.")
    String normalise;

    HeadClusters.Normalisation normalisation() {
        try {
            return HeadClusters.Normalisation.valueOf(normalise.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new HeadLabException("--normalise must be standardise, minmax or none, not '" + normalise + "'");
        }
    }

    /** The estimator named, or the metric's prefix. */
    String estimator() {
        return estimator != null ? estimator : metric.contains("/") ? metric.substring(0, metric.indexOf('/'))
                : metric;
    }

    /** The run's stored rows on the slice and checkpoints asked for. */
    ResultTable table(Run run) {
        ResultTable table = ResultTable.read(run);
        return new ResultTable(table.runName(), table.rows().stream()
                .filter(r -> slice == null || slice.equals(r.dataset()))
                .filter(r -> fromStep == null || r.step() >= fromStep).toList());
    }

    /** The parameters the metric was most recently stored with, or one line saying nothing is stored. */
    String variant(ResultTable table, Run run) {
        String v = table.mainVariant(estimator(), metric);
        if (v == null) {
            throw new HeadLabException("no " + estimator() + " results with " + metric + " are stored for "
                    + run.name() + (slice != null ? " on slice " + slice : "") + " (sweep them first)");
        }
        return v;
    }

    /** The run's labels; a damaged labels.json is refused, not read as none. */
    static LabelSet labels(Run run) {
        LabelStore.Loaded loaded = LabelStore.load(run.dir());
        if (loaded.error().isPresent()) {
            throw new HeadLabException(loaded.error().get());
        }
        return loaded.labels();
    }
}
