package org.headlab.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.headlab.core.estimate.Head;
import org.junit.jupiter.api.Test;

/**
 * The selection as one value: a change of several fields lands as one state before any field listener runs, field
 * setters and the state never disagree, and an edit made by a listener in the middle of a change is kept.
 */
class SelectionTest {

    @Test
    void aChangeOfSeveralFieldsIsOneStateThatEveryFieldListenerSeesWhole() {
        Selection s = new Selection();
        List<Selection.State> states = new ArrayList<>();
        List<String> seenByHeadListener = new ArrayList<>();
        s.stateProperty().addListener((o, a, b) -> states.add(b));
        s.headProperty().addListener((o, a, b) -> seenByHeadListener.add(s.state().step() + "/"
                + s.state().input()));
        s.update(st -> st.withStep(300).withHead(new Head(1, 2)).withInput("(())"));
        assertEquals(1, states.size(), "one new state for the whole change");
        assertEquals(List.of("300/(())"), seenByHeadListener, "the head listener already sees the new step and input");
        assertEquals(300, s.stepProperty().get());
        assertEquals(new Head(1, 2), s.headProperty().get());
        assertEquals("(())", s.inputProperty().get());
    }

    @Test
    void onChangeRunsOncePerChangeOfAWatchedFieldWithinARun() {
        Selection s = new Selection();
        int[] runs = {0};
        s.onChange(() -> runs[0]++, Selection.Field.STEP, Selection.Field.HEAD);
        s.update(st -> st.withStep(5).withHead(new org.headlab.core.estimate.Head(1, 1)));
        assertEquals(1, runs[0], "two watched fields in one change: one call");
        s.inputProperty().set("([])");
        assertEquals(1, runs[0], "an unwatched field");
        s.stepProperty().set(6);
        assertEquals(2, runs[0]);
        s.update(st -> st.withSession(null).withStep(7));
        assertEquals(3, runs[0], "same (no) run: a step change");
    }

    @Test
    void settingAFieldReplacesTheState() {
        Selection s = new Selection();
        s.stepProperty().set(42);
        s.tokenPositionProperty().set(3);
        s.inputProperty().set(null);
        assertEquals(new Selection.State(null, 42, new Head(0, 0), null, "", 3), s.state());
    }

    @Test
    void choosingAnotherHeadEndsThePairButItsOwnHeadsKeepIt() {
        Selection s = new Selection();
        s.selectPair(new Head(0, 1), new Head(1, 3));
        assertEquals(new Head(1, 3), s.head(), "the receiver is the head");
        s.headProperty().set(new Head(0, 1));
        assertEquals(new Selection.HeadPair(new Head(0, 1), new Head(1, 3)), s.pairProperty().get(),
                "the sender is one of the pair's heads");
        s.headProperty().set(new Head(1, 0));
        assertNull(s.pairProperty().get());
        assertNull(s.state().pair());
    }

    @Test
    void anEditByAListenerDuringAChangeIsKept() {
        Selection s = new Selection();
        // a view that moves the token to the end of every new input, from inside the input's listener
        s.inputProperty().addListener((o, a, b) -> s.tokenPositionProperty().set(b.length() - 1));
        s.update(st -> st.withInput("abc").withStep(7));
        assertEquals(2, s.state().tokenPosition());
        assertEquals(2, s.tokenPositionProperty().get());
        assertEquals(7, s.state().step());
        assertEquals(7, s.stepProperty().get());
    }
}
