package org.headlab.ui;

import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.headlab.core.estimate.Head;

/**
 * The one selection every view reads and writes: which checkpoint, which head, which input, which token. A view
 * that selects something sets it here; every other view follows by listening. Only touched on the FX thread.
 */
public final class Selection {
    private final ObjectProperty<Integer> step = new SimpleObjectProperty<>(this, "step");
    private final ObjectProperty<Head> head = new SimpleObjectProperty<>(this, "head", new Head(0, 0));
    private final StringProperty input = new SimpleStringProperty(this, "input", "");
    private final IntegerProperty tokenPosition = new SimpleIntegerProperty(this, "tokenPosition", -1);
    private final ObjectProperty<HeadPair> pair = new SimpleObjectProperty<>(this, "pair");

    public Selection() {
        // a pair stays selected only while its heads are: choosing any other head (grid, curves) ends it
        head.addListener((o, a, b) -> {
            HeadPair p = pair.get();
            if (p != null && !p.contains(b)) {
                pair.set(null);
            }
        });
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
        return head.get();
    }

    /**
     * The sender → receiver pair chosen in the composition matrix (null: none). Its receiver is the selected head,
     * so every single-head view shows the head that reads; views that can show two heads mark the sender too.
     */
    public ObjectProperty<HeadPair> pairProperty() {
        return pair;
    }

    /** Selects a sender → receiver pair: the pair first, then its receiver as the head, so the pair survives. */
    public void selectPair(Head sender, Head receiver) {
        pair.set(new HeadPair(sender, receiver));
        head.set(receiver);
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
