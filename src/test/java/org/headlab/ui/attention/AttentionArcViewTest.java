package org.headlab.ui.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.layout.StackPane;
import javafx.scene.text.Font;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The arc view's token line: sub-word tokens of a BPE run get cells wide enough that their labels never overlap. */
@ExtendWith(ApplicationExtension.class)
class AttentionArcViewTest {
    private final AttentionArcView view = new AttentionArcView();

    @Start
    void start(Stage stage) {
        stage.setScene(new Scene(new StackPane(view), 400, 150));
        stage.show();
    }

    @Test
    void labelsOfLongTokensDoNotOverlapAndTheViewAsksForTheWidth(FxRobot robot) throws Exception {
        List<String> tokens = List.of("<bos>", "def", " read", "(self", ",", " size", "):", " data", " =",
                " self", ".buffer", "[:", "size", "]");
        WaitForAsyncUtils.asyncFx(() -> {
            view.setWidth(AttentionArcView.preferredWidth(tokens, 200));
            view.show(tokens, null, null, tokens.size() - 1);
        }).get(10, TimeUnit.SECONDS);
        Text probe = new Text(); // measured independently of the view's own cell rule
        probe.setFont(Font.font("Monospaced", 12));
        for (int i = 0; i + 1 < tokens.size(); i++) {
            probe.setText(AttentionArcView.label(tokens.get(i)));
            double right = view.centre(i) + probe.getLayoutBounds().getWidth() / 2;
            probe.setText(AttentionArcView.label(tokens.get(i + 1)));
            double left = view.centre(i + 1) - probe.getLayoutBounds().getWidth() / 2;
            assertTrue(right < left, "labels " + i + " and " + (i + 1) + " overlap: " + right + " >= " + left);
        }
        assertTrue(view.getWidth() > 200, "a long input asks for more than the viewport: " + view.getWidth());
        assertEquals(tokens.size() - 1, view.tokenAt(view.centre(tokens.size() - 1)), "clicks still find tokens");
        assertEquals(".buff…", AttentionArcView.label(".buffer"));
        assertEquals("␣read", AttentionArcView.label(" read"), "a leading space is a different token: shown");
        List<String> dyck = List.of("<bos>", "(", "[", ")", "b", "{", "(", ")", "a", "[", ")", "b", ")", "c", ")",
                "a");
        assertEquals(445, AttentionArcView.preferredWidth(dyck, 445), 1e-9,
                "single-character tokens take narrow cells: a 16-token Dyck string fits without scrolling");
    }
}
