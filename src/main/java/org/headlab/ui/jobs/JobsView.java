package org.headlab.ui.jobs;

import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ToggleButton;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.headlab.core.jobs.JobSnapshot;
import org.headlab.core.jobs.JobState;

/** The jobs panel: sweeps (progress, ETA, cancel) over the pool's queued and running jobs. */
public final class JobsView extends VBox {
    private final JobsViewModel vm;

    public JobsView(JobsViewModel vm) {
        super(6);
        this.vm = vm;
        setPadding(new Insets(8));
        Label sweepsTitle = new Label("Sweeps");
        sweepsTitle.setStyle("-fx-font-weight: bold;");
        Button clear = new Button("Clear finished");
        clear.setId("clearFinished");
        clear.setOnAction(e -> vm.clearFinished());
        ToggleButton pause = new ToggleButton("Pause pool");
        pause.setId("pausePool");
        pause.setTooltip(new javafx.scene.control.Tooltip(
                "Queued tasks wait and running ones hold at their next checkpoint until resumed"));
        pause.selectedProperty().addListener((o, a, b) -> {
            if (b) {
                vm.pool().pause();
            } else {
                vm.pool().resume();
            }
            pause.setText(b ? "Resume pool" : "Pause pool");
        });
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox head = new HBox(8, sweepsTitle, spacer, pause, clear);
        head.setAlignment(Pos.CENTER_LEFT);

        ListView<JobsViewModel.SweepRow> sweeps = new ListView<>(vm.sweeps());
        sweeps.setId("sweepList");
        sweeps.setPlaceholder(new Label("No sweeps yet: Run estimator… starts one"));
        sweeps.setCellFactory(l -> new SweepCell());
        sweeps.setPrefHeight(220);

        Label jobsTitle = new Label("Queued and running tasks");
        jobsTitle.setStyle("-fx-font-weight: bold;");
        ListView<JobSnapshot> jobs = new ListView<>(vm.jobs());
        jobs.setId("jobList");
        jobs.setPlaceholder(new Label("The pool is idle"));
        jobs.setCellFactory(l -> new JobCell());
        VBox.setVgrow(jobs, Priority.ALWAYS);
        VBox.setVgrow(sweeps, Priority.SOMETIMES);
        getChildren().addAll(head, sweeps, jobsTitle, jobs);
    }

    private final class SweepCell extends ListCell<JobsViewModel.SweepRow> {
        private final Label title = new Label();
        private final Label summary = new Label();
        private final Label failure = new Label();
        private final ProgressBar bar = new ProgressBar();
        private final Button cancel = new Button("Cancel");
        private final VBox box;

        SweepCell() {
            title.setStyle("-fx-font-weight: bold;");
            failure.setStyle("-fx-text-fill: #b00020;");
            failure.setWrapText(true);
            bar.setPrefWidth(180);
            summary.getStyleClass().add("sweep-summary");
            HBox line = new HBox(8, bar, summary, cancel);
            line.setAlignment(Pos.CENTER_LEFT);
            box = new VBox(2, title, line, failure);
        }

        @Override
        protected void updateItem(JobsViewModel.SweepRow r, boolean empty) {
            super.updateItem(r, empty);
            if (empty || r == null) {
                setGraphic(null);
                return;
            }
            title.setText(r.title());
            title.setWrapText(true);
            if (getListView() != null) { // wrap within the list instead of scrolling sideways
                title.setMaxWidth(getListView().getWidth() - 30);
                failure.setMaxWidth(getListView().getWidth() - 30);
            }
            summary.setText(r.summary());
            bar.setProgress(r.progress() == null ? -1 : r.progress().fraction());
            failure.setText(r.failure() == null ? "" : r.failure());
            failure.setManaged(r.failure() != null);
            failure.setVisible(r.failure() != null);
            boolean live = vm.isRunning(r.id()) || r.progress() == null;
            cancel.setDisable(!live || r.finished());
            cancel.setId("cancelSweep-" + r.id());
            cancel.setOnAction(e -> vm.cancel(r.id()));
            setGraphic(box);
        }
    }

    private static final class JobCell extends ListCell<JobSnapshot> {
        private final Label name = new Label();
        private final Label state = new Label();
        private final ProgressBar bar = new ProgressBar();
        private final HBox box;

        JobCell() {
            bar.setPrefWidth(100);
            state.setStyle("-fx-text-fill: #555;");
            box = new HBox(8, bar, name, state);
            box.setAlignment(Pos.CENTER_LEFT);
        }

        @Override
        protected void updateItem(JobSnapshot s, boolean empty) {
            super.updateItem(s, empty);
            if (empty || s == null) {
                setGraphic(null);
                return;
            }
            name.setText(s.name());
            state.setText(JobsViewModel.describe(s));
            bar.setProgress(s.state() == JobState.QUEUED ? 0 : s.progress() < 0 ? -1 : s.progress());
            setGraphic(box);
        }
    }
}
