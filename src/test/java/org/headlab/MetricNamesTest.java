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

/**
 * Metric names are written once, in their estimator family's schema: no "llc/…" literal outside LlcMetrics' package,
 * no curvature literal ("hessian_trace/…", "fisher_trace/…", "hessian_rank/…") outside CurvatureMetrics' package, and
 * likewise for the pattern scores, composition, the loss, ablations, weight norms and susceptibilities.
 */
class MetricNamesTest {
    static final Pattern LITERAL = Pattern.compile("\"llc/[a-z_]+\"");
    static final Pattern CURVATURE = Pattern.compile("\"(hessian_trace|fisher_trace|hessian_rank)/[a-z_]+\"");
    static final Pattern PATTERNS = Pattern.compile("\"patterns/[a-z_]*\"");
    static final Pattern COMPOSITION = Pattern.compile("\"composition/[a-z_]*\"");
    static final Pattern LOSS = Pattern.compile("\"loss/[a-z_]+\"");
    static final Pattern ABLATION = Pattern.compile("\"ablation/[a-z_/]*\"|\"/delta_loss\"");
    static final Pattern WEIGHT_NORM = Pattern.compile("\"weight_norm/[a-z_]*\"");
    static final Pattern SUSCEPTIBILITY = Pattern.compile("\"susceptibility/[a-z_]*\"");

    @Test
    void noRllcMetricLiteralOutsideItsSchema() throws Exception {
        assertEquals(List.of(), literalsOutside(LITERAL, "core/estimate/llc"), "use LlcMetrics");
    }

    @Test
    void noCurvatureMetricLiteralOutsideItsSchema() throws Exception {
        assertEquals(List.of(), literalsOutside(CURVATURE, "core/estimate/curvature"), "use CurvatureMetrics");
    }

    @Test
    void noPatternCompositionOrLossMetricLiteralOutsideItsSchema() throws Exception {
        assertEquals(List.of(), literalsOutside(PATTERNS, "core/estimate/patterns"), "use PatternMetrics");
        assertEquals(List.of(), literalsOutside(COMPOSITION, "core/estimate/composition"), "use CompositionMetrics");
        // the rLLC's old rows named some of its diagnostics loss/…: LlcResult and LlcDiagnostics keep reading them
        assertEquals(List.of(), literalsOutside(LOSS, "core/estimate/loss", "core/estimate/llc"), "use LossMetrics");
    }

    @Test
    void noAblationWeightNormOrSusceptibilityMetricLiteralOutsideItsSchema() throws Exception {
        assertEquals(List.of(), literalsOutside(ABLATION, "core/estimate/ablation"), "use AblationMetrics");
        assertEquals(List.of(), literalsOutside(WEIGHT_NORM, "core/estimate/weights"), "use WeightNormMetrics");
        assertEquals(List.of(), literalsOutside(SUSCEPTIBILITY, "core/estimate/susceptibility"),
                "use SusceptibilityMetrics");
    }

    /** "file:line literal" of every match of {@code literal} in main code outside the package folders {@code homes}. */
    private static List<String> literalsOutside(Pattern literal, String... homes) throws Exception {
        List<String> found = new ArrayList<>();
        Path root = Path.of("src/main/java/org/headlab");
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                if (java.util.Arrays.stream(homes).anyMatch(h -> f.startsWith(root.resolve(h)))) {
                    continue;
                }
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = literal.matcher(lines.get(i));
                    if (m.find()) {
                        found.add(root.relativize(f) + ":" + (i + 1) + " " + m.group());
                    }
                }
            }
        }
        return found;
    }
}
