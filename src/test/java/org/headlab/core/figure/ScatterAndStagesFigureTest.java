package org.headlab.core.figure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.stages.StageDetector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * ScatterFigure (least squares against a hand computation, CSV, every format, same bytes twice), stage bands coloured
 * by kind behind a TrajectoryFigure, and attention-map key labels: one character upright, longer ones rotated.
 */
class ScatterAndStagesFigureTest {
    @TempDir
    Path tmp;

    static ScatterFigure scatter() {
        List<ScatterFigure.Point> p = new ArrayList<>();
        double[] x = {0.1, 0.4, 0.35, 0.9, 0.05, 0.6};
        double[] y = {1.0, 1.9, 1.7, 3.4, 0.8, 2.5};
        for (int i = 0; i < x.length; i++) {
            p.add(new ScatterFigure.Point("1:" + i, i % 2 == 0 ? "induction" : "previous-token", x[i], y[i], 0.1));
        }
        p.add(new ScatterFigure.Point("0:0", null, Double.NaN, 2.0, Double.NaN)); // no statistic: not drawn, not fit
        return new ScatterFigure("Final rLLC λ̂ against a score", "score", "rLLC λ̂", p, true,
                Provenance.builder().run("fixture", null).estimator("llc", java.util.Map.of("draws", 40)).build());
    }

    @Test
    void theLeastSquaresLineIsTheTextbookOne() {
        ScatterFigure.Fit fit = scatter().fit();
        // by hand: x̄ = 0.4, ȳ = 1.883…, Sxx = 0.5, Sxy = 1.1
        double[] x = {0.1, 0.4, 0.35, 0.9, 0.05, 0.6};
        double[] y = {1.0, 1.9, 1.7, 3.4, 0.8, 2.5};
        double n = 6;
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        double syy = 0;
        for (int i = 0; i < 6; i++) {
            sx += x[i];
            sy += y[i];
            sxx += x[i] * x[i];
            sxy += x[i] * y[i];
            syy += y[i] * y[i];
        }
        double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
        assertEquals(slope, fit.slope(), 1e-12);
        assertEquals((sy - slope * sx) / n, fit.intercept(), 1e-12);
        assertEquals((n * sxy - sx * sy) / Math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy)), fit.r(), 1e-12);
        assertEquals(6, fit.n());
        assertNull(new ScatterFigure("t", "x", "y", List.of(new ScatterFigure.Point("a", null, 1, 2, 0)), true,
                Provenance.none()).fit(), "one point has no line");
    }

    @Test
    void everyFormatReadsBackAndTheSameFigureGivesTheSameBytes() throws Exception {
        ScatterFigure f = scatter();
        FigureExporter.Exported png = FigureExporter.export(f, tmp.resolve("s.png"), 96);
        FigureExporter.export(f, tmp.resolve("s.svg"), 96);
        FigureExporter.export(f, tmp.resolve("s.pdf"), 96);
        BufferedImage img = ImageIO.read(png.figure().toFile());
        assertNotNull(img);
        assertEquals(Math.round(440 * 96 / 72.0), img.getWidth());
        var dbf = DocumentBuilderFactory.newInstance();
        assertEquals("svg", dbf.newDocumentBuilder().parse(tmp.resolve("s.svg").toFile()).getDocumentElement()
                .getTagName());
        try (var doc = org.apache.pdfbox.Loader.loadPDF(tmp.resolve("s.pdf").toFile())) {
            assertEquals(1, doc.getNumberOfPages());
        }
        List<String> csv = Files.readAllLines(png.csv());
        assertEquals("point,label,x,y,y_std", csv.get(0));
        assertEquals("1:0,induction,0.1,1,0.1", csv.get(1));
        assertEquals("0:0,,NaN,2,", csv.get(7));
        String prov = Files.readString(png.provenance());
        assertTrue(prov.contains("\"draws\" : 40"), prov);
        assertArrayEquals(FigureExporter.svgBytes(f, 440, 320), FigureExporter.svgBytes(scatter(), 440, 320));
        Path a = FigureExporter.pdf(f, tmp.resolve("a.pdf"), 440, 320).figure();
        Path b = FigureExporter.pdf(scatter(), tmp.resolve("b.pdf"), 440, 320).figure();
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertEquals(List.of("induction", "previous-token", ""), f.legendKeys());
    }

    /**
     * A thousand points (a susceptibility map's probe tokens): only the 40 farthest from the centre are named on the
     * plot, and they are the outermost ones; the CSV keeps every point.
     */
    @Test
    void manyPointsOnlyTheOutermostAreNamed() {
        List<ScatterFigure.Point> pts = new ArrayList<>();
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
        for (int i = 0; i < 1000; i++) {
            pts.add(new ScatterFigure.Point("p" + i + "q", "a", rng.nextGaussian(), rng.nextGaussian(), Double.NaN));
        }
        pts.add(new ScatterFigure.Point("far-out", "a", 30, 30, Double.NaN));
        ScatterFigure f = new ScatterFigure("t", "x", "y", pts, false, Provenance.none());
        String svg = new String(FigureExporter.svgBytes(f, 600, 400), StandardCharsets.UTF_8);
        int named = 0;
        for (int i = 0; i < 1000; i++) {
            named += svg.contains(">p" + i + "q<") ? 1 : 0;
        }
        assertEquals(ScatterFigure.MAX_NAMED - 1, named, "the cap, with far-out among them");
        assertTrue(svg.contains(">far-out<"), "the outermost point is named");
        assertEquals(1001, f.data().rows().size(), "the data keep every point");
    }

    @Test
    void stageBandsTakeTheirKindsColourAndLegend() {
        double[] steps = {0, 1, 3, 10, 30, 100, 300, 1000, 3000, 10000};
        double[] v = {1, 1, 1, 1, 2, 3, 4, 4, 4, 4};
        List<StageDetector.Stage> found = StageDetector.detect(steps, v);
        List<TrajectoryFigure.Stage> bands = CurveFigures.bands(found);
        assertEquals(List.of("flat", "rising", "flat"), bands.stream().map(TrajectoryFigure.Stage::kind).toList());
        assertEquals("S2", bands.get(1).name());
        TrajectoryFigure f = new TrajectoryFigure("t", "training step", "y", List.of(TrajectoryFigure.Series.of("a",
                null, steps, v, null)), List.of(), true, Provenance.none()).withStages(bands);
        String svg = new String(FigureExporter.svgBytes(f, 520, 280), StandardCharsets.UTF_8);
        assertTrue(svg.contains("stage: rising") && svg.contains("stage: flat"), "legend names the kinds");
        // the middle of the rising band, near the top of the plot where no curve runs, has the rising colour
        BufferedImage img = FigureExporter.render(f, 520, 280, 1);
        double mid = Math.sqrt((1 + bands.get(1).fromStep()) * (1 + bands.get(1).toStep()));
        int x = xOfStep(img, mid, steps);
        int rgb = img.getRGB(x, 60) & 0xFFFFFF;
        assertEquals(Integer.toHexString(TrajectoryFigure.STAGE_COLOURS.get("rising").getRGB() & 0xFFFFFF),
                Integer.toHexString(rgb), "pixel at x=" + x);
    }

    /** The pixel column of a step, found from the band colours rather than by re-deriving the layout. */
    private static int xOfStep(BufferedImage img, double step, double[] steps) {
        int rising = TrajectoryFigure.STAGE_COLOURS.get("rising").getRGB() & 0xFFFFFF;
        int first = -1;
        int last = -1;
        for (int x = 0; x < img.getWidth(); x++) {
            if ((img.getRGB(x, 60) & 0xFFFFFF) == rising) {
                first = first < 0 ? x : first;
                last = x;
            }
        }
        assertTrue(first >= 0, "a rising band is drawn");
        return (first + last) / 2;
    }

    @Test
    void oneCharacterKeyLabelsStandUprightLongerOnesAreRotated() throws Exception {
        var r = FigureFixtures.attention("([a])", 1, 1, 3);
        byte[] svg = FigureExporter.svgBytes(AttentionMapFigure.head(r, new Head(0, 0), Provenance.none()), 500, 480);
        var dbf = DocumentBuilderFactory.newInstance();
        var doc = dbf.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(svg));
        NodeList texts = doc.getElementsByTagName("text");
        int bosRotated = 0;
        int bosUpright = 0;
        int singleUpright = 0;
        int singleRotated = 0;
        for (int i = 0; i < texts.getLength(); i++) {
            Element t = (Element) texts.item(i);
            String s = t.getTextContent();
            boolean rot = rotated(t);
            if (s.equals("<bos>")) {
                bosRotated += rot ? 1 : 0;
                bosUpright += rot ? 0 : 1;
            } else if (s.length() == 1 && "([a])".contains(s)) {
                singleRotated += rot ? 1 : 0;
                singleUpright += rot ? 0 : 1;
            }
        }
        assertEquals(1, bosRotated, "<bos> as a key label reads upwards");
        assertEquals(1, bosUpright, "<bos> as a query label is upright");
        assertEquals(0, singleRotated, "no one-character label is rotated");
        assertEquals(10, singleUpright, "( [ a ] ) as query and as key labels");
    }

    /** Whether the element or a parent group carries a rotation (Batik writes it as a transform matrix). */
    private static boolean rotated(Element e) {
        for (Node n = e; n instanceof Element el; n = n.getParentNode()) {
            String tr = el.getAttribute("transform");
            if (tr.contains("rotate") || tr.matches(".*matrix\\(\\s*-?0\\.?0*[ ,]+-?1.*")) {
                return true;
            }
        }
        return false;
    }
}
