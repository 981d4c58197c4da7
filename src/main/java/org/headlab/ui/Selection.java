package org.headlab.ui;

import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * The one selection every view reads and writes: which checkpoint, which head, which input, which token. A view
 * that selects something sets it here; every other view follows by listening. Only touched on the FX thread.
 */
public final class Selection {
    private final ObjectProperty<Integer> step = new SimpleObjectProperty<>(this, "step");
    private final ObjectProperty<HeadRef> head = new SimpleObjectProperty<>(this, "head", new HeadRef(0, 0));
    private final StringProperty input = new SimpleStringProperty(this, "input", "");
    private final IntegerProperty tokenPosition = new SimpleIntegerProperty(this, "tokenPosition", -1);

    public ObjectProperty<Integer> stepProperty() {
        return step;
    }

    public ObjectProperty<HeadRef> headProperty() {
        return head;
    }

    public StringProperty inputProperty() {
        return input;
    }

    public IntegerProperty tokenPositionProperty() {
        return tokenPosition;
    }

    public HeadRef head() {
        return head.get();
    }

    /** A head, {@code layer:head} as in the paper. */
    public record HeadRef(int layer, int head) {
        @Override
        public String toString() {
            return layer + ":" + head;
        }
    }
}
