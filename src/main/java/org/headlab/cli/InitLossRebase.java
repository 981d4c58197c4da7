package org.headlab.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.headlab.core.HeadLabException;
import org.headlab.core.HeadLabVersion;
import org.headlab.core.Json;
import org.headlab.core.estimate.DatasetSlices;
import org.headlab.core.estimate.EstimatorRegistry;
import org.headlab.core.estimate.EstimatorResult;
import org.headlab.core.estimate.Params;
import org.headlab.core.estimate.llc.LlcRebase;
import org.headlab.core.estimate.llc.LlcSweepEstimator;
import org.headlab.core.estimate.llc.SgldSampler;
import org.headlab.core.model.Transformer;
import org.headlab.core.session.RunSession;
import org.headlab.core.store.ResultKey;
import org.headlab.core.store.ResultStore;
import org.headlab.core.store.StoredResult;

/**
 * {@code results RUN --rebase-init-loss} (ADR 0014): every stored {@code llc} and {@code llc_full} result whose init
 * loss came from the first batches of its slice is replaced by the result an {@code init_batches = 0} estimate would
 * have stored, from its own draws ({@link LlcRebase}) and the slice's exact loss at that checkpoint, computed once
 * per checkpoint, slice and batch size by the sampler's own {@link SgldSampler#wholeLoss}.
 */
final class InitLossRebase {
    static final List<String> ESTIMATORS = List.of("llc", "llc_full");

    private InitLossRebase() {
    }

    /** The replacements, computed; nothing is written. */
    static List<ResultStore.Replacement> plan(RunSession session, ResultStore store) {
        EstimatorRegistry registry = EstimatorRegistry.standard();
        DatasetSlices slices = new DatasetSlices(session);
        Map<String, Double> exact = new HashMap<>();
        List<ResultStore.Replacement> out = new ArrayList<>();
        for (String id : ESTIMATORS) {
            for (StoredResult r : store.query(id, null)) {
                ResultKey k = r.key();
                Map<String, Object> given = readParams(k);
                if (!(given.get("init_batches") instanceof Number n) || n.intValue() == 0) {
                    continue;
                }
                DatasetSlices.Slice slice = slices.slice(k.dataset());
                if (!slice.hash().equals(k.datasetHash())) {
                    throw new HeadLabException("the " + id + " result of step " + r.step() + " was computed on another"
                            + " version of dataset '" + k.dataset() + "' (hash " + k.datasetHash().substring(0, 12)
                            + "…, now " + slice.hash().substring(0, 12) + "…): its init loss cannot be taken again");
                }
                given.put("init_batches", 0);
                Params params = registry.get(id).parameters().values(given);
                int batch = params.get(LlcSweepEstimator.BATCH);
                double loss = exact.computeIfAbsent(r.step() + "|" + k.dataset() + "|" + batch,
                        x -> sliceLoss(session, slice, r.step(), batch));
                EstimatorResult rebased = LlcRebase.withInitLoss(r.result(), LlcSweepEstimator.config(params), loss);
                ResultKey now = new ResultKey(k.checkpointHash(), id, params.canonicalJson(), k.dataset(),
                        k.datasetHash(), k.scope(), k.layer(), k.head());
                out.add(new ResultStore.Replacement(k, new ResultStore.ImportRow(now, r.step(), rebased,
                        r.elapsedMillis(), r.createdAt(), HeadLabVersion.get())));
            }
        }
        return out;
    }

    /** L(w*) over every window of the slice, as the sampler computes it ({@link SgldSampler#wholeLoss}). */
    private static double sliceLoss(RunSession session, DatasetSlices.Slice slice, int step, int batch) {
        List<int[]> windows = slice.windows(slice.windowLength());
        try (Transformer model = Transformer.create(session.run().config(), session.run().weights(step))) {
            return SgldSampler.wholeLoss(windows.size(), batch, rows -> {
                int[][] b = new int[rows.length][];
                for (int i = 0; i < rows.length; i++) {
                    b[i] = windows.get(rows[i]);
                }
                return model.loss(b);
            }, () -> false);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readParams(ResultKey k) {
        try {
            return Json.mapper().readValue(k.params(), TreeMap.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored parameters are not JSON: " + k.params(), e);
        }
    }
}
