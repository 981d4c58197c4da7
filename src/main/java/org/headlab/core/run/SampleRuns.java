package org.headlab.core.run;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the runs bundled in {@code sample-runs/}: next to the working directory, or next to the jar's folder
 * (the jar lives in target/, the runs in the repository root), so {@code java -jar target/headlab.jar} works from
 * the repository root and from elsewhere.
 */
public final class SampleRuns {
    /** The run the GUI opens when none is named, in order of preference. */
    public static final List<String> DEFAULT_ORDER = List.of("lm", "dyck", "sexpr", "tiny");

    private SampleRuns() {
    }

    public static Optional<Path> folder() {
        List<Path> candidates = new ArrayList<>();
        candidates.add(Path.of("sample-runs"));
        jarFolder().ifPresent(j -> {
            candidates.add(j.resolve("sample-runs"));
            if (j.getParent() != null) {
                candidates.add(j.getParent().resolve("sample-runs"));
            }
        });
        return candidates.stream().filter(Files::isDirectory).map(Path::toAbsolutePath).map(Path::normalize)
                .findFirst();
    }

    /** The preferred bundled run, if any is there. */
    public static Optional<Path> defaultRun() {
        return folder().flatMap(f -> DEFAULT_ORDER.stream().map(f::resolve)
                .filter(p -> Files.isRegularFile(p.resolve("run.json"))).findFirst());
    }

    private static Optional<Path> jarFolder() {
        try {
            var src = SampleRuns.class.getProtectionDomain().getCodeSource();
            if (src == null) {
                return Optional.empty();
            }
            Path p = Path.of(src.getLocation().toURI());
            return Optional.ofNullable(p.getParent());
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
