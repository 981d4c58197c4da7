package org.headlab.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.Scope;
import org.headlab.core.store.ResultTable;
import org.junit.jupiter.api.Test;

/**
 * Matching the heads of two runs: a second "seed" made from the first by permuting the heads within each layer
 * (a symmetry of the model) and adding noise must be matched back by that permutation; its head types agree
 * (ARI 1); a random matching is farther apart.
 */
class RunComparisonTest {
    // within layer 0 (heads 0..3) and layer 1 (heads 4..7 of the flat index)
    private static final int[] PERMUTATION = {2, 0, 3, 1, 5, 7, 4, 6};

    private static ResultTable permuted(ResultTable t, long seed) {
        Random r = new Random(seed);
        List<ResultTable.Row> rows = new ArrayList<>();
        for (ResultTable.Row x : t.rows()) {
            int flat = PERMUTATION[x.layer() * 4 + x.head()];
            rows.add(new ResultTable.Row(x.estimator(), x.variant(), x.params(), x.dataset(), Scope.HEAD,
                    flat / 4, flat % 4, x.step(), Map.of("llc/mean", x.metrics().get("llc/mean")
                            * (1 + 0.01 * r.nextGaussian()))));
        }
        return new ResultTable("seed-b", rows);
    }

    @Test
    void aPermutedSeedIsMatchedBackAndItsTypesAgree() {
        int[] steps = {0, 10, 30, 100, 300, 1000, 3000, 10000};
        ResultTable a = HeadClustersTest.planted(steps, 1);
        ResultTable b = permuted(a, 2);
        RunComparison.Result r = RunComparison.compare(a, b, "llc", "v", "v", "llc/mean",
                HeadClusters.Normalisation.STANDARDISE, true, 0);
        assertEquals(8, r.pairs().size());
        for (RunComparison.Pair p : r.pairs()) {
            String[] lh = p.a().split(":");
            int flat = PERMUTATION[Integer.parseInt(lh[0]) * 4 + Integer.parseInt(lh[1])];
            assertEquals((flat / 4) + ":" + (flat % 4), p.b(), "head " + p.a());
        }
        assertTrue(r.meanMatched() < r.meanUnmatched() / 5, r.meanMatched() + " vs " + r.meanUnmatched());
        assertEquals(1.0, r.clusterAri(), 1e-12);
    }

    @Test
    void aClusteringThatIsTheLayersIsRecognised() {
        assertTrue(RunComparison.isLayerSplit(Map.of("0:0", 3, "0:1", 3, "1:0", 5, "1:1", 5)));
        assertTrue(!RunComparison.isLayerSplit(Map.of("0:0", 3, "0:1", 5, "1:0", 5, "1:1", 5)));
        assertTrue(!RunComparison.isLayerSplit(Map.of("0:0", 3, "0:1", 3, "1:0", 3, "1:1", 3)));
    }

    @Test
    void runsWithOtherHeadsAreRefused() {
        int[] steps = {0, 10, 30, 100};
        ResultTable a = HeadClustersTest.planted(steps, 1);
        ResultTable fewer = new ResultTable("b", a.rows().stream().filter(x -> x.head() != 3).toList());
        HeadLabException e = assertThrows(HeadLabException.class, () -> RunComparison.compare(a, fewer, "llc", "v",
                "v", "llc/mean", HeadClusters.Normalisation.STANDARDISE, true, 0));
        assertTrue(e.getMessage().contains("stored for different heads"), e.getMessage());
    }
}
