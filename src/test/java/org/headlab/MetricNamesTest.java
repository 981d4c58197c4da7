package org.headlab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The rLLC's metric names are written once, in its schema (LlcMetrics): no "llc/…" literal anywhere else. */
class MetricNamesTest {
    static final Pattern LITERAL = Pattern.compile("\"llc/[a-z_]+\"");

    @Test
    void noRllcMetricLiteralOutsideItsSchema() throws Exception {
        List<String> found = new ArrayList<>();
        Path root = Path.of("src/main/java/org/headlab");
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                if (f.startsWith(root.resolve("core/estimate/llc"))) {
                    continue;
                }
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = LITERAL.matcher(lines.get(i));
                    if (m.find()) {
                        found.add(root.relativize(f) + ":" + (i + 1) + " " + m.group());
                    }
                }
            }
        }
        assertEquals(List.of(), found, "use LlcMetrics");
    }
}
