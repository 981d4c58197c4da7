package org.headlab.core.estimate.llc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.headlab.core.AtomicFiles;
import org.headlab.core.HeadLabException;
import org.headlab.core.HeadLabVersion;
import org.headlab.core.Json;

/**
 * The SGLD settings that {@code llc-calibrate} chose for one target (a head, a layer or the full model) on one
 * dataset slice, with the evidence: every setting it tried and how each did. Kept in {@code RUN/llc-calibration.json}
 * (one entry per target, slice and step, written atomically) so that {@code llc --calibrated} can use them later and
 * a reader can see why.
 *
 * <p>The choice (devinterp's calibration advice, estimators.md §2.6): among the settings that did not diverge,
 * converged (Geweke, R̂), reached MALA acceptance ≥ 0.5 and resolved a non-zero λ̂ ({@link LlcResolution}), the
 * largest ε (the chains move furthest per step, so they mix best in a fixed number of draws); ties go to the nβ
 * nearest the base setting's. No such setting: no choice, and the reason.
 */
public final class LlcCalibration {
    public static final String FILE = "llc-calibration.json";

    private LlcCalibration() {
    }

    /** One setting tried, with what it gave. */
    public record Trial(double epsilon, double nbeta, double gamma, double llc, double llcStd, double mala,
            boolean stable, boolean converged, String resolution) {

        boolean usable() {
            return stable && converged && mala >= 0.5 && LlcResolution.Verdict.RESOLVED.words.equals(resolution);
        }
    }

    /** The chosen setting (empty when none was usable) and why. */
    public record Choice(Optional<Trial> chosen, String reason) {
    }

    public static Choice choose(List<Trial> trials, double baseNbeta) {
        Optional<Trial> best = trials.stream().filter(Trial::usable).max(Comparator.comparingDouble(Trial::epsilon)
                .thenComparing(t -> -Math.abs(t.nbeta() - baseNbeta)));
        if (best.isPresent()) {
            Trial t = best.get();
            return new Choice(best, String.format(java.util.Locale.ROOT, "largest ε of the %d settings that were"
                    + " stable, converged, had MALA acceptance ≥ 0.5 and resolved λ̂ (of %d tried): ε %.3g, nβ %.3g,"
                    + " γ %.3g, λ̂ %.4g", trials.stream().filter(Trial::usable).count(), trials.size(), t.epsilon(),
                    t.nbeta(), t.gamma(), t.llc()));
        }
        return new Choice(Optional.empty(), "none of the " + trials.size() + " settings was stable, converged, had"
                + " MALA acceptance ≥ 0.5 and resolved λ̂; try smaller ε, more draws or a burn-in");
    }

    /** Adds (or replaces) the entry of {@code target} on {@code dataset} at {@code step} in the run's file. */
    public static Path store(Path runDir, String target, String dataset, int step, List<Trial> trials, Choice choice) {
        Path file = runDir.resolve(FILE);
        ObjectNode root = read(file);
        ArrayNode entries = root.withArray("entries");
        for (int i = entries.size() - 1; i >= 0; i--) {
            JsonNode e = entries.get(i);
            if (e.path("target").asText().equals(target) && e.path("dataset").asText().equals(dataset)
                    && e.path("step").asInt() == step) {
                entries.remove(i);
            }
        }
        ObjectNode e = entries.addObject();
        e.put("target", target);
        e.put("dataset", dataset);
        e.put("step", step);
        e.put("reason", choice.reason());
        choice.chosen().ifPresentOrElse(t -> {
            ObjectNode c = e.putObject("chosen");
            c.put("epsilon", t.epsilon());
            c.put("nbeta", t.nbeta());
            c.put("gamma", t.gamma());
        }, () -> e.putNull("chosen"));
        e.set("trials", Json.mapper().valueToTree(trials));
        e.put("headlab_version", HeadLabVersion.get());
        e.put("created_at", Instant.now().toString());
        byte[] bytes;
        try {
            bytes = Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex); // numbers and strings only
        }
        AtomicFiles.write(file, out -> out.write(bytes));
        return file;
    }

    /**
     * The calibrated {ε, nβ, γ} of {@code target} on {@code dataset}: the entry at the step nearest {@code step}
     * that has a choice. Throws with what to run when there is none.
     */
    public static double[] calibrated(Path runDir, String target, String dataset, int step) {
        Path file = runDir.resolve(FILE);
        if (!Files.exists(file)) {
            throw new HeadLabException("no " + FILE + " in " + runDir + ": run llc-calibrate for " + target + " first");
        }
        List<JsonNode> matching = new ArrayList<>();
        for (JsonNode e : read(file).withArray("entries")) {
            if (e.path("target").asText().equals(target) && e.path("dataset").asText().equals(dataset)
                    && e.path("chosen").isObject()) {
                matching.add(e);
            }
        }
        if (matching.isEmpty()) {
            throw new HeadLabException(file + " has no calibrated setting for " + target + " on '" + dataset
                    + "': run llc-calibrate for it first");
        }
        JsonNode best = matching.stream().min(Comparator.comparingInt(e -> Math.abs(e.path("step").asInt() - step)))
                .orElseThrow();
        JsonNode c = best.path("chosen");
        for (String k : new String[] {"epsilon", "nbeta", "gamma"}) {
            if (!c.path(k).isNumber()) {
                throw new HeadLabException(file + ": the entry for " + target + " at step " + best.path("step").asInt()
                        + " has no number '" + k + "'");
            }
        }
        return new double[] {c.get("epsilon").doubleValue(), c.get("nbeta").doubleValue(),
            c.get("gamma").doubleValue()};
    }

    private static ObjectNode read(Path file) {
        if (!Files.exists(file)) {
            return Json.mapper().createObjectNode();
        }
        try {
            JsonNode n = Json.mapper().readTree(Files.readString(file));
            if (n == null || !n.isObject() || (n.has("entries") && !n.get("entries").isArray())) {
                throw new HeadLabException(file + " is not a calibration file (expected an object with an"
                        + " 'entries' list)");
            }
            return (ObjectNode) n;
        } catch (JsonProcessingException e) {
            throw new HeadLabException(file + " is not valid JSON: " + Json.describe(e));
        } catch (IOException e) {
            throw new HeadLabException("cannot read " + file + ": " + AtomicFiles.describe(e), e);
        }
    }
}
