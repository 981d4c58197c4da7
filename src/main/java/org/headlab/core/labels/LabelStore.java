package org.headlab.core.labels;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.headlab.core.AtomicFiles;
import org.headlab.core.HeadLabException;
import org.headlab.core.Json;

/**
 * A run's {@code labels.json}: read, written atomically (temp file + rename, see AtomicFiles), exported. Example:
 *
 * <pre>{@code
 * {
 *   "format": "headlab-labels/1",
 *   "classes": [{"id": "depth-counter", "display_name": "Depth counter", "color": "#17becf"}],
 *   "labels": [{"layer": 1, "head": 2, "class_id": "bracket-matching", "from_step": 100, "note": "…",
 *               "provenance": {"who": "ada", "when": "2025-03-01T12:00:00Z",
 *                              "evidence": {"bracket_matching": 0.83}, "source": "attention map at step 100 …"}}]
 * }
 * }</pre>
 *
 * A file that cannot be read must not stop the run from opening: {@link #load} returns an empty set with a one-line
 * error naming the file and the field, and the caller shows it.
 */
public final class LabelStore {
    public static final String FILE = "labels.json";
    public static final String FORMAT = "headlab-labels/1";
    private static final String FORMAT_PREFIX = "headlab-labels/";

    private LabelStore() {
    }

    /** The document on disk (and of {@code labels --json}). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LabelsFile(String format, List<LabelClass> classes, List<HeadLabel> labels) {
        public LabelsFile {
            classes = classes == null ? List.of() : List.copyOf(classes);
            labels = labels == null ? List.of() : List.copyOf(labels);
        }
    }

    /** What {@link #load} found: the labels (empty if none or unreadable) and, if unreadable, why, in one line. */
    public record Loaded(LabelSet labels, Optional<String> error) {
    }

    public static Path file(Path runDir) {
        return runDir.resolve(FILE);
    }

    /** The run's labels; an absent file is an empty set; a malformed one throws a one-line HeadLabException. */
    public static LabelSet read(Path runDir) {
        Path file = file(runDir);
        refuseLink(file);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return LabelSet.empty();
        } catch (IOException e) {
            throw new HeadLabException("cannot read " + file + ": " + AtomicFiles.describe(e), e);
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(bytes);
        } catch (IOException e) {
            throw new HeadLabException(file + ": not valid JSON (" + Json.describe(e) + ")");
        }
        if (root == null || !root.isObject()) {
            throw new HeadLabException(file + ": must be a JSON object with 'format' and 'labels'");
        }
        JsonNode format = root.get("format");
        if (format == null || !format.isTextual()) {
            throw new HeadLabException(file + ": field 'format' must be \"" + FORMAT + "\"");
        }
        if (!format.asText().equals(FORMAT)) {
            throw new HeadLabException(file + ": field 'format' is '" + format.asText() + "'; this HeadLab reads "
                    + FORMAT + (format.asText().startsWith(FORMAT_PREFIX) ? " (written by a newer HeadLab?)" : ""));
        }
        LabelsFile doc;
        try {
            doc = Json.mapper().treeToValue(root, LabelsFile.class);
        } catch (IOException e) {
            throw new HeadLabException(file + ": " + Json.describe(e));
        }
        try {
            return LabelSet.of(doc.labels(), doc.classes());
        } catch (HeadLabException e) {
            throw new HeadLabException(file + ": " + e.getMessage());
        }
    }

    /** Like {@link #read} but never throws for a bad file: the run must open even when its labels.json does not. */
    public static Loaded load(Path runDir) {
        try {
            return new Loaded(read(runDir), Optional.empty());
        } catch (HeadLabException e) {
            return new Loaded(LabelSet.empty(), Optional.of(e.getMessage()));
        }
    }

    /** Replaces labels.json so that a reader or a crash sees the old file or the whole new one, never half. */
    public static void save(Path runDir, LabelSet labels) {
        refuseLink(file(runDir));
        Json.writeAtomically(file(runDir), document(labels));
    }

    /**
     * A run folder from someone else must not make HeadLab read or write a file elsewhere on the machine through a
     * link named labels.json or labels.json.lock (the store folder and checkpoints are held the same way).
     */
    private static void refuseLink(Path p) {
        if (Files.isSymbolicLink(p)) {
            throw new HeadLabException(p + " is a link: labels are only read and written inside the run folder"
                    + " (remove the link, or replace it with the file)");
        }
    }

    /**
     * Reads labels.json, applies {@code change} and writes the result, all under an exclusive lock on
     * {@code labels.json.lock} (an OS file lock: it holds between processes, the CLI and the window alike), so two
     * writers never lose each other's edits: the second one reads what the first wrote. Returns what was written.
     */
    public static LabelSet update(Path runDir, java.util.function.UnaryOperator<LabelSet> change) {
        Path lock = runDir.resolve(FILE + ".lock").toAbsolutePath().normalize();
        refuseLink(lock);
        // an OS file lock is held by the process, not the thread: threads of this process queue here first
        java.util.concurrent.locks.ReentrantLock inProcess = IN_PROCESS.computeIfAbsent(lock,
                k -> new java.util.concurrent.locks.ReentrantLock());
        inProcess.lock();
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lock,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                java.nio.channels.FileLock held = ch.lock()) {
            LabelSet next = change.apply(read(runDir));
            save(runDir, next);
            return next;
        } catch (IOException e) {
            throw new HeadLabException("cannot lock " + lock + ": " + AtomicFiles.describe(e), e);
        } finally {
            inProcess.unlock();
        }
    }

    private static final java.util.concurrent.ConcurrentHashMap<Path, java.util.concurrent.locks.ReentrantLock>
            IN_PROCESS = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Three-way merge of label sets: what {@code mine} changed since {@code base} (labels added or removed, classes
     * added) applied to {@code theirs}, the file as it is now. Another writer's edits to other heads survive; where
     * both labelled the same head over overlapping steps, mine wins (an assignment replaces what overlaps).
     */
    public static LabelSet merge(LabelSet base, LabelSet mine, LabelSet theirs) {
        LabelSet out = theirs;
        for (LabelClass c : mine.userClasses()) {
            if (out.classById(c.id()).isEmpty()) {
                out = out.withClass(c);
            }
        }
        for (HeadLabel l : base.labels()) {
            if (!mine.labels().contains(l) && out.labels().contains(l)) {
                out = new LabelEdit.Remove(l).applyTo(out);
            }
        }
        for (HeadLabel l : mine.labels()) {
            if (!base.labels().contains(l) && !out.labels().contains(l)) {
                out = new LabelEdit.Assign(l).applyTo(out);
            }
        }
        return out;
    }

    /**
     * Moves an unreadable labels.json aside (to {@code labels.unreadable-<time>.json}) before a save replaces it,
     * so that the user's hand edits are never lost. Returns the new name, or empty if there was no file.
     */
    public static Optional<Path> moveAside(Path runDir) {
        Path file = file(runDir);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String stamp = Instant.now().toString().replace(":", "").replace(".", "");
        Path aside = runDir.resolve("labels.unreadable-" + stamp + ".json");
        try {
            Files.move(file, aside);
        } catch (IOException e) {
            throw new HeadLabException("cannot move " + file + " aside: " + AtomicFiles.describe(e), e);
        }
        return Optional.of(aside);
    }

    public static LabelsFile document(LabelSet labels) {
        return new LabelsFile(FORMAT, labels.userClasses(), labels.labels());
    }

    private static final List<String> CSV_HEADER = List.of("layer", "head", "class_id", "class_name", "color",
            "from_step", "to_step", "note", "who", "when", "evidence", "evidence_source");

    /** One row per label; evidence as {@code name=value;name=value}; RFC 4180 quoting. */
    public static String toCsv(LabelSet labels) {
        StringBuilder b = new StringBuilder(String.join(",", CSV_HEADER)).append('\n');
        for (HeadLabel l : labels.labels()) {
            LabelClass c = labels.classById(l.classId()).orElseThrow();
            LabelProvenance p = l.provenance();
            String evidence = p.evidence().entrySet().stream()
                    .map(e -> e.getKey() + "=" + String.format(java.util.Locale.ROOT, "%.4f", e.getValue()))
                    .collect(Collectors.joining(";"));
            List<Object> row = List.of(l.layer(), l.head(), l.classId(), c.displayName(), c.color(),
                    l.fromStep() == null ? "" : l.fromStep(), l.toStep() == null ? "" : l.toStep(), l.note(),
                    p.who(), p.when(), evidence, p.source());
            b.append(row.stream().map(v -> csv(String.valueOf(v))).collect(Collectors.joining(","))).append('\n');
        }
        return b.toString();
    }

    /** The evidence of a label as a map (handy for tables). */
    public static Map<String, Double> evidence(HeadLabel label) {
        return label.provenance().evidence();
    }

    private static String csv(String v) {
        if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")) {
            return "\"" + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }
}
