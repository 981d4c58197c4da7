package org.headlab.core.figure;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes example figures for people to look at: {@code mvn test -Dtest=FigureGalleryTest
 * -Dheadlab.gallery=assets/figures}. Skipped in ordinary builds.
 */
@EnabledIfSystemProperty(named = "headlab.gallery", matches = ".+")
class FigureGalleryTest {
    @Test
    void writeGallery() throws Exception {
        Path dir = Path.of(System.getProperty("headlab.gallery")).toAbsolutePath();
        Files.createDirectories(dir);
        Figure head = AttentionMapFigure.head(FigureFixtures.attention("(a[b]())[ab]", 2, 4, 11), 1, 1,
                FigureFixtures.provenance());
        Figure layer = AttentionMapFigure.allHeads(FigureFixtures.attention("(a[b]())[ab]", 2, 4, 11),
                FigureFixtures.provenance());
        for (var e : java.util.Map.of("attention-head", head, "attention-all-heads", layer,
                "trajectories", FigureFixtures.trajectories(), "composition", FigureFixtures.matrix()).entrySet()) {
            FigureExporter.export(e.getValue(), dir.resolve(e.getKey() + ".png"), 144);
            FigureExporter.export(e.getValue(), dir.resolve(e.getKey() + ".svg"), 144);
            FigureExporter.export(e.getValue(), dir.resolve(e.getKey() + ".pdf"), 144);
        }
    }
}
