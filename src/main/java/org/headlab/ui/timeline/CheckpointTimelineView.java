package org.headlab.ui.timeline;

import java.util.List;
import java.util.function.IntConsumer;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.geometry.Pos;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Button;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Priority;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;
import javafx.util.Duration;

/**
 * The checkpoint scrubber: every checkpoint as a tick on a log-step axis; click or drag to select the nearest one,
 * arrow keys step through them, play walks through training. Selection goes out through {@code onSelect} and comes
 * back through {@link #setSelectedIndex}, so the timeline follows selections made in other views.
 */
public final class CheckpointTimelineView extends HBox {
    private static final double PAD = 14;
    private final Canvas canvas = new Canvas(400, 40);
    private final Pane canvasHolder = new Pane(canvas);
    private final Button play = new Button("▶");
    private final IntConsumer onSelect;
    private final Timeline player = new Timeline();
    private List<Integer> steps = List.of();
    private int selected = -1;
    private int hovered = -1;

    public CheckpointTimelineView(IntConsumer onSelect) {
        this.onSelect = onSelect;
        setId("checkpointTimeline");
        setAlignment(Pos.CENTER_LEFT);
        setSpacing(6);
        play.setId("playButton");
        play.setTooltip(new Tooltip("Play through the checkpoints"));
        play.setOnAction(e -> togglePlay());
        canvasHolder.setMinHeight(40);
        canvasHolder.setPrefHeight(40);
        canvasHolder.setMinWidth(200);
        canvasHolder.setPrefWidth(520);
        HBox.setHgrow(canvasHolder, Priority.ALWAYS);
        canvas.widthProperty().bind(canvasHolder.widthProperty());
        canvas.widthProperty().addListener((o, a, b) -> redraw());
        canvas.setFocusTraversable(true);
        canvas.setOnMousePressed(e -> {
            canvas.requestFocus();
            pick(e.getX());
        });
        canvas.setOnMouseDragged(e -> pick(e.getX()));
        canvas.setOnMouseMoved(e -> {
            int i = scale().nearestIndex(steps, e.getX());
            if (i != hovered) {
                hovered = i;
                redraw();
            }
        });
        canvas.setOnMouseExited(e -> {
            hovered = -1;
            redraw();
        });
        canvas.setOnKeyPressed(e -> {
            switch (e.getCode()) {
                case LEFT -> select(selected - 1);
                case RIGHT -> select(selected + 1);
                case HOME -> select(0);
                case END -> select(steps.size() - 1);
                default -> {
                    return;
                }
            }
            e.consume();
        });
        player.setCycleCount(Timeline.INDEFINITE);
        player.getKeyFrames().add(new KeyFrame(Duration.millis(350), e -> {
            if (selected >= steps.size() - 1) {
                togglePlay();
            } else {
                select(selected + 1);
            }
        }));
        getChildren().addAll(play, canvasHolder);
    }

    public void setSteps(List<Integer> steps) {
        this.steps = List.copyOf(steps);
        play.setDisable(this.steps.size() < 2);
        redraw();
    }

    public void setSelectedIndex(int index) {
        selected = index;
        redraw();
    }

    public Canvas canvas() {
        return canvas;
    }

    /** Canvas x of checkpoint {@code index}; for tests that click a checkpoint. */
    public double xOf(int index) {
        return scale().x(steps.get(index));
    }

    private void togglePlay() {
        if (player.getStatus() == javafx.animation.Animation.Status.RUNNING) {
            player.stop();
            play.setText("▶");
        } else {
            if (selected >= steps.size() - 1) {
                select(0);
            }
            play.setText("⏸");
            player.play();
        }
    }

    private void pick(double x) {
        select(scale().nearestIndex(steps, x));
    }

    private void select(int index) {
        if (index >= 0 && index < steps.size() && index != selected) {
            onSelect.accept(index);
        }
    }

    private LogStepScale scale() {
        return new LogStepScale(steps, PAD, Math.max(10, canvas.getWidth() - 2 * PAD));
    }

    private void redraw() {
        GraphicsContext g = canvas.getGraphicsContext2D();
        double w = canvas.getWidth();
        double h = canvas.getHeight();
        g.setFill(Color.WHITE);
        g.fillRect(0, 0, w, h);
        if (steps.isEmpty()) {
            return;
        }
        LogStepScale s = scale();
        double axisY = 14;
        g.setStroke(Color.gray(0.55));
        g.setLineWidth(1);
        g.strokeLine(PAD, axisY, w - PAD, axisY);
        g.setFont(Font.font(9));
        g.setFill(Color.gray(0.35));
        g.setTextAlign(TextAlignment.CENTER);
        g.setTextBaseline(VPos.TOP);
        boolean hasZero = steps.get(0) == 0;
        for (int d : s.decades()) {
            double x = s.x((int) Math.round(Math.pow(10, d)));
            g.strokeLine(x, axisY - 4, x, axisY + 4);
            // step 0 is drawn where the first decade below the checkpoints would be: label it as what it is
            boolean isZeroSlot = hasZero && Math.abs(x - s.x(0)) < 0.5;
            g.fillText(isZeroSlot ? "0" : d == 0 ? "1" : "10" + superscript(d), x, axisY + 14);
        }
        g.setStroke(Color.web("#3b6ea8"));
        for (int i = 0; i < steps.size(); i++) {
            double x = s.x(steps.get(i));
            g.strokeLine(x, axisY - 6, x, axisY + 6);
        }
        if (hovered >= 0 && hovered < steps.size()) {
            g.setFill(Color.gray(0.2));
            double x = Math.min(Math.max(s.x(steps.get(hovered)), PAD + 20), w - PAD - 20);
            g.fillText("step " + steps.get(hovered), x, 0);
        }
        if (selected >= 0 && selected < steps.size()) {
            double x = s.x(steps.get(selected));
            g.setFill(Color.web("#d62728"));
            g.fillOval(x - 5, axisY - 5, 10, 10);
        }
    }

    private static String superscript(int n) {
        String digits = "⁰¹²³⁴⁵⁶⁷⁸⁹";
        StringBuilder b = new StringBuilder();
        for (char c : Integer.toString(n).toCharArray()) {
            b.append(c == '-' ? '⁻' : digits.charAt(c - '0'));
        }
        return b.toString();
    }
}
