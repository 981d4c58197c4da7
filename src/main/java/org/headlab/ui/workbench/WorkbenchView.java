package org.headlab.ui.workbench;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Separator;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import javafx.stage.Window;
import org.controlsfx.control.StatusBar;
import org.headlab.core.estimate.Head;
import org.headlab.core.labels.LabelClass;
import org.headlab.core.session.AttentionResult;
import org.headlab.core.session.InputKind;
import org.headlab.ui.Selection;
import org.headlab.ui.ablation.TokenAblationView;
import org.headlab.ui.multigrams.MultigramsView;
import org.headlab.ui.attention.AttentionArcView;
import org.headlab.ui.attention.AttentionMapView;
import org.headlab.ui.composition.CompositionView;
import org.headlab.ui.curves.CurvesView;
import org.headlab.ui.diagnostics.SgldDiagnosticsView;
import org.headlab.ui.estimators.RunEstimatorDialog;
import org.headlab.ui.heads.HeadGridView;
import org.headlab.ui.jobs.JobsView;
import org.headlab.ui.labels.LabelPanelView;
import org.headlab.ui.timeline.CheckpointTimelineView;

/** The main window's layout: toolbar (run, checkpoint, input), head grid, attention map, status bar. */
public final class WorkbenchView extends BorderPane {
    private final WorkbenchViewModel vm;
    private final HeadGridView headGrid;
    private final AttentionMapView map = new AttentionMapView();
    private final AttentionArcView arcs = new AttentionArcView();
    private final ScrollPane arcScroll = new ScrollPane(arcs);
    private final CheckpointTimelineView timeline;
    private final Label stepLabel = new Label("step –");
    private final javafx.scene.control.ComboBox<Integer> compareBox = new javafx.scene.control.ComboBox<>();
    private final TextField input = new TextField();
    private final Label mapTitle = new Label("");
    private final Label readout = new Label("");
    private final Label errorLabel = new Label("");
    private final LabelPanelView labelPanel;
    private final FlowPane legend = new FlowPane(10, 2);
    private final TabPane tabs = new TabPane();
    private final CurvesView curvesView;
    private final JobsView jobsView;
    private final CompositionView compositionView;
    private final SgldDiagnosticsView diagnosticsView;
    private final TokenAblationView ablationView;
    private final MultigramsView multigramsView;
    private final org.headlab.ui.susceptibility.SusceptibilityView susceptibilityView;

    public WorkbenchView(WorkbenchViewModel vm) {
        this.vm = vm;
        this.headGrid = new HeadGridView(vm::selectHead);
        this.timeline = new CheckpointTimelineView(vm::selectStepIndex);
        this.labelPanel = new LabelPanelView(vm.labels(), vm.selection());
        this.curvesView = new CurvesView(vm.curves());
        this.jobsView = new JobsView(vm.jobsPanel());
        this.compositionView = new CompositionView(vm.composition());
        this.ablationView = new TokenAblationView(vm.tokenAblation());
        this.multigramsView = new MultigramsView(vm.multigrams());
        this.susceptibilityView = new org.headlab.ui.susceptibility.SusceptibilityView(vm.susceptibility());
        this.diagnosticsView = new SgldDiagnosticsView(vm.diagnostics(), () -> {
            vm.runEstimator().prepareForSelection("llc");
            showRunEstimator();
        });
        curvesView.setOnComputeTrajectories(() -> {
            if (vm.runEstimator().prepareTrajectories(4) && vm.runEstimator().start()) {
                tabs.getTabs().stream().filter(t -> "jobsTab".equals(t.getId())).findFirst()
                        .ifPresent(t -> tabs.getSelectionModel().select(t));
            }
        });
        setTop(buildToolbars());
        setCenter(buildCentre());
        setBottom(buildStatusBar());
        wire();
    }

    private VBox buildToolbars() {
        Button open = new Button("Open run…");
        open.setId("openRun");
        open.setOnAction(e -> chooseRun(getScene() == null ? null : getScene().getWindow()));
        Label title = new Label();
        title.textProperty().bind(vm.titleProperty());
        title.setStyle("-fx-font-weight: bold;");

        stepLabel.setId("stepLabel");
        stepLabel.setMinWidth(150);
        HBox.setHgrow(timeline, Priority.ALWAYS);
        compareBox.setId("compareStep");
        compareBox.setPromptText("—");
        compareBox.setTooltip(new javafx.scene.control.Tooltip(
                "Show the map minus the map at another checkpoint: red gained weight, blue lost it"));
        compareBox.valueProperty().addListener((o, a, b) -> vm.compareStepProperty().set(b == null || b < 0 ? null : b));
        compareBox.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(Integer step) {
                return step == null || step < 0 ? "—" : "step " + step;
            }

            @Override
            public Integer fromString(String text) {
                return null;
            }
        });
        HBox runBar = new HBox(8, open, title, new Separator(Orientation.VERTICAL), new Label("Checkpoint"),
                timeline, stepLabel, new Label("compare with"), compareBox);
        runBar.setAlignment(Pos.CENTER_LEFT);
        runBar.setPadding(new Insets(4, 8, 4, 8));
        runBar.setStyle("-fx-background-color: #f4f4f4; -fx-border-color: transparent transparent #d0d0d0 transparent;");

        input.setId("inputText");
        input.setPromptText("Type an input and press Enter");
        HBox.setHgrow(input, Priority.ALWAYS);
        input.setOnAction(e -> vm.selection().inputProperty().set(input.getText()));
        MenuButton generate = new MenuButton("Generate");
        generate.setId("generateInput");
        for (InputKind kind : InputKind.values()) {
            MenuItem item = new MenuItem(kind.label());
            item.setOnAction(e -> vm.generateInput(kind));
            generate.getItems().add(item);
        }
        MenuButton export = new MenuButton("Export figure");
        export.setId("exportFigure");
        MenuItem exportHead = new MenuItem("This head's map…");
        exportHead.setOnAction(e -> chooseExport(false));
        MenuItem exportAll = new MenuItem("All heads…");
        exportAll.setOnAction(e -> chooseExport(true));
        MenuItem exportSet = new MenuItem("Figure set of the run…");
        exportSet.setId("exportFigureSet");
        exportSet.setOnAction(e -> chooseFigureSetFolder());
        export.getItems().addAll(exportHead, exportAll, new javafx.scene.control.SeparatorMenuItem(), exportSet);
        ProgressIndicator busy = new ProgressIndicator();
        busy.setPrefSize(18, 18);
        busy.visibleProperty().bind(vm.busyProperty());
        Button runEstimator = new Button("Run estimator…");
        runEstimator.setId("runEstimator");
        runEstimator.disableProperty().bind(vm.sessionProperty().isNull());
        runEstimator.setOnAction(e -> showRunEstimator());
        HBox inputBar = new HBox(8, new Label("Input"), input, generate, export, runEstimator, busy);
        inputBar.setAlignment(Pos.CENTER_LEFT);
        inputBar.setPadding(new Insets(4, 8, 4, 8));

        errorLabel.setId("errorLabel");
        errorLabel.setStyle("-fx-text-fill: #b00020; -fx-padding: 0 8 4 8;");
        errorLabel.textProperty().bind(vm.errorProperty());
        errorLabel.managedProperty().bind(Bindings.isNotEmpty(vm.errorProperty()));
        errorLabel.visibleProperty().bind(errorLabel.managedProperty());
        errorLabel.setWrapText(true);
        return new VBox(runBar, inputBar, errorLabel);
    }

    private SplitPane buildCentre() {
        Label gridTitle = new Label("Heads (layer:head) on this input");
        gridTitle.setStyle("-fx-font-weight: bold; -fx-padding: 6 8 0 8;");
        ScrollPane gridScroll = new ScrollPane(headGrid);
        gridScroll.setId("headGridScroll");
        gridScroll.setFitToWidth(true);
        gridScroll.viewportBoundsProperty().addListener((o, a, b) -> headGrid.fitThumbnails(b.getWidth()));
        legend.setId("labelLegend");
        legend.setPadding(new Insets(2, 8, 0, 8));
        VBox left = new VBox(gridTitle, legend, gridScroll);
        VBox.setVgrow(gridScroll, Priority.ALWAYS);

        mapTitle.setId("mapTitle");
        mapTitle.setStyle("-fx-font-weight: bold; -fx-font-size: 13px;");
        readout.setId("readout");
        readout.setStyle("-fx-font-family: monospace;");
        map.setHoverListener((q, k) -> {
            AttentionResult r = vm.attentionProperty().get();
            Head h = vm.selection().head();
            AttentionResult c = vm.comparisonProperty().get();
            String text = r == null ? "" : AttentionMapView.readout(r.tokens(), r.pattern(h.layer(), h.head()), q, k);
            if (r != null && c != null && q >= 0 && k <= q) {
                float now = r.pattern(h.layer(), h.head())[q][k];
                float then = c.pattern(h.layer(), h.head())[q][k];
                text += String.format(java.util.Locale.ROOT, " at step %d, %.4f at step %d (%+.4f)", r.step(), then,
                        c.step(), now - then);
            }
            readout.setText(text);
            if (q >= 0) {
                vm.selection().tokenPositionProperty().set(q);
            }
        });
        arcs.setOnQuery(q -> vm.selection().tokenPositionProperty().set(q));
        arcScroll.setFitToHeight(true);
        arcScroll.setPrefViewportHeight(150);
        arcScroll.setMinHeight(160);
        arcScroll.setVbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        arcScroll.viewportBoundsProperty().addListener((o, a, b) -> resizeArcs());
        Label legend = new Label("Orange outline: where a closing bracket's row meets its matching opening bracket's "
                + "column · orange strip: nesting depth · red dot: unbalanced bracket · grey: masked (future) keys");
        legend.setWrapText(true);
        legend.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        legend.setStyle("-fx-text-fill: #555; -fx-font-size: 11px;");
        Label arcTitle = new Label("Structure (arcs above) and the selected query token's attention (arcs below)"
                + " — click a token or hover a map row to choose the query");
        arcTitle.setStyle("-fx-text-fill: #555; -fx-font-size: 11px;");
        VBox right = new VBox(4, mapTitle, map, readout, legend, arcTitle, arcScroll);
        right.setPadding(new Insets(8));
        VBox.setVgrow(map, Priority.ALWAYS);

        ScrollPane labelScroll = new ScrollPane(labelPanel);
        labelScroll.setFitToWidth(true);
        labelScroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        SplitPane split = new SplitPane(left, buildTabs(right), labelScroll);
        split.setDividerPositions(0.36, 0.72);
        SplitPane.setResizableWithParent(labelScroll, false);
        return split;
    }

    /** The map, the curves and the jobs share the centre as tabs, so none of them crowds the others. */
    private TabPane buildTabs(VBox attention) {
        Tab attentionTab = new Tab("Attention", attention);
        attentionTab.setId("attentionTab");
        Tab curvesTab = new Tab("Curves", curvesView);
        curvesTab.setId("curvesTab");
        Tab compositionTab = new Tab("Composition", compositionView);
        compositionTab.setId("compositionTab");
        Tab diagnosticsTab = new Tab("SGLD", diagnosticsView);
        diagnosticsTab.setId("diagnosticsTab");
        vm.diagnostics().setActive(false);
        diagnosticsTab.selectedProperty().addListener((o, a, on) -> vm.diagnostics().setActive(on));
        diagnosticsTab.setTooltip(new javafx.scene.control.Tooltip(
                "SGLD diagnostics of the selected head's rLLC at this checkpoint"));
        Tab ablationTab = new Tab("Ablation", ablationView);
        ablationTab.setId("ablationTab");
        ablationTab.setTooltip(new javafx.scene.control.Tooltip(
                "Loss increase per token of this input when the selected head is ablated"));
        vm.tokenAblation().setActive(false);
        ablationTab.selectedProperty().addListener((o, a, on) -> vm.tokenAblation().setActive(on));
        Tab multigramsTab = new Tab("Multigrams", multigramsView);
        multigramsTab.setId("multigramsTab");
        multigramsTab.setTooltip(new javafx.scene.control.Tooltip(
                "The token pairs the selected head attends along and the memorised predictions it carries"));
        vm.multigrams().setActive(false);
        multigramsTab.selectedProperty().addListener((o, a, on) -> vm.multigrams().setActive(on));
        Tab susceptibilityTab = new Tab("Susceptibility", susceptibilityView);
        susceptibilityTab.setId("susceptibilityTab");
        susceptibilityTab.setTooltip(new javafx.scene.control.Tooltip(
                "Per-token susceptibilities stored at this checkpoint: how each probe token moves each head's posterior"));
        vm.susceptibility().setActive(false);
        susceptibilityTab.selectedProperty().addListener((o, a, on) -> vm.susceptibility().setActive(on));
        Tab jobsTab = new Tab("Jobs", jobsView);
        jobsTab.setId("jobsTab");
        jobsTab.textProperty().bind(Bindings.createStringBinding(() -> vm.jobsPanel().jobs().isEmpty() ? "Jobs"
                : "Jobs (" + vm.jobsPanel().jobs().size() + ")", vm.jobsPanel().jobs()));
        tabs.getTabs().addAll(attentionTab, ablationTab, curvesTab, compositionTab, diagnosticsTab, multigramsTab,
                susceptibilityTab, jobsTab);
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        tabs.setId("viewTabs");
        return tabs;
    }

    private void showRunEstimator() {
        new RunEstimatorDialog(vm.runEstimator(), getScene() == null ? null : getScene().getWindow()).show();
    }

    public TabPane tabs() {
        return tabs;
    }

    public MultigramsView multigramsView() {
        return multigramsView;
    }

    public org.headlab.ui.susceptibility.SusceptibilityView susceptibilityView() {
        return susceptibilityView;
    }

    public TokenAblationView ablationView() {
        return ablationView;
    }

    public SgldDiagnosticsView diagnosticsView() {
        return diagnosticsView;
    }

    public CompositionView compositionView() {
        return compositionView;
    }

    public CurvesView curvesView() {
        return curvesView;
    }

    private StatusBar buildStatusBar() {
        StatusBar bar = new StatusBar();
        bar.textProperty().bind(vm.statusProperty());
        return bar;
    }

    private void wire() {
        vm.steps().addListener((javafx.collections.ListChangeListener<Integer>) c -> {
            timeline.setSteps(vm.steps());
            List<Integer> choices = new java.util.ArrayList<>();
            choices.add(-1);
            choices.addAll(vm.steps());
            compareBox.getItems().setAll(choices);
        });
        vm.selection().stepProperty().addListener((o, a, b) -> {
            int i = vm.selectedStepIndex();
            timeline.setSelectedIndex(i);
            stepLabel.setText(b == null ? "step –" : "step " + b + "  (" + (i + 1) + " of " + vm.steps().size() + ")");
        });
        vm.selection().inputProperty().addListener((o, a, b) -> {
            if (!b.equals(input.getText())) {
                input.setText(b);
            }
        });
        vm.sessionProperty().addListener((o, a, s) -> {
            if (s != null) {
                headGrid.setShape(s.run().config().nLayers(), s.run().config().nHeads());
                headGrid.setSelected(vm.selection().head());
            }
        });
        vm.selection().headProperty().addListener((o, a, b) -> {
            headGrid.setSelected(b);
            headGrid.setPartner(partnerOf(b));
            showSelectedHead();
        });
        vm.selection().pairProperty().addListener((o, a, p) -> {
            headGrid.setPartner(partnerOf(vm.selection().head()));
            showSelectedHead();
        });
        vm.attentionProperty().addListener((o, a, r) -> {
            headGrid.setResult(r);
            int q = vm.selection().tokenPositionProperty().get();
            if (r != null && (q < 0 || q >= r.length())) {
                vm.selection().tokenPositionProperty().set(r.length() - 1);
            }
            showSelectedHead();
        });
        vm.selection().tokenPositionProperty().addListener((o, a, b) -> arcs.setQuery(b.intValue()));
        wireLabels();
        wireSparklines();
    }

    private Object curvesShownFor;

    /**
     * Each head-grid cell carries its rLLC over training; the first time a newly opened run's results arrive with
     * rLLC curves, the Curves tab comes to the front (unless another tab than the map was chosen meanwhile): a run
     * that ships its results opens onto the science.
     */
    private void wireSparklines() {
        Runnable update = () -> {
            Number step = vm.selection().stepProperty().get();
            headGrid.setSparklines(vm.curves().sparklinesProperty().get(), step == null ? null : step.doubleValue());
        };
        vm.curves().sparklinesProperty().addListener((o, a, b) -> {
            update.run();
            Object session = vm.sessionProperty().get();
            Tab current = tabs.getSelectionModel().getSelectedItem();
            boolean untouched = current == null || "attentionTab".equals(current.getId());
            if (!b.isEmpty() && session != null && session != curvesShownFor && untouched) {
                curvesShownFor = session; // once per opened run, and never away from a tab the user picked
                tabs.getTabs().stream().filter(t -> "curvesTab".equals(t.getId())).findFirst()
                        .ifPresent(t -> tabs.getSelectionModel().select(t));
            }
        });
        vm.sessionProperty().addListener((o, a, s) -> update.run());
        vm.selection().stepProperty().addListener((o, a, b) -> update.run());
    }

    /** Label colours on the grid, the legend, the cell menu, number keys on grid and map, undo/redo keys. */
    private void wireLabels() {
        var labels = vm.labels();
        labels.headColoursProperty().addListener((o, a, b) -> headGrid.setLabelColours(b));
        headGrid.setCellMenu(labelPanel::headMenu);
        labels.classes().addListener((javafx.collections.ListChangeListener<LabelClass>) c -> rebuildLegend());
        rebuildLegend();
        map.setFocusTraversable(true);
        map.addEventHandler(javafx.scene.input.MouseEvent.MOUSE_PRESSED, e -> map.requestFocus());
        headGrid.addEventHandler(KeyEvent.KEY_PRESSED, this::labelKey);
        map.addEventHandler(KeyEvent.KEY_PRESSED, this::labelKey);
        // bubbling, so a text field's own Ctrl+Z (its text undo) wins while it has focus
        addEventHandler(KeyEvent.KEY_PRESSED, e -> {
            if (!e.isShortcutDown()) {
                return;
            }
            if (e.getCode() == KeyCode.Z && !e.isShiftDown()) {
                labels.undo();
                e.consume();
            } else if (e.getCode() == KeyCode.Y || (e.getCode() == KeyCode.Z && e.isShiftDown())) {
                labels.redo();
                e.consume();
            } else if (e.getCode() == KeyCode.S) {
                labels.save();
                e.consume();
            }
        });
    }

    private void labelKey(KeyEvent e) {
        if (e.isShortcutDown() || e.isAltDown()) {
            return;
        }
        KeyCode c = e.getCode();
        int n = c.isDigitKey() ? digit(c) : -1;
        if (n >= 1 && vm.labels().assignKey(n)) {
            e.consume();
        }
    }

    private static int digit(KeyCode c) {
        String name = c.getName(); // "1" or "Numpad 1"
        char last = name.charAt(name.length() - 1);
        return Character.isDigit(last) ? last - '0' : -1;
    }

    private void rebuildLegend() {
        legend.getChildren().clear();
        int key = 1;
        for (LabelClass c : vm.labels().classes()) {
            javafx.scene.shape.Rectangle sw = new javafx.scene.shape.Rectangle(10, 10,
                    javafx.scene.paint.Color.web(c.color()));
            Label l = new Label((key <= 9 ? key + " " : "") + c.displayName(), sw);
            l.setStyle("-fx-font-size: 11px; -fx-text-fill: #444;");
            legend.getChildren().add(l);
            key++;
        }
    }

    /** The other head of the selected composition pair, when {@code head} is one of its two. */
    private Head partnerOf(Head head) {
        Selection.HeadPair p = vm.selection().pairProperty().get();
        if (p == null || head == null) {
            return null;
        }
        return head.equals(p.receiver()) ? p.sender() : head.equals(p.sender()) ? p.receiver() : null;
    }

    private void showSelectedHead() {
        AttentionResult r = vm.attentionProperty().get();
        Head h = vm.selection().head();
        if (r == null || h.layer() >= r.layers() || h.head() >= r.heads()) {
            map.show(null, java.util.List.of(), null);
            mapTitle.setText("");
            return;
        }
        AttentionResult c = vm.comparisonProperty().get();
        float[][] baseline = c == null || c.length() != r.length() ? null : c.pattern(h.layer(), h.head());
        Selection.HeadPair pair = vm.selection().pairProperty().get();
        String pairNote = pair == null ? ""
                : h.equals(pair.receiver()) ? " · reads head " + pair.sender() + " (composition pair " + pair + ")"
                : " · read by head " + pair.receiver() + " (composition pair " + pair + ")";
        mapTitle.setText("Head " + h + " at step " + r.step()
                + (baseline == null ? "" : " minus step " + c.step()) + " — " + r.length() + " tokens" + pairNote);
        map.show(r.pattern(h.layer(), h.head()), baseline, r.tokens(), r.structure());
        resizeArcs();
        arcs.show(r.tokens(), r.structure(), r.pattern(h.layer(), h.head()),
                vm.selection().tokenPositionProperty().get());
        revealQueryInArcs(vm.selection().tokenPositionProperty().get());
    }

    /** A long input scrolls: bring the query token (the last one at first) and its arcs into view. */
    private void revealQueryInArcs(int query) {
        double viewport = arcScroll.getViewportBounds().getWidth();
        double extra = arcs.getWidth() - viewport;
        if (extra > 0 && query >= 0) {
            arcScroll.setHvalue(Math.max(0, Math.min(1, (arcs.centre(query) - viewport / 2) / extra)));
        }
    }

    private void resizeArcs() {
        AttentionResult r = vm.attentionProperty().get();
        double available = arcScroll.getViewportBounds().getWidth();
        arcs.setWidth(AttentionArcView.preferredWidth(r == null ? List.of() : r.tokens(), Math.max(200, available)));
        arcs.setHeight(Math.max(140, arcScroll.getViewportBounds().getHeight()));
        arcs.redraw();
    }

    private void chooseExport(boolean allHeads) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Export the attention map (a CSV of the data and a provenance file are written beside it)");
        chooser.getExtensionFilters().addAll(new FileChooser.ExtensionFilter("PNG image", "*.png"),
                new FileChooser.ExtensionFilter("SVG vector image", "*.svg"),
                new FileChooser.ExtensionFilter("PDF document", "*.pdf"));
        Head h = vm.selection().head();
        chooser.setInitialFileName(allHeads ? "attention-all-heads.png"
                : "attention-head-" + h.layer() + "-" + h.head() + ".png");
        File file = chooser.showSaveDialog(getScene() == null ? null : getScene().getWindow());
        if (file != null) {
            vm.exportAttention(file.toPath(), allHeads);
        }
    }

    private void chooseFigureSetFolder() {
        DirectoryChooser chooser = new DirectoryChooser();
        chooser.setTitle("Export the run's figure set (PDF, PNG and SVG of every figure, with data and provenance)");
        File dir = chooser.showDialog(getScene() == null ? null : getScene().getWindow());
        if (dir != null) {
            vm.exportFigureSet(dir.toPath());
        }
    }

    private void chooseRun(Window owner) {
        DirectoryChooser chooser = new DirectoryChooser();
        chooser.setTitle("Open a HeadLab run folder (with run.json)");
        File dir = chooser.showDialog(owner);
        if (dir != null) {
            openGuarded(dir.toPath());
        }
    }

    public AttentionMapView attentionMap() {
        return map;
    }

    public AttentionArcView arcView() {
        return arcs;
    }

    public CheckpointTimelineView timeline() {
        return timeline;
    }

    public LabelPanelView labelPanel() {
        return labelPanel;
    }

    public HeadGridView headGrid() {
        return headGrid;
    }

    public void open(Path run) {
        openGuarded(run);
    }

    /**
     * Opens a run, first asking whether to cancel the sweeps still running on the open one; "keep running" leaves
     * everything as it is.
     */
    public void openGuarded(Path run) {
        String blocked = vm.sessionProperty().get() == null ? null : vm.switchBlockedBecause();
        if (blocked == null) {
            vm.openRun(run);
            return;
        }
        javafx.scene.control.ButtonType cancelAndOpen = new javafx.scene.control.ButtonType(
                "Cancel sweep and open", javafx.scene.control.ButtonBar.ButtonData.OK_DONE);
        javafx.scene.control.ButtonType keep = new javafx.scene.control.ButtonType("Keep it running",
                javafx.scene.control.ButtonBar.ButtonData.CANCEL_CLOSE);
        javafx.scene.control.Alert ask = new javafx.scene.control.Alert(javafx.scene.control.Alert.AlertType.WARNING,
                blocked, cancelAndOpen, keep);
        ask.setTitle("A sweep is running");
        ask.setHeaderText("Open " + run.getFileName() + " and cancel the running sweep?");
        ask.getDialogPane().setId("switchRunDialog");
        if (getScene() != null) {
            ask.initOwner(getScene().getWindow());
        }
        ask.showAndWait().filter(b -> b == cancelAndOpen).ifPresent(b -> vm.cancelSweepsAndOpen(run));
    }
}
