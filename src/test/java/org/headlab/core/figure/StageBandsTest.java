package org.headlab.core.figure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.headlab.core.estimate.Scope;
import org.headlab.core.estimate.stages.StageDetector;
import org.headlab.core.store.ResultTable;
import org.junit.jupiter.api.Test;

/** The source choice of the stage bands on hand-made tables, and the read-out of a stage. */
class StageBandsTest {
    static final int[] STEPS = {0, 1, 3, 9, 27, 81, 243, 729, 2187, 6561};

    static List<ResultTable.Row> curve(String estimator, String metric, java.util.function.IntToDoubleFunction f) {
        List<ResultTable.Row> rows = new ArrayList<>();
        for (int s : STEPS) {
            rows.add(new ResultTable.Row(estimator, "{}", "{}", "", Scope.MODEL, -1, -1, s,
                    Map.of(metric, f.applyAsDouble(s))));
        }
        return rows;
    }

    @Test
    void llcFullBeforeLossUnlessToldOtherwise() {
        List<ResultTable.Row> rows = new ArrayList<>(curve("loss", "loss/mean", s -> s < 27 ? 3 : 1));
        ResultTable lossOnly = new ResultTable("r", rows);
        rows.addAll(curve("llc_full", "llc/mean", s -> Math.log1p(s)));
        ResultTable both = new ResultTable("r", rows);
        assertEquals("loss", StageBands.detect(lossOnly, "auto").sourceEstimator());
        assertEquals("llc_full", StageBands.detect(both, "auto").sourceEstimator());
        assertEquals("loss", StageBands.detect(both, "loss").sourceEstimator());
        assertNull(StageBands.detect(lossOnly, "llc_full"));
        assertNull(StageBands.detect(both, "none"));
        assertThrows(IllegalArgumentException.class, () -> StageBands.detect(both, "llc"));
        StageBands b = StageBands.detect(both, "auto");
        double[] xs = java.util.Arrays.stream(STEPS).asDoubleStream().toArray();
        assertEquals(StageDetector.detect(xs, java.util.Arrays.stream(STEPS).mapToDouble(Math::log1p).toArray()),
                b.stages());
        assertEquals("stages of llc_full", b.caption());
    }

    @Test
    void aStepReadsAsTheStageHoldingIt() {
        StageBands b = new StageBands(List.of(new StageDetector.Stage(0, 144.4, StageDetector.Kind.FALLING),
                new StageDetector.Stage(144.4, 4000, StageDetector.Kind.FLAT)), "loss", "loss/mean", new double[0],
                new double[0], Map.of());
        assertEquals(0, b.indexAt(10));
        assertEquals(1, b.indexAt(144.4));
        assertEquals(1, b.indexAt(4000));
        assertEquals(-1, b.indexAt(4001));
        assertEquals("stage 2: steps 144–4000, flat", b.describe(1));
    }
}
