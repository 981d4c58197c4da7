package org.headlab.core.sweep;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.Estimator;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.Params;
import org.headlab.core.estimate.Target;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.run.Run;

/**
 * Splits a sweep into independent tasks: estimator × checkpoint × target (heads, their layers, or the model, by
 * the estimator's scope) × parameter set, on one dataset slice. Pure: it computes hashes but runs nothing.
 */
public final class SweepPlan {
    private SweepPlan() {
    }

    /**
     * @param params the parameter set per estimator id; estimators not in it use their defaults
     * @param steps the checkpoints, or null for all
     * @param heads the heads, or null for all
     * @param dataset the slice, or null for the run's first
     */
    public static List<TaskSpec> tasks(Run run, DatasetSlices slices, List<Estimator> estimators,
            Map<String, Params> params, List<Integer> steps, List<Head> heads, String dataset) {
        List<Integer> theSteps = steps == null ? run.steps() : steps;
        theSteps.forEach(run::checkpoint); // an unknown step fails here with the nearby steps named
        List<Head> theHeads = heads == null ? Head.all(run.config()) : heads;
        List<TaskSpec> tasks = new ArrayList<>();
        for (Estimator e : estimators) {
            Params p = params.getOrDefault(e.id(), e.parameters().defaults());
            String slice = "";
            String sliceHash = "";
            if (e.usesDataset()) {
                slice = dataset == null ? slices.defaultSlice() : dataset;
                sliceHash = slices.slice(slice).hash();
            }
            for (int step : theSteps) {
                String hash = run.contentHash(step);
                for (Target t : targets(e, theHeads)) {
                    tasks.add(new TaskSpec(e.id(), step, hash, t, p, slice, sliceHash));
                }
            }
        }
        return tasks;
    }

    private static List<Target> targets(Estimator e, List<Head> heads) {
        return switch (e.scope()) {
            case HEAD -> heads.stream().map(Target::of).toList();
            case LAYER -> {
                Set<Target> layers = new LinkedHashSet<>();
                heads.forEach(h -> layers.add(Target.layer(h.layer())));
                yield List.copyOf(layers);
            }
            case MODEL -> List.of(Target.model());
        };
    }
}
