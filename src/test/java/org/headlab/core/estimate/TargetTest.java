package org.headlab.core.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.headlab.core.store.ResultKey;
import org.junit.jupiter.api.Test;

/** A head target and the head it is about convert both ways; a layer or model target has no head. */
class TargetTest {
    @Test
    void aHeadTargetRoundTripsItsHead() {
        Head h = new Head(1, 3);
        Target t = Target.of(h);
        assertEquals(new Target(Scope.HEAD, 1, 3), t);
        assertEquals(h, t.asHead());
        assertEquals("1:3", t.label());
        assertEquals(h, new ResultKey("c", "llc", "{}", "", "", Scope.HEAD, 1, 3).asHead());
    }

    @Test
    void layerAndModelTargetsHaveNoHead() {
        assertThrows(IllegalStateException.class, () -> Target.layer(1).asHead());
        assertThrows(IllegalStateException.class, () -> Target.model().asHead());
        assertThrows(IllegalStateException.class,
                () -> new ResultKey("c", "loss", "{}", "", "", Scope.MODEL, -1, -1).asHead());
    }
}
