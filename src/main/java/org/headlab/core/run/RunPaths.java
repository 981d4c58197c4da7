package org.headlab.core.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.headlab.core.AtomicFiles;
import org.headlab.core.HeadLabException;

/**
 * Resolves the relative paths written in run.json. A run folder comes from someone else (a download, a colleague):
 * none of its paths may reach outside it, whether by {@code ..}, by an absolute path, or through a symbolic link,
 * so opening a run can never read (or later overwrite) an unrelated file.
 */
final class RunPaths {
    private final Path realDir;
    private final Path manifest;

    /** @param realDir the run folder as a real path (symbolic links resolved) */
    RunPaths(Path realDir, Path manifest) {
        this.realDir = realDir;
        this.manifest = manifest;
    }

    /** The file {@code relative} names, which must exist, be a regular file and lie inside the run folder. */
    Path existingFile(String field, String relative) {
        Path resolved = inside(field, relative);
        if (!Files.exists(resolved, LinkOption.NOFOLLOW_LINKS)) {
            throw fail(field, relative, "does not exist");
        }
        Path real;
        try {
            real = resolved.toRealPath();
        } catch (IOException e) {
            throw fail(field, relative, "cannot be resolved (" + AtomicFiles.describe(e) + ")");
        }
        if (!real.startsWith(realDir)) {
            throw fail(field, relative, "leads outside the run folder through a symbolic link (to " + real + ")");
        }
        if (!Files.isRegularFile(real)) {
            throw fail(field, relative, "is not a regular file");
        }
        return resolved;
    }

    /** Lexical checks only: relative, no {@code ..}; returns the path under the run folder. */
    Path inside(String field, String relative) {
        Path path;
        try {
            path = Path.of(relative);
        } catch (InvalidPathException e) {
            throw fail(field, relative, "is not a valid path (" + e.getReason() + ")");
        }
        if (relative.isBlank()) {
            throw fail(field, relative, "is empty");
        }
        if (path.isAbsolute() || path.getRoot() != null) {
            throw fail(field, relative, "is absolute; paths in run.json must be relative to the run folder");
        }
        for (Path part : path) {
            if (part.toString().equals("..")) {
                throw fail(field, relative, "uses '..'; paths in run.json must stay inside the run folder");
            }
        }
        return realDir.resolve(path).normalize();
    }

    private HeadLabException fail(String field, String relative, String problem) {
        return new HeadLabException(manifest + ": " + field + " '" + relative + "' " + problem);
    }
}
