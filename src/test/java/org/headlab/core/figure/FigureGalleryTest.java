package org.headlab.core.figure;

import java.nio.file.Files;
import java.nio.file.Path;
import org.headlab.core.estimate.Head;
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
        Figure head = AttentionMapFigure.head(FigureFixtures.attention("(a[b]())[ab]", 2, 4, 11), new Head(1, 1),
                FigureFixtures.provenance());
        Figure layer = AttentionMapFigure.allHeads(FigureFixtures.attention("(a[b]())[ab]", 2, 4, 11),
                FigureFixtures.provenance());
        for (var e : java.util.Map.of("attention-head", head, "attention-all-heads", layer,
                "trajectories", FigureFixtures.trajectories(), "composition", FigureFixtures.matrix()).entrySet()) {
            FigureExporter.export(e.getValue(), dir.resolve(e.getKey() + ".png"), 144);
            FigureExporter.export(e.getValue(), dir.resolve(e.getKey() + ".svg"), 144);
            FigureExporter.export(e.getValue(), dir.resolve(e.getKey() + ".pdf"), 144);
        }
        // how other programs see the vector files: PDFBox renders the PDFs, Batik's transcoder the SVGs
        String check = System.getProperty("headlab.gallery.check");
        if (check != null) {
            Path cdir = Files.createDirectories(Path.of(check));
            for (Path f : Files.list(dir).sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".pdf")) {
                    try (var doc = org.apache.pdfbox.Loader.loadPDF(f.toFile())) {
                        javax.imageio.ImageIO.write(new org.apache.pdfbox.rendering.PDFRenderer(doc)
                                .renderImageWithDPI(0, 144), "png", cdir.resolve(name + ".png").toFile());
                    }
                } else if (name.endsWith(".svg")) {
                    var t = new org.apache.batik.transcoder.image.PNGTranscoder();
                    try (var in = Files.newInputStream(f); var out = Files.newOutputStream(cdir.resolve(name + ".png"))) {
                        t.transcode(new org.apache.batik.transcoder.TranscoderInput(in),
                                new org.apache.batik.transcoder.TranscoderOutput(out));
                    }
                }
            }
        }
        // the real path: a random-weight fixture run through the CLI
        Path run = org.headlab.testing.FixtureRuns.brackets(Files.createTempDirectory("gallery"), "brackets");
        java.io.StringWriter err = new java.io.StringWriter();
        int code = org.headlab.cli.HeadLabCli.run(new String[] {"export-attention", run.toString(), "--text",
            "([a](b))[]", "--head", "1:3", "--out", dir.resolve("fixture-head-1-3.png").toString(), "--dpi", "144"},
                new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(err));
        org.junit.jupiter.api.Assertions.assertEquals(0, code, err.toString());
        code = org.headlab.cli.HeadLabCli.run(new String[] {"export-attention", run.toString(), "--text",
            "([a](b))[]", "--out", dir.resolve("fixture-all-heads.png").toString(), "--dpi", "144"},
                new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(err));
        org.junit.jupiter.api.Assertions.assertEquals(0, code, err.toString());
    }
}
