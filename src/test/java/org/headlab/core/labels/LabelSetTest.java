package org.headlab.core.labels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.headlab.core.HeadLabException;
import org.headlab.core.estimate.Head;
import org.junit.jupiter.api.Test;

/** Which label holds for a head at a step, and how new labels replace overlapping ones. */
class LabelSetTest {
    static HeadLabel label(String cls, Integer from, Integer to) {
        return new HeadLabel(1, 2, cls, from, to, "", null);
    }

    @Test
    void aLabelHoldsOnlyInsideItsStepRange() {
        LabelSet s = LabelSet.empty()
                .with(label("previous-token", null, 99))
                .with(label("induction", 100, 400));
        assertEquals("previous-token", s.at(new Head(1, 2), 0).orElseThrow().classId());
        assertEquals("previous-token", s.at(new Head(1, 2), 99).orElseThrow().classId());
        assertEquals("induction", s.at(new Head(1, 2), 100).orElseThrow().classId());
        assertEquals("induction", s.at(new Head(1, 2), 400).orElseThrow().classId());
        assertTrue(s.at(new Head(1, 2), 401).isEmpty());
        assertTrue(s.at(new Head(0, 2), 100).isEmpty(), "another head");
        assertEquals(java.util.Map.of("1:2", "#d62728"), s.coloursAt(200));
    }

    @Test
    void aNewLabelReplacesTheOverlappingLabelsOfThatHeadOnly() {
        LabelSet s = LabelSet.empty()
                .with(label("previous-token", null, 99))
                .with(label("induction", 100, 400))
                .with(new HeadLabel(0, 0, "positional", null, null, "", null))
                .with(label("other", 50, 150));
        assertEquals(List.of("positional", "other"), s.labels().stream().map(HeadLabel::classId).toList());
        LabelSet all = s.with(label("multigram", null, null));
        assertEquals(1, all.forHead(new Head(1, 2)).size());
    }

    @Test
    void unknownClassesAndDuplicateClassIdsAreRefused() {
        assertThrows(HeadLabException.class, () -> LabelSet.empty().with(label("nope", null, null)));
        assertThrows(HeadLabException.class, () -> LabelSet.empty().withClass(LabelClass.user("Induction", "#000000")));
        assertThrows(HeadLabException.class, () -> label("induction", 5, 4));
        LabelSet withUser = LabelSet.empty().withClass(LabelClass.user("Depth counter", "#123456"));
        assertEquals("depth-counter", withUser.with(label("depth-counter", null, null)).labels().get(0).classId());
        assertEquals(8, withUser.classes().size());
    }
}
