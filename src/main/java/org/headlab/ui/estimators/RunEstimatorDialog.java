package org.headlab.ui.estimators;

import java.util.List;
import java.util.Optional;
import javafx.beans.binding.Bindings;
import javafx.beans.value.ObservableValue;
import javafx.collections.FXCollections;
import javafx.collections.MapChangeListener;
import javafx.event.ActionEvent;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.RadioButton;
import javafx.scene.control.Spinner;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.controlsfx.control.PropertySheet;
import org.controlsfx.property.editor.DefaultPropertyEditorFactory;
import org.controlsfx.property.editor.Editors;
import org.controlsfx.property.editor.PropertyEditor;
import org.headlab.core.estimate.Estimator;
import org.headlab.core.estimate.Parameter;

/**
 * "Run estimator…": the estimator, its parameters in a property sheet prefilled with the defaults (errors shown
 * under it as they are typed), the dataset slice, and the scope. Start queues the sweep and closes the dialog;
 * its progress is in the jobs panel.
 */
public final class RunEstimatorDialog extends Dialog<ButtonType> {
    public static final ButtonType START = new ButtonType("Start", ButtonBar.ButtonData.OK_DONE);
    private final RunEstimatorViewModel vm;
    private final PropertySheet sheet = new PropertySheet();

    public RunEstimatorDialog(RunEstimatorViewModel vm, Window owner) {
        this.vm = vm;
        if (owner != null) {
            initOwner(owner);
        }
        setTitle("Run estimator");
        setHeaderText("Compute an estimator over heads × checkpoints; results go to the run's store");
        setResizable(true);

        ComboBox<Estimator> estimator = new ComboBox<>(vm.estimators());
        estimator.setId("estimatorChoice");
        estimator.setCellFactory(l -> new EstimatorCell());
        estimator.setButtonCell(new EstimatorCell());
        estimator.valueProperty().bindBidirectional(vm.estimatorProperty());
        Label description = new Label();
        description.setWrapText(true);
        description.setStyle("-fx-text-fill: #555;");
        description.textProperty().bind(Bindings.createStringBinding(() -> {
            Estimator e = vm.estimatorProperty().get();
            return e == null ? "" : e.description() + " (scope: " + e.scope().name().toLowerCase() + ")";
        }, vm.estimatorProperty()));

        sheet.setId("estimatorParams");
        sheet.setModeSwitcherVisible(false);
        sheet.setSearchBoxVisible(false);
        sheet.setMode(PropertySheet.Mode.NAME);
        sheet.setPrefSize(460, 180);
        sheet.setPropertyEditorFactory(this::editor);
        vm.estimatorProperty().addListener((o, a, b) -> fillSheet());
        fillSheet();
        Label errors = new Label();
        errors.setId("paramErrors");
        errors.setWrapText(true);
        errors.setStyle("-fx-text-fill: #b00020;");
        vm.errors().addListener((MapChangeListener<String, String>) c -> errors.setText(
                String.join("\n", vm.errors().values())));

        ComboBox<String> dataset = new ComboBox<>(vm.datasets());
        dataset.setId("datasetChoice");
        dataset.valueProperty().bindBidirectional(vm.datasetProperty());
        Label datasetLabel = new Label("Dataset slice");
        dataset.disableProperty().bind(vm.usesDatasetProperty().not());
        datasetLabel.disableProperty().bind(vm.usesDatasetProperty().not());

        ToggleGroup heads = new ToggleGroup();
        RadioButton allHeads = radio("All heads", "headsAll", heads);
        RadioButton selectedHead = radio("Selected head", "headsSelected", heads);
        heads.selectToggle(vm.headScopeProperty().get() == RunEstimatorViewModel.HeadScope.ALL ? allHeads
                : selectedHead);
        heads.selectedToggleProperty().addListener((o, a, b) -> vm.headScopeProperty().set(
                b == selectedHead ? RunEstimatorViewModel.HeadScope.SELECTED : RunEstimatorViewModel.HeadScope.ALL));

        ToggleGroup steps = new ToggleGroup();
        RadioButton allSteps = radio("All checkpoints", "stepsAll", steps);
        RadioButton selectedStep = radio("Selected checkpoint", "stepsSelected", steps);
        RadioButton everyK = radio("Every k-th:", "stepsEveryK", steps);
        Spinner<Integer> k = new Spinner<>(1, 1000, vm.everyKProperty().get());
        k.setId("everyK");
        k.setEditable(true);
        k.setPrefWidth(80);
        k.valueProperty().addListener((o, a, b) -> vm.everyKProperty().set(b));
        k.disableProperty().bind(everyK.selectedProperty().not());
        steps.selectToggle(switch (vm.stepScopeProperty().get()) {
            case ALL -> allSteps;
            case SELECTED -> selectedStep;
            case EVERY_K -> everyK;
        });
        steps.selectedToggleProperty().addListener((o, a, b) -> vm.stepScopeProperty().set(
                b == selectedStep ? RunEstimatorViewModel.StepScope.SELECTED
                        : b == everyK ? RunEstimatorViewModel.StepScope.EVERY_K : RunEstimatorViewModel.StepScope.ALL));

        Label summary = new Label();
        summary.setId("sweepSummary");
        summary.setWrapText(true);
        summary.setStyle("-fx-font-weight: bold;");
        summary.textProperty().bind(vm.summaryProperty());
        Label error = new Label();
        error.setWrapText(true);
        error.setStyle("-fx-text-fill: #b00020;");
        error.textProperty().bind(vm.errorProperty());

        GridPane grid = new GridPane();
        grid.setHgap(8);
        grid.setVgap(6);
        grid.addRow(0, new Label("Estimator"), estimator);
        grid.add(description, 1, 1);
        grid.addRow(2, new Label("Parameters"), sheet);
        grid.add(errors, 1, 3);
        grid.addRow(4, datasetLabel, dataset);
        grid.addRow(5, new Label("Heads"), new HBox(12, allHeads, selectedHead));
        HBox stepBox = new HBox(12, allSteps, selectedStep, new HBox(4, everyK, k));
        stepBox.setAlignment(Pos.CENTER_LEFT);
        grid.addRow(6, new Label("Checkpoints"), stepBox);
        VBox content = new VBox(8, grid, summary, error);
        content.setPadding(new Insets(8));
        content.setPrefWidth(640);
        getDialogPane().setContent(content);
        getDialogPane().getButtonTypes().addAll(START, ButtonType.CANCEL);
        Button start = (Button) getDialogPane().lookupButton(START);
        start.setId("startSweep");
        start.disableProperty().bind(vm.validProperty().not());
        start.addEventFilter(ActionEvent.ACTION, e -> {
            if (!vm.start()) {
                e.consume(); // stays open, with the reasons shown
            }
        });
    }

    private static RadioButton radio(String text, String id, ToggleGroup group) {
        RadioButton b = new RadioButton(text);
        b.setId(id);
        b.setToggleGroup(group);
        return b;
    }

    private void fillSheet() {
        Estimator e = vm.estimatorProperty().get();
        sheet.getItems().setAll(e == null ? List.of()
                : e.parameters().all().stream().map(p -> (PropertySheet.Item) new ParamItem(p)).toList());
    }

    private PropertyEditor<?> editor(PropertySheet.Item item) {
        if (item instanceof ParamItem p) {
            List<String> choices = RunEstimatorViewModel.choices(p.parameter);
            if (!choices.isEmpty()) {
                return Editors.createChoiceEditor(item, FXCollections.observableArrayList(choices));
            }
        }
        return new DefaultPropertyEditorFactory().call(item);
    }

    /** One parameter as a sheet row; its text goes to the view model, which parses it. */
    private final class ParamItem implements PropertySheet.Item {
        final Parameter<?> parameter;

        ParamItem(Parameter<?> parameter) {
            this.parameter = parameter;
        }

        @Override
        public Class<?> getType() {
            return parameter.defaultValue() instanceof Boolean ? Boolean.class : String.class;
        }

        @Override
        public String getCategory() {
            return "Parameters";
        }

        @Override
        public String getName() {
            return parameter.name();
        }

        @Override
        public String getDescription() {
            return parameter.description() + " — " + parameter.describeType() + ", default "
                    + parameter.defaultValue();
        }

        @Override
        public Object getValue() {
            String text = vm.values().getOrDefault(parameter.name(), "");
            return parameter.defaultValue() instanceof Boolean ? Boolean.valueOf(text) : text;
        }

        @Override
        public void setValue(Object value) {
            vm.setValue(parameter.name(), value == null ? "" : value.toString());
        }

        @Override
        public Optional<ObservableValue<? extends Object>> getObservableValue() {
            return Optional.empty();
        }
    }

    private static final class EstimatorCell extends ListCell<Estimator> {
        @Override
        protected void updateItem(Estimator e, boolean empty) {
            super.updateItem(e, empty);
            setText(empty || e == null ? null : e.id());
        }
    }

    /** The property sheet (for tests). */
    public Node parameterSheet() {
        return sheet;
    }
}
