package org.headlab.core.figure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.TreeMap;
import org.headlab.core.analysis.TokenKinds;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.susceptibility.StoredSusceptibility;
import org.junit.jupiter.api.Test;

/**
 * The by-kind contrast of stored susceptibilities, checked by hand: a window "<bos> a b a b" whose last token
 * completes the earlier bigram "a b" (the one induction token of the probe) and χ values chosen so that the
 * contrast is known: mean χ on induction tokens minus mean χ on the rest.
 */
class SusceptibilityKindFigureTest {
    static final List<String> VOCAB = List.of("<bos>", "(", ")", "a", "b");
    static final int[][] PROBE = {{0, 3, 4, 3, 4}};

    static StoredSusceptibility head(int layer, int h, double... chi) {
        return new StoredSusceptibility(new Head(layer, h), "train", "{}", chi, new double[chi.length], new int[] {0},
                PROBE, 0);
    }

    @Test
    void theContrastIsTheMeanOnTheKindMinusTheMeanOnTheRest() {
        StoredSusceptibility s = head(1, 0, 1, 2, 3, 10);
        List<String> kinds = SusceptibilityFigures.tokenKinds(s, VOCAB);
        assertEquals("induction", TokenKinds.of(PROBE[0], 4, VOCAB), "a b … a → b completes the earlier bigram");
        assertEquals(List.of(false, false, false, true), kinds.stream().map("induction"::equals).toList());
        assertEquals(10 - (1 + 2 + 3) / 3.0, SusceptibilityFigures.kindContrast(s, kinds, "induction"), 1e-12);
        assertEquals(List.of("induction"), SusceptibilityFigures.frequentKinds(s, VOCAB, 0.05).stream()
                .filter("induction"::equals).toList());
        assertEquals(Double.NaN, SusceptibilityFigures.kindContrast(s, kinds, "digit"), "no such token: no contrast");
    }

    @Test
    void overTrainingOneSeriesPerHeadOnePanelPerLayer() {
        TreeMap<Integer, List<StoredSusceptibility>> byStep = new TreeMap<>();
        byStep.put(100, List.of(head(0, 1, 1, 1, 1, 1), head(1, 0, 1, 2, 3, 10)));
        byStep.put(400, List.of(head(0, 1, 2, 2, 2, 5), head(1, 0, 0, 0, 0, 4)));
        TrajectoryFigure f = SusceptibilityFigures.kindOverTraining(byStep, VOCAB, "induction",
                h -> h.layer() == 1 ? "induction" : "other", Provenance.none());
        assertEquals(2, f.series().size());
        TrajectoryFigure.Series l1 = f.series().get(1);
        assertEquals("1:0", l1.name());
        assertEquals("layer 1", l1.panel());
        assertEquals("induction", l1.label());
        assertArrayEquals(new double[] {100, 400}, l1.steps());
        assertArrayEquals(new double[] {8, 4}, l1.mean(), 1e-12);
        assertArrayEquals(new double[] {0, 3}, f.series().get(0).mean(), 1e-12);
        byStep.remove(400);
        assertNull(SusceptibilityFigures.kindOverTraining(byStep, VOCAB, "induction", h -> "", Provenance.none()),
                "one checkpoint is no curve");
    }
}
