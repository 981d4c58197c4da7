package org.headlab.core.figure;

import de.rototor.pdfbox.graphics2d.PdfBoxGraphics2D;
import java.awt.Dimension;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOInvalidTreeException;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.apache.batik.svggen.SVGGeneratorContext;
import org.apache.batik.svggen.SVGGraphics2D;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.graphics.form.PDFormXObject;
import org.headlab.core.AtomicFiles;
import org.headlab.core.HeadLabException;
import org.headlab.core.Json;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Writes a {@link Figure} to PNG, SVG or PDF through its one drawing routine, and beside it {@code <name>.csv} (the
 * figure's data) and {@code <name>.provenance.json} (its provenance plus app version, time, format and size). Every
 * file is written atomically (temp file, then rename).
 *
 * <p>Sizes: SVG and PDF take points (1/72 inch); PNG takes pixels and a DPI, and draws the figure at
 * {@code widthPx × 72 / dpi} points scaled by {@code dpi / 72}, so text has the same physical size in every format.
 * The DPI is written into the PNG's pHYs chunk. PDF text is drawn as glyph outlines (any character the screen font
 * has, λ ± σ → included, renders in every viewer; it is not selectable). SVG text stays text (UTF-8), as Batik
 * writes it.
 */
public final class FigureExporter {
    /** The files one export wrote. */
    public record Exported(Path figure, Path csv, Path provenance) {
    }

    public enum Format { PNG, SVG, PDF;

        /** The format a file name asks for by its extension, or an error naming the three. */
        public static Format of(Path file) {
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            for (Format f : values()) {
                if (name.endsWith("." + f.name().toLowerCase(Locale.ROOT))) {
                    return f;
                }
            }
            throw new HeadLabException("cannot tell the figure format of '" + file.getFileName()
                    + "': the name must end in .png, .svg or .pdf");
        }
    }

    private static final double PT_PER_INCH = 72.0;
    private static Clock clock = Clock.systemUTC();

    private FigureExporter() {
    }

    /** Writes a PNG of {@code widthPx × heightPx} pixels at {@code dpi}, plus the CSV and provenance sidecars. */
    public static Exported png(Figure fig, Path file, int widthPx, int heightPx, int dpi) {
        if (widthPx < 1 || heightPx < 1 || dpi < 1) {
            throw new HeadLabException("a PNG needs a positive size and DPI, not " + widthPx + "×" + heightPx
                    + " at " + dpi + " dpi");
        }
        BufferedImage img = render(fig, widthPx, heightPx, dpi / PT_PER_INCH);
        AtomicFiles.write(file, out -> writePng(img, dpi, out));
        double wPt = widthPx * PT_PER_INCH / dpi;
        double hPt = heightPx * PT_PER_INCH / dpi;
        return sidecars(fig, file, Format.PNG, wPt, hPt, Map.of("width_px", widthPx, "height_px", heightPx,
                "dpi", dpi));
    }

    /** Writes an SVG of {@code widthPt × heightPt} points, plus the sidecars. */
    public static Exported svg(Figure fig, Path file, double widthPt, double heightPt) {
        checkSize(widthPt, heightPt);
        byte[] bytes = svgBytes(fig, widthPt, heightPt);
        AtomicFiles.write(file, out -> out.write(bytes));
        return sidecars(fig, file, Format.SVG, widthPt, heightPt, Map.of());
    }

    /** Writes a one-page PDF of {@code widthPt × heightPt} points, plus the sidecars. */
    public static Exported pdf(Figure fig, Path file, double widthPt, double heightPt) {
        checkSize(widthPt, heightPt);
        AtomicFiles.write(file, out -> writePdf(fig, widthPt, heightPt, out));
        return sidecars(fig, file, Format.PDF, widthPt, heightPt, Map.of());
    }

    /** Writes the format {@code file}'s extension names, at {@code widthPt × heightPt} points ({@code dpi} for PNG). */
    public static Exported export(Figure fig, Path file, double widthPt, double heightPt, int dpi) {
        return switch (Format.of(file)) {
            case PNG -> png(fig, file, (int) Math.round(widthPt * dpi / PT_PER_INCH),
                    (int) Math.round(heightPt * dpi / PT_PER_INCH), dpi);
            case SVG -> svg(fig, file, widthPt, heightPt);
            case PDF -> pdf(fig, file, widthPt, heightPt);
        };
    }

    /** {@link #export} at the figure's preferred size. */
    public static Exported export(Figure fig, Path file, int dpi) {
        Dimension d = fig.preferredSize();
        return export(fig, file, d.getWidth(), d.getHeight(), dpi);
    }

    /** The figure drawn into an RGB image, {@code scale} pixels per point; what the PNG export writes. */
    public static BufferedImage render(Figure fig, int widthPx, int heightPx, double scale) {
        BufferedImage img = new BufferedImage(widthPx, heightPx, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.scale(scale, scale);
            fig.draw(g, new Rectangle2D.Double(0, 0, widthPx / scale, heightPx / scale));
        } finally {
            g.dispose();
        }
        return img;
    }

    /** The SVG document's bytes (UTF-8); deterministic for a deterministic figure. */
    public static byte[] svgBytes(Figure fig, double widthPt, double heightPt) {
        Document doc;
        try {
            doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().getDOMImplementation()
                    .createDocument(SVG_NS, "svg", null);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser is missing", e);
        }
        SVGGeneratorContext ctx = SVGGeneratorContext.createDefault(doc);
        ctx.setComment("HeadLab figure: " + fig.title());
        ctx.setEmbeddedFontsOn(false);
        SVGGraphics2D g = new SVGGraphics2D(ctx, false);
        g.setSVGCanvasSize(new Dimension((int) Math.ceil(widthPt), (int) Math.ceil(heightPt)));
        fig.draw(g, new Rectangle2D.Double(0, 0, widthPt, heightPt));
        Element root = g.getRoot();
        root.setAttributeNS(null, "width", fmt(widthPt) + "pt");
        root.setAttributeNS(null, "height", fmt(heightPt) + "pt");
        root.setAttributeNS(null, "viewBox", "0 0 " + fmt(widthPt) + " " + fmt(heightPt));
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (Writer w = new OutputStreamWriter(bytes, StandardCharsets.UTF_8)) {
            g.stream(root, w, true, false);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // in memory: cannot happen
        }
        // Batik writes a DOCTYPE pointing at the SVG 1.0 DTD on w3.org, which makes XML tools fetch it over the
        // network (and fail offline); SVG needs no DTD, so drop it
        String svg = bytes.toString(StandardCharsets.UTF_8).replaceFirst("<!DOCTYPE[^>\\[]*>\\s*", "");
        if (!svg.startsWith("<?xml")) {
            svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg;
        }
        return svg.getBytes(StandardCharsets.UTF_8);
    }

    private static final String SVG_NS = "http://www.w3.org/2000/svg";

    private static void writePdf(Figure fig, double widthPt, double heightPt, OutputStream out) throws IOException {
        try (PDDocument doc = new PDDocument()) {
            PDPage page = new PDPage(new PDRectangle((float) widthPt, (float) heightPt));
            doc.addPage(page);
            PDDocumentInformation info = doc.getDocumentInformation();
            info.setTitle(fig.title());
            info.setCreator("HeadLab " + appVersion());
            PdfBoxGraphics2D g = new PdfBoxGraphics2D(doc, (float) widthPt, (float) heightPt);
            try {
                fig.draw(g, new Rectangle2D.Double(0, 0, widthPt, heightPt));
            } finally {
                g.dispose();
            }
            PDFormXObject form = g.getXFormObject();
            try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
                cs.drawForm(form);
            }
            doc.setDocumentId(0L); // a fixed /ID: the same figure gives the same bytes
            doc.save(out);
        }
    }

    private static void writePng(BufferedImage img, int dpi, OutputStream out) throws IOException {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
        ImageWriter writer = writers.next();
        try {
            ImageWriteParam param = writer.getDefaultWriteParam();
            IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(img), param);
            IIOMetadataNode phys = new IIOMetadataNode("pHYs");
            String perMetre = Long.toString(Math.round(dpi / 0.0254));
            phys.setAttribute("pixelsPerUnitXAxis", perMetre);
            phys.setAttribute("pixelsPerUnitYAxis", perMetre);
            phys.setAttribute("unitSpecifier", "meter");
            IIOMetadataNode root = new IIOMetadataNode("javax_imageio_png_1.0");
            root.appendChild(phys);
            try {
                meta.mergeTree("javax_imageio_png_1.0", root);
            } catch (IIOInvalidTreeException e) {
                throw new IllegalStateException("the JDK's PNG writer refused a pHYs chunk", e);
            }
            ImageOutputStream ios = ImageIO.createImageOutputStream(out);
            writer.setOutput(ios);
            writer.write(null, new IIOImage(img, null, meta), param);
            ios.flush();
        } finally {
            writer.dispose();
        }
    }

    private static Exported sidecars(Figure fig, Path file, Format format, double wPt, double hPt,
            Map<String, Object> formatFields) {
        String name = file.getFileName().toString();
        String base = name.substring(0, name.lastIndexOf('.'));
        Path csv = file.resolveSibling(base + ".csv");
        Path prov = file.resolveSibling(base + ".provenance.json");
        DataTable data = fig.data();
        AtomicFiles.write(csv, data::writeCsv);
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> figure = new LinkedHashMap<>();
        figure.put("type", fig.getClass().getSimpleName());
        figure.put("title", fig.title());
        figure.put("file", name);
        figure.put("format", format.name().toLowerCase(Locale.ROOT));
        figure.put("width_pt", round(wPt));
        figure.put("height_pt", round(hPt));
        figure.putAll(new java.util.TreeMap<>(formatFields));
        figure.put("data_file", csv.getFileName().toString());
        figure.put("data_rows", data.rows().size());
        m.put("figure", figure);
        m.putAll(fig.provenance().toMap());
        m.put("app", "HeadLab");
        m.put("app_version", appVersion());
        m.put("created", Instant.now(clock).toString());
        Json.writeAtomically(prov, m);
        return new Exported(file, csv, prov);
    }

    /** The version in the jar manifest, or "development build" when run from classes. */
    public static String appVersion() {
        String v = FigureExporter.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }

    /** For tests: a fixed clock makes the sidecar's "created" predictable. */
    static void useClock(Clock c) {
        clock = c;
    }

    private static void checkSize(double w, double h) {
        if (!(w > 0) || !(h > 0)) {
            throw new HeadLabException("a figure needs a positive size, not " + w + "×" + h + " pt");
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
