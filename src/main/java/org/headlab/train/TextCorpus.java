package org.headlab.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.headlab.core.AtomicFiles;
import org.headlab.core.HeadLabException;
import org.headlab.core.data.TokenizerSpec;

/**
 * A language-modelling corpus from files on disk (the {@code lm} task): each source (e.g. natural-language text, or
 * source code) is read, normalised to the character vocabulary {@link #VOCAB} (printable ASCII, newline and a BOS),
 * cut into consecutive chunks of {@code n_ctx − 1} characters (so one chunk plus its BOS fills one training window),
 * shuffled with the data seed, and split into a held-out part (the first chunks) and a training part (the next).
 *
 * <p>Normalisation: CR LF and CR become LF, a tab becomes four spaces, and every other character outside the
 * vocabulary (non-ASCII letters, control characters) is dropped; how many were dropped is recorded.
 */
public final class TextCorpus {
    /** {@code <bos>}, newline, then the 95 printable ASCII characters (space … tilde). */
    public static final List<String> VOCAB;

    static {
        List<String> v = new ArrayList<>();
        v.add(TrainingTasks.BOS);
        v.add("\n");
        for (char c = ' '; c <= '~'; c++) {
            v.add(String.valueOf(c));
        }
        VOCAB = List.copyOf(v);
    }

    private TextCorpus() {
    }

    public static TokenizerSpec tokenizer() {
        return TokenizerSpec.chars(VOCAB, TrainingTasks.BOS);
    }

    /**
     * One source read from disk: its normalised text and where it came from.
     *
     * @param files the files read, in reading order
     * @param droppedChars characters dropped by the normalisation
     */
    public record Source(String name, List<Path> files, String text, long droppedChars) {
    }

    /**
     * Reads a source: each path is a file, or a folder whose regular files ending in {@code .ext} are read
     * (not recursively, sorted by name). Files are joined with a blank line.
     */
    public static Source read(String name, List<Path> paths, String ext) {
        if (paths == null || paths.isEmpty()) {
            throw new HeadLabException("the " + name + " corpus has no input files (give at least one --" + name + ")");
        }
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS))
                            .filter(f -> f.getFileName().toString().endsWith("." + ext))
                            .sorted().forEach(files::add);
                } catch (IOException e) {
                    throw new HeadLabException("cannot list " + name + " folder " + p + ": " + AtomicFiles.describe(e),
                            e);
                }
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                throw new HeadLabException("the " + name + " input " + p + " is neither a file nor a folder");
            }
        }
        StringBuilder sb = new StringBuilder();
        long dropped = 0;
        for (Path f : files) {
            String raw;
            try {
                raw = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new HeadLabException("cannot read " + f + ": " + AtomicFiles.describe(e), e);
            }
            if (sb.length() > 0) {
                sb.append("\n\n");
            }
            dropped += normalise(raw, sb);
        }
        if (sb.length() == 0) {
            throw new HeadLabException("the " + name + " corpus is empty: no text in " + paths
                    + (paths.stream().anyMatch(Files::isDirectory) ? " (folders are read for *." + ext + " files)"
                            : ""));
        }
        return new Source(name, List.copyOf(files), sb.toString(), dropped);
    }

    /** Appends {@code raw} normalised to {@link #VOCAB}; returns the number of characters dropped. */
    static long normalise(String raw, StringBuilder out) {
        long dropped = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\r') {
                out.append('\n');
                if (i + 1 < raw.length() && raw.charAt(i + 1) == '\n') {
                    i++;
                }
            } else if (c == '\t') {
                out.append("    ");
            } else if (c == '\n' || (c >= ' ' && c <= '~')) {
                out.append(c);
            } else {
                dropped++;
            }
        }
        return dropped;
    }

    /** Consecutive chunks of exactly {@code size} characters (the incomplete tail is left out). */
    public static List<String> chunks(String text, int size) {
        if (size < 1) {
            throw new HeadLabException("chunk size must be at least 1, got " + size);
        }
        List<String> out = new ArrayList<>(text.length() / size);
        for (int i = 0; i + size <= text.length(); i += size) {
            out.add(text.substring(i, i + size));
        }
        return out;
    }

    /** The held-out and training chunks of one source: shuffled from the seed, held-out first, then training. */
    public record Split(Source source, int chunkCount, List<String> train, List<String> heldout) {
    }

    public static Split split(Source source, int chunkSize, long seed, int trainCount, int heldoutCount) {
        return split(source, chunks(source.text(), chunkSize), chunkSize + " characters", seed, trainCount,
                heldoutCount);
    }

    /**
     * Splits ready-made consecutive chunks of {@code source} (e.g. cut at {@code n_ctx − 1} tokens).
     *
     * @param unit what one chunk is, for the error message ("127 tokens")
     */
    public static Split split(Source source, List<String> chunks, String unit, long seed, int trainCount,
            int heldoutCount) {
        if (trainCount < 1) {
            throw new HeadLabException("--train-size must be at least 1, got " + trainCount);
        }
        if (heldoutCount < 0) {
            throw new HeadLabException("--heldout-size must not be negative, got " + heldoutCount);
        }
        List<String> all = new ArrayList<>(chunks);
        if (all.size() < trainCount + heldoutCount) {
            throw new HeadLabException("the " + source.name() + " corpus has only " + all.size() + " chunks of "
                    + unit + ", fewer than --train-size + --heldout-size = " + (trainCount + heldoutCount));
        }
        int n = all.size();
        Collections.shuffle(all, new Random(seed ^ source.name().hashCode()));
        return new Split(source, n, List.copyOf(all.subList(heldoutCount, heldoutCount + trainCount)),
                List.copyOf(all.subList(0, heldoutCount)));
    }

    /**
     * Replaces a {@code fraction} of the chunks (chosen with {@code seed}) by a passage written several times over:
     * the chunk's first k tokens, k drawn uniformly from 4 to half the window, repeated as often as the window
     * holds. Copying from context is then the only way to predict the copies, and because k varies no fixed
     * position offset finds the earlier copy: the model must match content (an induction head), not positions.
     * The rest stay as they were.
     *
     * @param maxTokens the most tokens one chunk may have (n_ctx − 1)
     * @param prefix a chunk's first tokens, at most the given count, cut on a token boundary
     * @param length the number of tokens a text encodes to
     */
    public static List<String> withRepeats(List<String> chunks, double fraction, long seed, int maxTokens,
            java.util.function.BiFunction<String, Integer, String> prefix,
            java.util.function.ToIntFunction<String> length) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new HeadLabException("--repeat-fraction must be in 0..1, got " + fraction);
        }
        int longest = maxTokens / 2 - 1;
        if (fraction > 0 && longest < 4) {
            throw new HeadLabException("--repeat-fraction needs a context of at least 11 tokens");
        }
        List<String> out = new ArrayList<>(chunks);
        Random r = new Random(seed * 31 + 17);
        for (int i = 0; i < out.size(); i++) {
            if (r.nextDouble() < fraction) {
                int k = 4 + r.nextInt(longest - 4 + 1);
                String passage = prefix.apply(out.get(i), k);
                String doc = passage + passage;
                // more copies while they fit (joining two copies may merge or split a token at the seam)
                while (length.applyAsInt(doc + passage) <= maxTokens) {
                    doc = doc + passage;
                }
                if (length.applyAsInt(doc) <= maxTokens) {
                    out.set(i, doc);
                }
            }
        }
        return out;
    }

    /** run.json facts about one split source. */
    public static Map<String, Object> describe(Split s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("files", s.source().files().size());
        List<String> shown = new ArrayList<>();
        for (Path f : s.source().files()) {
            shown.add(f.toAbsolutePath().normalize().toString());
        }
        m.put("paths", shown.size() <= 5 ? shown : List.of(shown.get(0) + " … " + shown.get(shown.size() - 1)
                + " (" + shown.size() + " files)"));
        m.put("chars_after_normalising", s.source().text().length());
        m.put("dropped_chars", s.source().droppedChars());
        m.put("chunks_available", s.chunkCount());
        m.put("train_chunks", s.train().size());
        m.put("heldout_chunks", s.heldout().size());
        return m;
    }
}
