package org.headlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code export-attention} on a real run folder: figure, CSV and provenance, and one-line user errors. */
class ExportAttentionCliTest {
    @TempDir
    static Path tmp;

    static Path run;

    @BeforeAll
    static void writeRun() {
        run = FixtureRuns.brackets(tmp, "brackets");
    }

    static CliTest.Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = HeadLabCli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new CliTest.Result(code, out.toString(), err.toString());
    }

    @Test
    void oneHeadToPngWithDataAndProvenance() throws Exception {
        Path png = tmp.resolve("head.png");
        CliTest.Result r = cli("export-attention", run.toString(), "--text", "([a])", "--step", "10", "--head", "1:2",
                "--out", png.toString(), "--dpi", "144", "--size", "300x280");
        assertEquals(0, r.code(), r.err());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(600, img.getWidth());
        assertEquals(560, img.getHeight());
        List<String> csv = Files.readAllLines(tmp.resolve("head.csv"));
        assertEquals(1 + 21, csv.size(), "6 tokens: 21 unmasked cells");
        assertTrue(csv.get(1).startsWith("1,2,0,0,<bos>,<bos>,1"), csv.get(1));
        JsonNode p = new ObjectMapper().readTree(tmp.resolve("head.provenance.json").toFile());
        assertEquals("brackets", p.get("run").asText());
        assertEquals(10, p.get("checkpoints").get(0).asInt());
        assertEquals(64, p.at("/checkpoint_hashes/10").asText().length(), "SHA-256 of the checkpoint");
        assertEquals("([a])", p.at("/input/text").asText());
        assertEquals("1:2", p.get("heads").get(0).asText());
        assertEquals(144, p.at("/figure/dpi").asInt());
    }

    @Test
    void aLayerToPdfAndEveryHeadToSvg() throws Exception {
        Path pdf = tmp.resolve("layer.pdf");
        CliTest.Result r = cli("export-attention", run.toString(), "--text", "(a)", "--layer", "0", "--out",
                pdf.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(pdf.toString(), new ObjectMapper().readTree(r.out()).get("figure").asText());
        try (PDDocument doc = Loader.loadPDF(pdf.toFile())) {
            assertEquals(1, doc.getNumberOfPages());
        }
        Path svg = tmp.resolve("all.svg");
        assertEquals(0, cli("export-attention", run.toString(), "--text", "(a)", "--out", svg.toString()).code());
        assertTrue(Files.readString(svg).contains("<svg"));
        JsonNode p = new ObjectMapper().readTree(tmp.resolve("all.provenance.json").toFile());
        assertEquals(8, p.get("heads").size());
        assertEquals(100, p.get("checkpoints").get(0).asInt(), "the last checkpoint by default");
    }

    @Test
    void mistakesAreOneClearLine() {
        CliTest.assertOneLineUserError(cli("export-attention", run.toString(), "--text", "()", "--out",
                tmp.resolve("x.jpg").toString()), ".png, .svg or .pdf");
        CliTest.assertOneLineUserError(cli("export-attention", run.toString(), "--text", "()", "--head", "0:0",
                "--layer", "1", "--out", tmp.resolve("x.png").toString()), "not both");
        CliTest.assertOneLineUserError(cli("export-attention", run.toString(), "--text", "()", "--layer", "5",
                "--out", tmp.resolve("x.png").toString()), "--layer");
        CliTest.assertOneLineUserError(cli("export-attention", run.toString(), "--text", "()", "--size", "big",
                "--out", tmp.resolve("x.png").toString()), "WIDTHxHEIGHT");
        CliTest.assertOneLineUserError(cli("export-attention", run.toString(), "--text", "()",
                "--out", tmp.resolve("nope/x.png").toString()), "does not exist");
        assertFalse(Files.exists(tmp.resolve("x.png")));
    }
}
