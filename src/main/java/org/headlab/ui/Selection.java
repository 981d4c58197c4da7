package org.headlab.ui;

import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.Property;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.headlab.core.estimate.Head;
import org.headlab.core.session.RunSession;

/**
 * The one selection every view reads and writes, held as one immutable {@link State} (the open run, checkpoint,
 * head, pair, input, token) in one property. A view that selects something sets it here; every other view follows by
 * listening, either to {@link #stateProperty()} or to the property of the one field it cares about. The field
 * properties are views of the state: setting one replaces the state, and a change of several fields at once
 * ({@link #update}) lands as one new state before any field listener runs, so a listener that reads {@link #state()}
 * never sees half a change (a new run with the old run's step). Only touched on the FX thread.
 */
public final class Selection {

    /**
     * What is selected. {@code session} null: no run open; {@code step} null: no checkpoint; {@code pair} null: no
     * sender → receiver pair; {@code tokenPosition} −1: no token.
     */
    public record State(RunSession session, Integer step, Head head, HeadPair pair, String input, int tokenPosition) {
        public static final State EMPTY = new State(null, null, new Head(0, 0), null, "", -1);

        public State {
            Objects.requireNonNull(head, "head");
            Objects.requireNonNull(input, "input");
            // a pair stays selected only while its heads are: choosing any other head (grid, curves) ends it
            if (pair != null && !pair.contains(head)) {
                pair = null;
            }
        }

        public State withSession(RunSession s) {
            return new State(s, step, head, pair, input, tokenPosition);
        }

        public State withStep(Integer s) {
            return new State(session, s, head, pair, input, tokenPosition);
        }

        public State withHead(Head h) {
            return new State(session, step, h, pair, input, tokenPosition);
        }

        /** The pair, and its receiver as the head, so every single-head view shows the head that reads. */
        public State withPair(HeadPair p) {
            return new State(session, step, p == null ? head : p.receiver(), p, input, tokenPosition);
        }

        public State withInput(String i) {
            return new State(session, step, head, pair, i, tokenPosition);
        }

        public State withTokenPosition(int t) {
            return new State(session, step, head, pair, input, t);
        }
    }

    private final ReadOnlyObjectWrapper<State> state = new ReadOnlyObjectWrapper<>(this, "state", State.EMPTY);
    private final ReadOnlyObjectWrapper<RunSession> session = new ReadOnlyObjectWrapper<>(this, "session");
    private final ObjectProperty<Integer> step = new SimpleObjectProperty<>(this, "step");
    private final ObjectProperty<Head> head = new SimpleObjectProperty<>(this, "head", State.EMPTY.head());
    private final StringProperty input = new SimpleStringProperty(this, "input", "");
    private final IntegerProperty tokenPosition = new SimpleIntegerProperty(this, "tokenPosition", -1);
    private final ObjectProperty<HeadPair> pair = new SimpleObjectProperty<>(this, "pair");

    public Selection() {
        follow(step, State::step, State::withStep);
        follow(head, State::head, State::withHead);
        follow(input, State::input, (s, v) -> s.withInput(v == null ? "" : v));
        follow(tokenPosition, State::tokenPosition, (s, v) -> s.withTokenPosition(v.intValue()));
        follow(pair, State::pair, State::withPair);
    }

    /**
     * A field set to a value the state does not hold is an edit and replaces the state; a field set to the state's
     * own value (bringing it in line after {@link #update}) is not.
     */
    private <T> void follow(Property<T> field, Function<State, Object> read, BiFunction<State, T, State> edit) {
        field.addListener((o, a, b) -> {
            Object held = read.apply(state.get());
            boolean same = b instanceof Number n && held instanceof Number m ? n.intValue() == m.intValue()
                    : Objects.equals(b, held);
            if (!same) {
                update(s -> edit.apply(s, b));
            }
        });
    }

    /** The whole selection as one value. */
    public ReadOnlyObjectProperty<State> stateProperty() {
        return state.getReadOnlyProperty();
    }

    public State state() {
        return state.get();
    }

    /**
     * Replaces the selection by {@code change} of it in one step: the state property changes once, then each field
     * property whose value changed (session first, step last, so a step listener finds the run it belongs to).
     */
    public void update(UnaryOperator<State> change) {
        State next = Objects.requireNonNull(change.apply(state.get()));
        if (next.equals(state.get())) {
            return;
        }
        state.set(next);
        // each field takes the value of the state as it is now, which a listener may have changed meanwhile
        session.set(state.get().session());
        head.set(state.get().head());
        pair.set(state.get().pair());
        input.set(state.get().input());
        tokenPosition.set(state.get().tokenPosition());
        step.set(state.get().step());
    }

    /** The open run (null: none); changed only with the rest of the selection, by {@link #update}. */
    public ReadOnlyObjectProperty<RunSession> sessionProperty() {
        return session.getReadOnlyProperty();
    }

    public RunSession session() {
        return state.get().session();
    }

    /**
     * Calls {@code handler} with the open run now (when there is one) and whenever it changes: how a view model
     * follows the run, made last in its constructor. The state is whole when it runs (its step is the new run's).
     */
    public void followSession(java.util.function.Consumer<RunSession> handler) {
        session.addListener((o, a, b) -> handler.accept(b));
        if (session() != null) {
            handler.accept(session());
        }
    }

    /** The parts of the selection a view model can follow with {@link #onChange}. */
    public enum Field {
        STEP, HEAD, PAIR, INPUT, TOKEN;

        Object of(State s) {
            return switch (this) {
                case STEP -> s.step();
                case HEAD -> s.head();
                case PAIR -> s.pair();
                case INPUT -> s.input();
                case TOKEN -> s.tokenPosition();
            };
        }
    }

    /**
     * Runs {@code action} once per selection change that changes any of {@code fields} within the same run; a new
     * run is {@link #followSession}'s to handle (its handler sees the whole new state). One listener on the one
     * state value, however many of the fields one change touches.
     */
    public void onChange(Runnable action, Field... fields) {
        java.util.List<Field> watched = java.util.List.of(fields);
        state.addListener((o, a, b) -> {
            if (a.session() == b.session() && watched.stream().anyMatch(f -> !Objects.equals(f.of(a), f.of(b)))) {
                action.run();
            }
        });
    }

    /** Makes {@code s} the open run, the rest of the selection as it is (tests; the workbench uses {@link #update}). */
    public void setSession(RunSession s) {
        update(st -> st.withSession(s));
    }

    public ObjectProperty<Integer> stepProperty() {
        return step;
    }

    public ObjectProperty<Head> headProperty() {
        return head;
    }

    public StringProperty inputProperty() {
        return input;
    }

    public IntegerProperty tokenPositionProperty() {
        return tokenPosition;
    }

    public Head head() {
        return state.get().head();
    }

    /**
     * The sender → receiver pair chosen in the composition matrix (null: none). Its receiver is the selected head,
     * so every single-head view shows the head that reads; views that can show two heads mark the sender too.
     */
    public ObjectProperty<HeadPair> pairProperty() {
        return pair;
    }

    /** Selects a sender → receiver pair: the pair and its receiver as the head, in one change. */
    public void selectPair(Head sender, Head receiver) {
        update(s -> s.withPair(new HeadPair(sender, receiver)));
    }

    /** A head in an earlier layer whose output a later head reads (composition: sender → receiver). */
    public record HeadPair(Head sender, Head receiver) {
        public boolean contains(Head h) {
            return sender.equals(h) || receiver.equals(h);
        }

        @Override
        public String toString() {
            return sender + " → " + receiver;
        }
    }
}
