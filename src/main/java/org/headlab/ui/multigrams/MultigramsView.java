package org.headlab.ui.multigrams;

import java.util.Locale;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.headlab.core.analysis.Multigrams;

/**
 * The selected head's multigrams as two tables: the token pairs it attends along (key → query, how often against a
 * random-key baseline, at which distance, an example), and the memorised predictions its mean ablation destroys (kind,
 * multigram, loss increase, the context in the data with the target in ⟦ ⟧). A double click, or "Show in the
 * attention map", makes the chosen example the input.
 */
public final class MultigramsView extends VBox {
    private final MultigramsViewModel vm;
    private final TableView<Multigrams.Pair> pairs = new TableView<>();
    private final TableView<MultigramsViewModel.Event> events = new TableView<>();

    public MultigramsView(MultigramsViewModel vm) {
        super(6);
        this.vm = vm;
        setPadding(new Insets(6));
        ComboBox<String> slice = new ComboBox<>(vm.slices());
        slice.setId("multigramSlice");
        slice.valueProperty().bindBidirectional(vm.sliceProperty());
        slice.setTooltip(new Tooltip("The dataset slice whose windows are counted (" + MultigramsViewModel.WINDOWS
                + " windows)"));
        Button show = new Button("Show in the attention map");
        show.setId("multigramShow");
        show.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        show.setOnAction(e -> showSelected());
        Label status = new Label();
        status.setId("multigramStatus");
        status.textProperty().bind(vm.statusProperty());
        status.setWrapText(true);
        status.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);

        pairs.setId("multigramPairs");
        pairs.getColumns().add(column("key → query", p -> ("'" + p.key() + "' → '" + p.query() + "'")
                .replace("\n", "↵"), 190));
        pairs.getColumns().add(column("count", p -> String.valueOf(p.count()), 60));
        pairs.getColumns().add(column("lift", p -> Double.isInfinite(p.lift()) ? "∞"
                : String.format(Locale.ROOT, "%.1f", p.lift()), 50));
        pairs.getColumns().add(column("distance", p -> String.valueOf(p.distance()), 64));
        pairs.getColumns().add(column("example", p -> p.example().replace("\n", "↵"), 320));
        pairs.setPlaceholder(new Label("No pairs: the head rests on the first position"));
        pairs.setOnMouseClicked(e -> {
            if (e.getClickCount() == 2) {
                showSelected();
            }
        });
        events.setId("multigramEvents");
        events.getColumns().add(column("kind", MultigramsViewModel.Event::kind, 90));
        events.getColumns().add(column("multigram", ev -> ev.multigram().replace("\n", "↵"), 190));
        events.getColumns().add(column("Δloss", ev -> String.format(Locale.ROOT, "%+.2f", ev.increase()), 60));
        events.getColumns().add(column("context ⟦target⟧", ev -> ev.context().replace("\n", "↵"), 330));
        events.setPlaceholder(new Label("No memorised prediction needs this head"));
        events.setOnMouseClicked(e -> {
            if (e.getClickCount() == 2) {
                showSelected();
            }
        });
        pairs.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
            if (b != null) {
                events.getSelectionModel().clearSelection();
            }
        });
        events.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
            if (b != null) {
                pairs.getSelectionModel().clearSelection();
            }
        });
        vm.resultProperty().addListener((o, a, r) -> {
            pairs.getItems().setAll(r == null ? java.util.List.of() : r.attended().pairs().subList(0,
                    Math.min(MultigramsViewModel.ROWS, r.attended().pairs().size())));
            events.getItems().setAll(r == null ? java.util.List.of() : r.events());
        });
        Label pairsTitle = new Label("Token pairs the head attends along (its strongest key per query, against a"
                + " random earlier key)");
        Label eventsTitle = new Label("Memorised predictions its mean ablation destroys (loss ≤ ln 2 → up by ≥ ln 2),"
                + " largest first");
        pairsTitle.setStyle("-fx-font-weight: bold;");
        eventsTitle.setStyle("-fx-font-weight: bold;");
        HBox bar = new HBox(6, new Label("Slice"), slice, show);
        VBox.setVgrow(pairs, Priority.ALWAYS);
        VBox.setVgrow(events, Priority.ALWAYS);
        getChildren().addAll(bar, status, pairsTitle, pairs, eventsTitle, events);
    }

    private void showSelected() {
        Multigrams.Pair p = pairs.getSelectionModel().getSelectedItem();
        MultigramsViewModel.Event ev = events.getSelectionModel().getSelectedItem();
        if (p != null) {
            vm.showExample(p.example().replace(" … ", " "));
        } else if (ev != null) {
            vm.showExample(ev.context());
        }
    }

    private static <T> TableColumn<T, String> column(String title, Function<T, String> value, double width) {
        TableColumn<T, String> c = new TableColumn<>(title);
        c.setCellValueFactory(d -> new ReadOnlyObjectWrapper<>(value.apply(d.getValue())));
        c.setPrefWidth(width);
        c.setSortable(false);
        return c;
    }

    public TableView<Multigrams.Pair> pairsTable() {
        return pairs;
    }

    public TableView<MultigramsViewModel.Event> eventsTable() {
        return events;
    }
}
