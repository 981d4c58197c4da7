package org.headlab.core.estimate.loss;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.Estimator;
import org.headlab.core.estimate.EstimatorContext;
import org.headlab.core.estimate.EstimatorResult;
import org.headlab.core.estimate.Parameter;
import org.headlab.core.estimate.ParameterSet;
import org.headlab.core.estimate.Scope;
import org.headlab.core.estimate.TaskSpec;
import org.headlab.core.jobs.CancellationToken;
import org.headlab.core.model.Transformer;

/**
 * The clean next-token loss of one checkpoint on a dataset slice: the mean cross-entropy over every predicted
 * token of the slice (sequences of equal length are batched together; a sequence of one token predicts nothing).
 *
 * <p>Metrics: {@code loss/mean} (token-weighted), {@code loss/tokens} (how many predictions), and
 * {@code loss/per_sequence} (each sequence's mean, in slice order).
 */
public final class LossEstimator implements Estimator {
    public static final String ID = "loss";
    public static final Parameter<Integer> MAX_SEQUENCES = Parameter.integer("max_sequences", 0, 0, 1_000_000,
            "use only the first N sequences of the slice (0 = all)");
    static final int BATCH = 64;

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "clean next-token loss of a checkpoint on a dataset slice";
    }

    @Override
    public Scope scope() {
        return Scope.MODEL;
    }

    @Override
    public ParameterSet parameters() {
        return ParameterSet.of(MAX_SEQUENCES);
    }

    @Override
    public boolean usesDataset() {
        return true;
    }

    @Override
    public EstimatorResult evaluate(EstimatorContext ctx, TaskSpec task, CancellationToken cancel) {
        DatasetSlices.Slice slice = ctx.slice(task.dataset());
        int max = task.params().get(MAX_SEQUENCES);
        List<int[]> seqs = max == 0 || max >= slice.sequences().size() ? slice.sequences()
                : slice.sequences().subList(0, max);
        // group by length (a batch needs equal lengths), keeping each sequence's index for per_sequence
        Map<Integer, List<Integer>> byLength = new TreeMap<>();
        for (int i = 0; i < seqs.size(); i++) {
            if (seqs.get(i).length >= 2) {
                byLength.computeIfAbsent(seqs.get(i).length, k -> new ArrayList<>()).add(i);
            }
        }
        if (byLength.isEmpty()) {
            throw new HeadLabException("dataset '" + slice.name() + "' has no sequence of two or more tokens to"
                    + " compute a next-token loss on");
        }
        double[] perSequence = new double[seqs.size()];
        java.util.Arrays.fill(perSequence, Double.NaN);
        double sum = 0;
        long tokens = 0;
        Transformer model = ctx.model(task.step());
        for (List<Integer> group : byLength.values()) {
            for (int from = 0; from < group.size(); from += BATCH) {
                cancel.checkpoint();
                List<Integer> part = group.subList(from, Math.min(group.size(), from + BATCH));
                int[][] batch = new int[part.size()][];
                for (int b = 0; b < batch.length; b++) {
                    batch[b] = seqs.get(part.get(b));
                }
                float[][] losses = model.tokenLosses(batch);
                for (int b = 0; b < batch.length; b++) {
                    double s = 0;
                    for (float l : losses[b]) {
                        s += l;
                    }
                    perSequence[part.get(b)] = s / losses[b].length;
                    sum += s;
                    tokens += losses[b].length;
                }
            }
        }
        return EstimatorResult.builder()
                .put("loss/mean", sum / tokens)
                .put("loss/tokens", tokens)
                .put("loss/per_sequence", perSequence)
                .build();
    }
}
