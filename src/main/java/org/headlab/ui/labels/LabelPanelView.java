package org.headlab.ui.labels;

import java.util.Locale;
import java.util.Map;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ColorPicker;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.shape.Rectangle;
import org.controlsfx.control.RangeSlider;
import org.headlab.core.estimate.Head;
import org.headlab.core.labels.HeadEvidence;
import org.headlab.core.labels.HeadLabel;
import org.headlab.core.labels.LabelClass;
import org.headlab.core.labels.LabelSuggester;
import org.headlab.ui.Selection;

/**
 * The label panel docked beside the map: the selected head's label at the selected checkpoint, the class buttons
 * (keys 1–9), its checkpoint range, its note, the evidence with the suggestion to accept, and every label of the run.
 */
public final class LabelPanelView extends VBox {
    private final LabelsViewModel vm;
    private final Selection selection;
    private final Label title = new Label();
    private final Label currentLabel = new Label();
    private final FlowPane classButtons = new FlowPane(4, 4);
    private final RangeSlider range = new RangeSlider(0, 1, 0, 1);
    private final Label rangeText = new Label();
    private final TextArea note = new TextArea();
    private final GridPane evidenceGrid = new GridPane();
    private final Label evidenceSource = new Label();
    private final Label suggestionText = new Label();
    private final Button accept = new Button("Accept");
    private final Label errorText = new Label();
    private final Label message = new Label();
    private final ListView<HeadLabel> list = new ListView<>();
    private boolean updating;

    public LabelPanelView(LabelsViewModel vm, Selection selection) {
        this.vm = vm;
        this.selection = selection;
        setId("labelPanel");
        setSpacing(6);
        setPadding(new Insets(8));
        setMinWidth(260);
        build();
        wire();
        showCurrent();
        rebuildClassButtons();
        showEvidence();
    }

    private void build() {
        title.setId("labelHeadTitle");
        title.setStyle("-fx-font-weight: bold; -fx-font-size: 13px;");
        currentLabel.setId("currentLabel");
        currentLabel.setMaxWidth(Double.MAX_VALUE);
        currentLabel.setWrapText(true);

        Button undo = new Button("Undo");
        undo.setId("labelUndo");
        undo.setTooltip(new Tooltip("Ctrl+Z"));
        undo.disableProperty().bind(vm.canUndoProperty().not());
        undo.setOnAction(e -> vm.undo());
        Button redo = new Button("Redo");
        redo.setId("labelRedo");
        redo.setTooltip(new Tooltip("Ctrl+Shift+Z or Ctrl+Y"));
        redo.disableProperty().bind(vm.canRedoProperty().not());
        redo.setOnAction(e -> vm.redo());
        Button save = new Button("Save");
        save.setId("labelSave");
        save.setTooltip(new Tooltip("Write the run's labels.json (atomically)"));
        save.textProperty().bind(Bindings.when(vm.dirtyProperty()).then("Save •").otherwise("Save"));
        save.disableProperty().bind(vm.dirtyProperty().not());
        save.setOnAction(e -> vm.save());
        Region gap = new Region();
        HBox.setHgrow(gap, Priority.ALWAYS);
        Label heading = new Label("Labels");
        heading.setStyle("-fx-font-weight: bold; -fx-font-size: 14px;");
        HBox top = new HBox(4, heading, gap, undo, redo, save);
        top.setAlignment(Pos.CENTER_LEFT);

        classButtons.setId("classButtons");
        TextField newName = new TextField();
        newName.setPromptText("New class");
        newName.setPrefColumnCount(9);
        ColorPicker colour = new ColorPicker(Color.web("#17becf"));
        colour.setPrefWidth(48);
        colour.setStyle("-fx-color-label-visible: false;");
        Button add = new Button("Add");
        add.setOnAction(e -> {
            if (!newName.getText().isBlank()) {
                vm.addUserClass(newName.getText(), hex(colour.getValue()));
                newName.clear();
            }
        });
        newName.setOnAction(add.getOnAction());
        HBox addClass = new HBox(4, newName, colour, add);
        addClass.setAlignment(Pos.CENTER_LEFT);

        range.setId("labelRange");
        range.setShowTickMarks(true);
        range.setSnapToTicks(true);
        range.setMajorTickUnit(1);
        range.setMinorTickCount(0);
        range.setBlockIncrement(1);
        rangeText.setId("labelRangeText");
        rangeText.setStyle("-fx-text-fill: #555;");

        note.setId("labelNote");
        note.setPromptText("Note (why this class, caveats)");
        note.setPrefRowCount(2);
        note.setWrapText(true);
        note.focusedProperty().addListener((o, was, is) -> {
            if (!is) {
                vm.editNote(note.getText());
            }
        });
        Button remove = new Button("Remove label");
        remove.setId("labelRemove");
        remove.disableProperty().bind(vm.currentProperty().isNull());
        remove.setOnAction(e -> vm.removeCurrent());

        evidenceGrid.setHgap(6);
        evidenceGrid.setVgap(2);
        evidenceGrid.setId("evidence");
        evidenceSource.setWrapText(true);
        evidenceSource.setStyle("-fx-text-fill: #777; -fx-font-size: 10px;");
        suggestionText.setId("suggestion");
        suggestionText.setWrapText(true);
        accept.setId("acceptSuggestion");
        accept.disableProperty().bind(vm.suggestionProperty().isNull());
        accept.setOnAction(e -> vm.acceptSuggestion());
        accept.setMinWidth(Region.USE_PREF_SIZE);
        HBox suggestionRow = new HBox(6, suggestionText, accept);
        suggestionRow.setAlignment(Pos.CENTER_LEFT);
        HBox.setHgrow(suggestionText, Priority.ALWAYS);
        // what the Curves tab's clusters suggest for this head, while the curves are coloured by cluster
        Label clusterText = new Label();
        clusterText.setId("clusterSuggestion");
        clusterText.setWrapText(true);
        clusterText.textProperty().bind(Bindings.concat("Clusters suggest ", vm.clusterSuggestionProperty()));
        javafx.scene.control.Button acceptCluster = new javafx.scene.control.Button("Accept");
        acceptCluster.setId("acceptClusterSuggestion");
        acceptCluster.setMinWidth(Region.USE_PREF_SIZE);
        acceptCluster.setOnAction(e -> vm.acceptClusterSuggestion());
        HBox clusterRow = new HBox(6, clusterText, acceptCluster);
        clusterRow.setAlignment(Pos.CENTER_LEFT);
        HBox.setHgrow(clusterText, Priority.ALWAYS);
        clusterRow.managedProperty().bind(Bindings.isNotEmpty(vm.clusterSuggestionProperty()));
        clusterRow.visibleProperty().bind(clusterRow.managedProperty());

        errorText.setId("labelError");
        errorText.setWrapText(true);
        errorText.setStyle("-fx-text-fill: #b00020;");
        errorText.textProperty().bind(vm.errorProperty());
        errorText.managedProperty().bind(Bindings.isNotEmpty(vm.errorProperty()));
        errorText.visibleProperty().bind(errorText.managedProperty());
        errorText.setMinHeight(Region.USE_PREF_SIZE);
        message.textProperty().bind(vm.messageProperty());
        message.setStyle("-fx-text-fill: #555; -fx-font-size: 11px;");

        list.setId("labelList");
        list.setItems(vm.allLabels());
        list.setPrefHeight(150);
        list.setPlaceholder(new Label("No labels yet: select a head, press 1–7"));
        list.setCellFactory(v -> new LabelCell());
        list.getSelectionModel().selectedItemProperty().addListener((o, a, l) -> {
            if (l != null && !updating) {
                selection.headProperty().set(l.asHead());
            }
        });
        VBox.setVgrow(list, Priority.ALWAYS);

        getChildren().addAll(top, errorText, title, currentLabel, section("Class (keys 1–9)"), classButtons,
                addClass, section("Holds for checkpoints"), range, rangeText, note, remove,
                section("Evidence at this checkpoint"), evidenceGrid, evidenceSource, suggestionRow, clusterRow,
                section("All labels"), list, message);
    }

    private static Label section(String text) {
        Label l = new Label(text);
        l.setStyle("-fx-font-weight: bold; -fx-text-fill: #333; -fx-padding: 4 0 0 0;");
        return l;
    }

    private void wire() {
        vm.currentProperty().addListener((o, a, b) -> showCurrent());
        selection.headProperty().addListener((o, a, b) -> showCurrent());
        selection.stepProperty().addListener((o, a, b) -> showCurrent());
        vm.classes().addListener((javafx.collections.ListChangeListener<LabelClass>) c -> rebuildClassButtons());
        vm.evidenceProperty().addListener((o, a, b) -> showEvidence());
        vm.suggestionProperty().addListener((o, a, b) -> showEvidence());
        range.lowValueChangingProperty().addListener((o, a, changing) -> commitRange(changing));
        range.highValueChangingProperty().addListener((o, a, changing) -> commitRange(changing));
    }

    private void commitRange(boolean changing) {
        if (!changing && !updating) {
            vm.changeRangeByIndex((int) Math.round(range.getLowValue()), (int) Math.round(range.getHighValue()));
        }
        showRangeText();
    }

    private void showCurrent() {
        updating = true;
        try {
            Head h = selection.head();
            Integer step = selection.state().step();
            title.setText("Head " + h + (step == null ? "" : " at step " + step));
            HeadLabel l = vm.currentProperty().get();
            if (l == null) {
                currentLabel.setText("No label here — press a number key or a class button");
                currentLabel.setGraphic(null);
                currentLabel.setStyle("-fx-text-fill: #777; -fx-padding: 4;");
            } else {
                LabelClass c = vm.classOf(l).orElse(LabelClass.OTHER);
                currentLabel.setText(c.displayName() + " · " + l.rangeText() + (l.provenance().who().isEmpty() ? ""
                        : "\nby " + l.provenance().who() + ", " + shortTime(l.provenance().when())));
                currentLabel.setGraphic(swatch(c.color(), 14));
                currentLabel.setStyle("-fx-padding: 4; -fx-background-color: " + c.color() + "26; -fx-border-color: "
                        + c.color() + "; -fx-border-width: 0 0 0 4;");
            }
            int n = vm.steps().size();
            range.setMax(Math.max(1, n - 1));
            range.setDisable(l == null || n < 2);
            int[] idx = vm.rangeIndices(l);
            range.setHighValue(idx[1]);
            range.setLowValue(idx[0]);
            range.setHighValue(idx[1]);
            showRangeText();
            note.setDisable(l == null);
            note.setText(l == null ? "" : l.note());
            for (Node b : classButtons.getChildren()) {
                String id = (String) b.getUserData();
                b.setStyle(buttonStyle(vm.labels().classById(id).map(LabelClass::color).orElse("#7f7f7f"),
                        l != null && l.classId().equals(id)));
            }
            list.getSelectionModel().clearSelection();
            vm.allLabels().stream().filter(x -> x == l).findFirst().ifPresent(x -> list.getSelectionModel().select(x));
        } finally {
            updating = false;
        }
    }

    private void showRangeText() {
        HeadLabel l = vm.currentProperty().get();
        var steps = vm.steps();
        if (l == null || steps.isEmpty()) {
            rangeText.setText(steps.isEmpty() ? "" : "checkpoints " + steps.get(0) + "–" + steps.get(steps.size() - 1));
            return;
        }
        int lo = (int) Math.round(range.getLowValue());
        int hi = (int) Math.round(range.getHighValue());
        if (lo < 0 || hi >= steps.size()) {
            return;
        }
        rangeText.setText("steps " + steps.get(lo) + "–" + steps.get(hi) + " (" + (hi - lo + 1) + " of "
                + steps.size() + " checkpoints)" + (range.isLowValueChanging() || range.isHighValueChanging() ? " …"
                : ""));
    }

    private void rebuildClassButtons() {
        classButtons.getChildren().clear();
        int key = 1;
        for (LabelClass c : vm.classes()) {
            Button b = new Button((key <= 9 ? key + "  " : "") + c.displayName());
            b.setId("class-" + c.id());
            b.setUserData(c.id());
            b.setGraphic(swatch(c.color(), 10));
            b.setOnAction(e -> vm.assign(c.id()));
            b.setStyle(buttonStyle(c.color(), false));
            classButtons.getChildren().add(b);
            key++;
        }
        showCurrent();
    }

    private static String buttonStyle(String colour, boolean active) {
        return active ? "-fx-background-color: " + colour + "40; -fx-border-color: " + colour
                + "; -fx-border-width: 2; -fx-background-radius: 3; -fx-border-radius: 3; -fx-font-weight: bold;"
                : "-fx-font-size: 11px;";
    }

    private void showEvidence() {
        evidenceGrid.getChildren().clear();
        HeadEvidence e = vm.evidenceProperty().get();
        if (e == null || e.scores().isEmpty()) {
            evidenceSource.setText("No scores for this head at this checkpoint yet.");
        } else {
            int row = 0;
            for (Map.Entry<String, Double> s : e.scores().entrySet()) {
                Label name = new Label(s.getKey().replace('_', ' '));
                ProgressBar bar = new ProgressBar(s.getValue());
                bar.setPrefWidth(110);
                bar.setPrefHeight(12);
                Label value = new Label(String.format(Locale.ROOT, "%.3f", s.getValue()));
                value.setStyle("-fx-font-family: monospace;");
                value.setId("score-" + s.getKey());
                evidenceGrid.addRow(row++, name, bar, value);
            }
            evidenceSource.setText("From the " + e.source()
                    + ". Stored pattern scores will replace these when the estimators have run.");
        }
        LabelSuggester.Suggestion s = vm.suggestionProperty().get();
        if (s == null) {
            suggestionText.setText("No confident suggestion.");
            suggestionText.setGraphic(null);
        } else {
            LabelClass c = vm.labels().classById(s.classId()).orElse(LabelClass.OTHER);
            suggestionText.setText("Suggests " + c.displayName() + " (" + s.reason() + ")");
            suggestionText.setGraphic(swatch(c.color(), 10));
        }
    }

    /** Right-click menu for a head cell: one item per class, and remove. */
    public ContextMenu headMenu(Head head) {
        ContextMenu menu = new ContextMenu();
        int key = 1;
        for (LabelClass c : vm.classes()) {
            MenuItem item = new MenuItem("Label " + head + " as " + c.displayName()
                    + (key <= 9 ? "   (" + key + ")" : ""), swatch(c.color(), 10));
            item.setId("menu-class-" + c.id());
            item.setOnAction(e -> vm.assign(c.id()));
            menu.getItems().add(item);
            key++;
        }
        MenuItem remove = new MenuItem("Remove label");
        remove.setDisable(vm.currentProperty().get() == null);
        remove.setOnAction(e -> vm.removeCurrent());
        menu.getItems().addAll(new SeparatorMenuItem(), remove);
        return menu;
    }

    static Rectangle swatch(String colour, double size) {
        Rectangle r = new Rectangle(size, size, Color.web(colour));
        r.setStroke(Color.web(colour).darker());
        return r;
    }

    static String hex(Color c) {
        return String.format(Locale.ROOT, "#%02x%02x%02x", Math.round(c.getRed() * 255),
                Math.round(c.getGreen() * 255), Math.round(c.getBlue() * 255));
    }

    private static String shortTime(String iso) {
        return iso.length() >= 16 ? iso.substring(0, 10) + " " + iso.substring(11, 16) : iso;
    }

    private final class LabelCell extends ListCell<HeadLabel> {
        @Override
        protected void updateItem(HeadLabel l, boolean empty) {
            super.updateItem(l, empty);
            if (empty || l == null) {
                setText(null);
                setGraphic(null);
                return;
            }
            LabelClass c = vm.classOf(l).orElse(LabelClass.OTHER);
            setGraphic(swatch(c.color(), 10));
            setText(l.headName() + "  " + c.displayName() + " · " + l.rangeText()
                    + (l.note().isEmpty() ? "" : " — " + l.note()));
        }
    }
}
