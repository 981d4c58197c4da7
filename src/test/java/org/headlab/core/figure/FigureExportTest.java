package org.headlab.core.figure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.rendering.PDFRenderer;
import org.headlab.core.estimate.Head;
import org.headlab.core.session.AttentionResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Node;

/**
 * Every format is written and reads back (PNG decodes with its size and DPI, SVG is XML with an svg root, PDF has
 * a page), non-ASCII text survives into the PDF, sidecars hold the data and parameters, output is deterministic,
 * heatmaps stay one image, and the PNG's cell colours are the ramp's colours of the weights.
 */
class FigureExportTest {
    @TempDir
    Path tmp;

    @Test
    void pngHasTheAskedSizeAndDpiAndSidecars() throws IOException {
        Figure fig = AttentionMapFigure.head(FigureFixtures.attention("([a])", 2, 4, 1), new Head(1, 2),
                FigureFixtures.provenance());
        FigureExporter.Exported e = FigureExporter.png(fig, tmp.resolve("map.png"), 600, 570, 150);
        BufferedImage img = ImageIO.read(e.figure().toFile());
        assertEquals(600, img.getWidth());
        assertEquals(570, img.getHeight());
        assertEquals(150, pngDpi(e.figure()));
        assertEquals(tmp.resolve("map.csv"), e.csv());
        List<String> csv = Files.readAllLines(e.csv());
        assertEquals("layer,head,query,key,query_token,key_token,weight", csv.get(0));
        int n = 6;
        assertEquals(1 + n * (n + 1) / 2, csv.size(), "one row per unmasked cell");
        JsonNode prov = new ObjectMapper().readTree(e.provenance().toFile());
        assertEquals("png", prov.at("/figure/format").asText());
        assertEquals(150, prov.at("/figure/dpi").asInt());
        assertEquals(288.0, prov.at("/figure/width_pt").asDouble(), 1e-9);
        assertEquals("fixture", prov.get("run").asText());
        assertEquals(100, prov.get("checkpoints").get(0).asInt());
        assertEquals("abc123", prov.at("/checkpoint_hashes/100").asText());
        assertEquals("rllc-sgld", prov.get("estimator").asText());
        assertEquals(0.001, prov.at("/parameters/epsilon").asDouble(), 0);
        assertEquals(4, prov.at("/parameters/chains").asInt());
        assertEquals(7, prov.get("seed").asLong());
        assertEquals("train[0:512]", prov.get("dataset_slice").asText());
        assertEquals("induction", prov.at("/labels/1:2").asText());
        assertTrue(prov.has("app_version") && prov.has("created"), prov.toString());
    }

    @Test
    void svgIsXmlWithAnSvgRootAndKeepsNonAsciiText() throws Exception {
        FigureExporter.Exported e = FigureExporter.svg(FigureFixtures.trajectories(), tmp.resolve("t.svg"), 520, 280);
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(e.figure().toFile());
        assertEquals("svg", doc.getDocumentElement().getLocalName() != null
                ? doc.getDocumentElement().getLocalName() : doc.getDocumentElement().getNodeName());
        assertEquals("0 0 520 280", doc.getDocumentElement().getAttribute("viewBox"));
        String text = Files.readString(e.figure(), StandardCharsets.UTF_8);
        assertFalse(text.contains("<!DOCTYPE"), "no DTD for XML tools to fetch from the network");
        assertTrue(text.startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"), text.substring(0, 80));
        assertTrue(text.contains("λ̂") && text.contains("± σ"), "title text is kept as UTF-8 text");
        assertTrue(Files.size(e.csv()) > 0);
    }

    @Test
    void pdfHasAPageAndRendersNonAsciiTextLikeThePng() throws IOException {
        Figure glyphs = new TextFigure("λ ± σ →");
        Path pdf = FigureExporter.pdf(glyphs, tmp.resolve("g.pdf"), 200, 60).figure();
        BufferedImage fromPdf;
        try (PDDocument doc = Loader.loadPDF(pdf.toFile())) {
            assertEquals(1, doc.getNumberOfPages());
            assertEquals(200, doc.getPage(0).getMediaBox().getWidth(), 0.01);
            fromPdf = new PDFRenderer(doc).renderImageWithDPI(0, 144);
        }
        BufferedImage png = FigureExporter.render(glyphs, 400, 120, 2);
        BufferedImage question = FigureExporter.render(new TextFigure("? ? ? ?"), 400, 120, 2);
        double same = inkOverlap(fromPdf, png);
        double other = inkOverlap(fromPdf, question);
        assertTrue(same > 0.75, "the PDF's glyphs are where the PNG's are: overlap " + same);
        assertTrue(other < same - 0.25, "and not question marks: " + other + " vs " + same);
    }

    @Test
    void theSameFigureGivesTheSameBytes() throws IOException {
        TrajectoryFigure t = FigureFixtures.trajectories();
        Path a = FigureExporter.png(t, tmp.resolve("a.png"), 520, 280, 72).figure();
        Path b = FigureExporter.png(FigureFixtures.trajectories(), tmp.resolve("b.png"), 520, 280, 72).figure();
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        Figure m = FigureFixtures.matrix();
        assertArrayEquals(FigureExporter.svgBytes(m, 300, 240), FigureExporter.svgBytes(FigureFixtures.matrix(), 300, 240));
        Path p1 = FigureExporter.pdf(m, tmp.resolve("m1.pdf"), 300, 240).figure();
        Path p2 = FigureExporter.pdf(m, tmp.resolve("m2.pdf"), 300, 240).figure();
        assertArrayEquals(Files.readAllBytes(p1), Files.readAllBytes(p2));
    }

    @Test
    void a512TokenMapIsOneImageInASmallSvg() {
        String text = "ab(".repeat(170) + "ab";
        AttentionResult r = FigureFixtures.attention(text.substring(0, 511), 1, 1, 5);
        assertEquals(512, r.length());
        byte[] svg = FigureExporter.svgBytes(AttentionMapFigure.head(r, new Head(0, 0), Provenance.none()), 500, 480);
        String s = new String(svg, StandardCharsets.UTF_8);
        assertTrue(svg.length < 5_000_000, "SVG of a 512² map is " + svg.length + " bytes");
        int images = s.split("<image", -1).length - 1;
        assertTrue(images >= 1 && images <= 3, "map, depth strip and colour bar are images: " + images);
        int rects = s.split("<rect", -1).length - 1;
        assertTrue(rects < 600, "no rectangle per cell: " + rects);
    }

    @Test
    void eachPngCellHasTheRampColourOfItsWeight() throws IOException {
        AttentionResult r = FigureFixtures.attention("([a]b)", 1, 2, 9);
        AttentionMapFigure fig = AttentionMapFigure.head(r, new Head(0, 1), Provenance.none());
        int dpi = 144;
        double scale = dpi / 72.0;
        Path png = FigureExporter.png(fig, tmp.resolve("cells.png"), 800, 760, dpi).figure();
        BufferedImage img = ImageIO.read(png.toFile());
        Rectangle2D map = fig.mapBounds(new Rectangle2D.Double(0, 0, 800 / scale, 760 / scale))[0];
        float[][] p = r.pattern(0, 1);
        int n = p.length;
        double cell = map.getWidth() / n;
        for (int q = 0; q < n; q++) {
            for (int k = 0; k < n; k++) {
                int x = (int) Math.floor((map.getX() + (k + 0.5) * cell) * scale);
                int y = (int) Math.floor((map.getY() + (q + 0.5) * cell) * scale);
                int expected = k > q ? 0xE6E6E6 : blues(p[q][k]);
                assertEquals(hex(expected), hex(img.getRGB(x, y) & 0xFFFFFF), "cell (" + q + ", " + k + ")");
            }
        }
    }

    @Test
    void everyFigureDrawsInEveryFormat() throws IOException {
        for (Figure f : List.of(FigureFixtures.trajectories(), FigureFixtures.matrix(),
                AttentionMapFigure.allHeads(FigureFixtures.attention("(a[b])", 2, 4, 2), Provenance.none()))) {
            Dimension d = f.preferredSize();
            for (String ext : List.of("png", "svg", "pdf")) {
                Path file = tmp.resolve(f.getClass().getSimpleName() + "." + ext);
                FigureExporter.export(f, file, 96);
                assertTrue(Files.size(file) > 500, file.toString());
            }
            assertNotNull(ImageIO.read(tmp.resolve(f.getClass().getSimpleName() + ".png").toFile()));
            assertEquals(Math.round(d.getWidth() * 96 / 72.0),
                    ImageIO.read(tmp.resolve(f.getClass().getSimpleName() + ".png").toFile()).getWidth());
        }
    }

    @Test
    void trajectoriesKeepStepZeroAndEveryPointInTheCsv() throws IOException {
        TrajectoryFigure t = FigureFixtures.trajectories();
        Path csv = FigureExporter.svg(t, tmp.resolve("t.svg"), 520, 280).csv();
        List<String> lines = Files.readAllLines(csv);
        assertEquals("panel,series,label,step,mean,std", lines.get(0));
        assertEquals(1 + 8 * 25, lines.size());
        assertTrue(lines.get(1).startsWith("layer 0,0:0,previous-token,0,"), lines.get(1));
        // step 0 is drawn in its own slot left of the log axis: the "0" tick label is there, not dropped
        BufferedImage img = FigureExporter.render(t, 520, 280, 1);
        assertFalse(isBlank(img), "something is drawn");
    }

    @Test
    void aFileWithoutAKnownExtensionIsAClearError() {
        Throwable e = org.junit.jupiter.api.Assertions.assertThrows(org.headlab.core.HeadLabException.class,
                () -> FigureExporter.export(FigureFixtures.matrix(), tmp.resolve("m.jpg"), 96));
        assertTrue(e.getMessage().contains(".png, .svg or .pdf"), e.getMessage());
    }

    /** The on-screen map's ramp, written out independently of ColorRamp: white → #08306B. */
    private static int blues(double v) {
        int r = (int) Math.round(255 + (8 - 255) * v);
        int g = (int) Math.round(255 + (48 - 255) * v);
        int b = (int) Math.round(255 + (107 - 255) * v);
        return (r << 16) | (g << 8) | b;
    }

    private static String hex(int rgb) {
        return String.format("#%06X", rgb);
    }

    private static boolean isBlank(BufferedImage img) {
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                if ((img.getRGB(x, y) & 0xFFFFFF) != 0xFFFFFF) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Intersection over union of the dark pixels of two same-size renderings. */
    private static double inkOverlap(BufferedImage a, BufferedImage b) {
        assertEquals(a.getWidth(), b.getWidth());
        assertEquals(a.getHeight(), b.getHeight());
        int both = 0;
        int either = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                boolean ia = dark(a.getRGB(x, y));
                boolean ib = dark(b.getRGB(x, y));
                both += ia && ib ? 1 : 0;
                either += ia || ib ? 1 : 0;
            }
        }
        return either == 0 ? 0 : (double) both / either;
    }

    private static boolean dark(int rgb) {
        Color c = new Color(rgb);
        return c.getRed() + c.getGreen() + c.getBlue() < 3 * 128;
    }

    private static int pngDpi(Path png) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(Files.readAllBytes(png)))) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            reader.setInput(in);
            IIOMetadataNode root = (IIOMetadataNode) reader.getImageMetadata(0).getAsTree("javax_imageio_png_1.0");
            Node phys = root.getElementsByTagName("pHYs").item(0);
            assertNotNull(phys, "a pHYs chunk");
            assertEquals("meter", phys.getAttributes().getNamedItem("unitSpecifier").getNodeValue());
            long perMetre = Long.parseLong(phys.getAttributes().getNamedItem("pixelsPerUnitXAxis").getNodeValue());
            return (int) Math.round(perMetre * 0.0254);
        }
    }

    /** One line of large text, centred: for checking glyphs across formats. */
    private record TextFigure(String text) implements Figure {
        @Override
        public String title() {
            return text;
        }

        @Override
        public void draw(Graphics2D g, Rectangle2D area) {
            FigureStyle.prepare(g);
            FigureStyle.fillBackground(g, area);
            g.setPaint(Color.BLACK);
            g.setFont(new java.awt.Font(FigureStyle.FONT_FAMILY, java.awt.Font.PLAIN, 36));
            FigureStyle.text(g, text, area.getCenterX(), area.getCenterY(), FigureStyle.Anchor.CENTER);
        }

        @Override
        public DataTable data() {
            return DataTable.builder("text").row(text).build();
        }

        @Override
        public Provenance provenance() {
            return Provenance.none();
        }
    }
}
