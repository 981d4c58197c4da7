package org.headlab.core.figure;

import org.headlab.core.estimate.loss.LossMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.headlab.core.estimate.Scope;
import org.headlab.core.estimate.llc.LlcMetrics;
import org.headlab.core.estimate.stages.StageDetector;
import org.headlab.core.store.ResultTable;

/**
 * The training stages drawn as bands behind curves over training, and which stored curve they were detected on:
 * the full-model LLC ({@code llc_full}, {@code llc/mean}) when the store has it, as the paper does, else the clean
 * loss ({@code loss}, {@code loss/mean}) (ADR 0005). The {@code figures} command and the workbench's Curves tab both
 * take their bands from here, so both show the same stages in the same colours
 * ({@link TrajectoryFigure}'s colours by kind).
 *
 * @param stages what {@link StageDetector#detect(double[], double[], StageDetector.Settings)} found
 * @param sourceEstimator the estimator of the curve the stages were found on ("llc_full" or "loss")
 * @param sourceMetric its metric (llc/mean or loss/mean)
 * @param steps the steps of that curve
 * @param values its values
 * @param provenance where the bands came from, as it goes into a figure's sidecar
 */
public record StageBands(List<StageDetector.Stage> stages, String sourceEstimator, String sourceMetric,
        double[] steps, double[] values, Map<String, Object> provenance) {

    /** The choices of source: auto (llc_full, else loss), only llc_full, only loss, or none. */
    public static final List<String> SOURCES = List.of("auto", "llc_full", "loss", "none");

    public StageBands {
        stages = List.copyOf(stages);
    }

    /**
     * The stages of the store's source curve: {@code from} is one of {@link #SOURCES}. Null when {@code from} is
     * "none" or the table holds no model-scope curve of the sources it allows. The most recent parameter set of
     * the source is used.
     *
     * @throws IllegalArgumentException for a {@code from} not in {@link #SOURCES}
     */
    public static StageBands detect(ResultTable table, String from) {
        if (!SOURCES.contains(from)) {
            throw new IllegalArgumentException("stage source must be one of " + SOURCES + ", not '" + from + "'");
        }
        if (from.equals("none")) {
            return null;
        }
        List<String[]> sources = new ArrayList<>();
        if (!from.equals("loss")) {
            sources.add(new String[] {"llc_full", LlcMetrics.MEAN});
        }
        if (!from.equals("llc_full")) {
            sources.add(new String[] {"loss", LossMetrics.MEAN});
        }
        for (String[] src : sources) {
            String variant = table.latestVariant(src[0], src[1]);
            if (variant == null) {
                continue;
            }
            TreeMap<Integer, Double> curve = new TreeMap<>();
            String params = null;
            String dataset = null;
            for (ResultTable.Row r : table.rows()) {
                if (r.estimator().equals(src[0]) && r.scope() == Scope.MODEL && r.variant().equals(variant)
                        && r.metrics().containsKey(src[1])) {
                    curve.put(r.step(), r.metrics().get(src[1]));
                    params = r.params();
                    dataset = r.dataset();
                }
            }
            if (curve.isEmpty()) {
                continue;
            }
            double[] xs = curve.keySet().stream().mapToDouble(Integer::doubleValue).toArray();
            double[] ys = curve.values().stream().mapToDouble(Double::doubleValue).toArray();
            StageDetector.Settings settings = StageDetector.Settings.defaults();
            List<StageDetector.Stage> found = StageDetector.detect(xs, ys, settings);
            Map<String, Object> prov = new LinkedHashMap<>();
            prov.put("method", "StageDetector: segmented least squares over ln(1 + step), docs/decisions/"
                    + "0005-stage-detection.md");
            prov.put("settings", Map.of("penalty", settings.penalty(), "flat_fraction", settings.flatFraction(),
                    "min_points", settings.minPoints()));
            prov.put("source_estimator", src[0]);
            prov.put("source_metric", src[1]);
            prov.put("source_parameters", CurveFigures.params(params));
            prov.put("source_dataset_slice", dataset);
            prov.put("source_checkpoints", List.copyOf(curve.keySet()));
            prov.put("stages", CurveFigures.stageRows(found));
            return new StageBands(found, src[0], src[1], xs, ys, prov);
        }
        return null;
    }

    /** The legend caption of the bands: "stages of loss", "stages of llc_full". */
    public String caption() {
        return "stages of " + sourceEstimator;
    }

    /** {@code f} with these stages as bands behind its curves (named S1, S2, …, coloured by kind). */
    public TrajectoryFigure applyTo(TrajectoryFigure f) {
        return f.withStages(CurveFigures.bands(stages), caption());
    }

    /** The index of the stage holding {@code step} (a boundary belongs to the later stage; -1: none). */
    public int indexAt(double step) {
        for (int i = stages.size() - 1; i >= 0; i--) {
            StageDetector.Stage s = stages.get(i);
            if (step >= s.startStep() && step <= s.endStep()) {
                return i;
            }
        }
        return -1;
    }

    /** "stage 2: steps 144–4000, flat" for stage {@code i} (0-based). */
    public String describe(int i) {
        StageDetector.Stage s = stages.get(i);
        return "stage " + (i + 1) + ": steps " + step(s.startStep()) + "–" + step(s.endStep()) + ", "
                + s.kind().word();
    }

    private static String step(double v) {
        return Long.toString(Math.round(v));
    }
}
