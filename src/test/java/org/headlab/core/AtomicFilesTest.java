package org.headlab.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An atomic replace keeps the replaced file's permissions; a new file is rw-r--r--, not the temp file's rw-------. */
class AtomicFilesTest {
    @TempDir
    Path tmp;

    static void write(Path f, String text) {
        AtomicFiles.write(f, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void permissionsSurviveAReplace() throws Exception {
        Assumptions.assumeTrue(Files.getFileStore(tmp).supportsFileAttributeView("posix"));
        Path f = tmp.resolve("labels.json");
        write(f, "{}");
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-r--"));
        write(f, "{\"labels\": []}");
        assertEquals("rw-rw-r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals("{\"labels\": []}", Files.readString(f));
    }
}
