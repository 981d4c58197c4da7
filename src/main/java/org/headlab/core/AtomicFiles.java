package org.headlab.core;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replacing a file so that a reader (or a crash) only ever sees the old file or the complete new one: write to a
 * hidden temp file in the same folder, flush it to disk, then rename it over the target.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** What writes the content; it may throw IOException, AtomicFiles turns that into a one-line error. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    public static void write(Path target, Content content) {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = null;
        try {
            temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
                content.writeTo(out);
                out.flush();
                channel.force(true); // the rename must not reach the disk before the bytes do
            }
            keepPermissions(temp, target);
            moveIntoPlace(temp, target);
            temp = null;
        } catch (IOException e) {
            throw new HeadLabException("cannot write " + target + ": " + describe(e), e);
        } finally {
            deleteQuietly(temp);
        }
    }

    /**
     * The replaced file's permissions on its replacement; a new file gets rw-r--r-- (what a plain write under the usual
     * umask gives) instead of the temp file's owner-only rw-------.
     */
    private static void keepPermissions(Path temp, Path target) throws IOException {
        if (!Files.getFileStore(temp).supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)) {
            return;
        }
        java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = Files.exists(target)
                ? Files.getPosixFilePermissions(target)
                : java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(temp, perms);
    }

    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            // some file systems (SMB, some FUSE mounts) cannot rename atomically; a plain replace is the best left
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path temp) {
        if (temp == null) {
            return;
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // the original failure is what the user needs to see; a stray temp file is harmless and hidden
        }
    }

    /** An IOException as a short phrase: the JDK's messages for file errors are often just the path. */
    public static String describe(IOException e) {
        String kind = switch (e.getClass().getSimpleName()) {
            case "NoSuchFileException" -> "no such file or folder";
            case "AccessDeniedException" -> "permission denied";
            case "FileAlreadyExistsException" -> "already exists";
            case "DirectoryNotEmptyException" -> "folder not empty";
            case "NotDirectoryException" -> "not a folder";
            case "FileSystemException" -> ((java.nio.file.FileSystemException) e).getReason();
            default -> e.getMessage();
        };
        if (kind == null) {
            kind = e.getClass().getSimpleName();
        }
        return e instanceof java.nio.file.FileSystemException fs && fs.getFile() != null
                && !kind.contains(fs.getFile()) ? kind + " (" + fs.getFile() + ")" : kind;
    }

    /**
     * Deletes a folder and everything in it, best effort, without following a link out of it: for temporary folders
     * that an error path or a finished job leaves (a leftover is harmless; the caller reports what matters).
     */
    public static void deleteTree(Path root) {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort, as documented
                }
            });
        } catch (IOException ignored) {
            // as above
        }
    }
}
