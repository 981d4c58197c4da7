package org.headlab.ui.figure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.StackPane;
import javafx.scene.paint.Color;
import javafx.stage.Stage;
import org.headlab.core.data.TokenStructure;
import org.headlab.core.estimate.Head;
import org.headlab.core.figure.AttentionMapFigure;
import org.headlab.core.figure.ColorRamp;
import org.headlab.core.figure.Provenance;
import org.headlab.core.session.AttentionResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The on-screen figure is the export's drawing: cells land where the figure's layout says, in the ramp colour. */
@ExtendWith(ApplicationExtension.class)
class FigureCanvasTest {
    FigureCanvas canvas;
    Stage stage;
    AttentionResult result;
    AttentionMapFigure figure;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        List<String> tokens = List.of("<bos>", "(", "a", ")");
        float[][] p = {{1, 0, 0, 0}, {0.25f, 0.75f, 0, 0}, {0, 0.5f, 0.5f, 0}, {0.1f, 0.9f, 0, 0}};
        result = new AttentionResult(10, "(a)", tokens, new int[4], new float[][][][] {{p}}, TokenStructure.of(tokens));
        figure = AttentionMapFigure.head(result, new Head(0, 0), Provenance.none());
        canvas = new FigureCanvas(figure);
        stage.setScene(new Scene(new StackPane(canvas), 420, 400));
        stage.show();
    }

    @Test
    void drawsTheMapInTheRampColoursAndRedrawsOnResize() throws Exception {
        checkCells();
        Platform.runLater(() -> stage.setWidth(600));
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(canvas.canvas().getWidth() > 500, "the canvas follows the window: " + canvas.canvas().getWidth());
        checkCells();
    }

    private void checkCells() throws Exception {
        List<WritableImage> shot = new ArrayList<>();
        WaitForAsyncUtils.asyncFx(() -> shot.add(canvas.canvas().snapshot(null, null))).get();
        WritableImage img = shot.get(0);
        Rectangle2D map = figure.mapBounds(new Rectangle2D.Double(0, 0, canvas.canvas().getWidth(),
                canvas.canvas().getHeight()))[0];
        double cell = map.getWidth() / 4;
        float[][] p = result.pattern(0, 0);
        for (int q = 0; q < 4; q++) {
            for (int k = 0; k <= q; k++) {
                Color c = img.getPixelReader().getColor((int) (map.getX() + (k + 0.5) * cell),
                        (int) (map.getY() + (q + 0.5) * cell));
                int expected = ColorRamp.ATTENTION.argb(p[q][k]);
                assertEquals((expected >> 16) & 0xFF, c.getRed() * 255, 2, "red of cell " + q + "," + k);
                assertEquals((expected >> 8) & 0xFF, c.getGreen() * 255, 2, "green of cell " + q + "," + k);
                assertEquals(expected & 0xFF, c.getBlue() * 255, 2, "blue of cell " + q + "," + k);
            }
        }
    }
}
