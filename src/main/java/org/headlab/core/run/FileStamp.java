package org.headlab.core.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import org.headlab.core.HeadLabException;
import org.headlab.core.AtomicFiles;

/**
 * What a file was when a run was opened: its size, modification time and identity (inode). A checkpoint replaced or
 * rewritten while the run is open changes at least one of them, and HeadLab then refuses to read it rather than mix
 * the new weights with the old file's header, hash and stored results.
 */
public record FileStamp(long size, FileTime modified, Object fileKey) {

    public static FileStamp of(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new FileStamp(a.size(), a.lastModifiedTime(), a.fileKey());
        } catch (IOException e) {
            throw new HeadLabException("cannot read " + file + ": " + AtomicFiles.describe(e), e);
        }
    }

    /** Throws, naming the file and what changed, unless {@code file} is still what this stamp saw. */
    public void requireUnchanged(Path file) {
        java.util.Optional<String> change = change(file);
        if (change.isPresent()) {
            throw new HeadLabException(change.get() + ": reopen the run, so that results stay attached to the weights"
                    + " they were computed from");
        }
    }

    /** How {@code file} differs from what this stamp saw ("PATH changed on disk since …"), or empty. */
    public java.util.Optional<String> change(Path file) {
        FileStamp now;
        try {
            now = of(file);
        } catch (HeadLabException e) {
            return java.util.Optional.of(file + " is gone or unreadable since the run was opened");
        }
        if (now.size != size || !now.modified.equals(modified) || !Objects.equals(now.fileKey, fileKey)) {
            return java.util.Optional.of(file + " changed on disk since the run was opened (it was " + size
                    + " bytes, modified " + modified + "; now " + now.size + " bytes, modified " + now.modified + ")");
        }
        return java.util.Optional.empty();
    }
}
