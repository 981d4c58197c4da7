package org.headlab.core.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.headlab.core.HeadLabException;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint replaced while its run is open (issue 19): weights already read stay as they were, and a read of the
 * replaced file (its weights or its hash) is refused with its path, instead of decoding the new file with the old
 * header or storing results under a hash of different weights.
 */
class CheckpointReplacedTest {
    @TempDir
    Path tmp;

    @Test
    void aReplacedCheckpointIsRefusedAndWhatWasReadStays() throws Exception {
        Path dir = FixtureRuns.brackets(tmp, "run");
        Run run = Run.open(dir);
        float[] before = run.weights(100).get("blocks.0.attn.W_Q").data().clone();
        String hash100 = run.contentHash(100);
        Path zero = run.checkpoint(0).path();
        // replaced the way a training script saves: a new file moved over the old one
        Path fresh = tmp.resolve("fresh.safetensors");
        Files.copy(run.checkpoint(10).path(), fresh);
        Files.move(fresh, zero, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.copy(zero, run.checkpoint(100).path(), StandardCopyOption.REPLACE_EXISTING);

        HeadLabException weights = assertThrows(HeadLabException.class, () -> run.weights(0));
        assertTrue(weights.getMessage().startsWith(zero + " changed on disk since the run was opened"),
                weights.getMessage());
        HeadLabException hash = assertThrows(HeadLabException.class, () -> run.contentHash(0));
        assertTrue(hash.getMessage().contains("reopen the run"), hash.getMessage());

        // read before the change: the same weights and hash as then
        assertArrayEquals(before, run.weights(100).get("blocks.0.attn.W_Q").data());
        assertEquals(hash100, run.contentHash(100));

        // reopened, the run reads the files as they are now
        Run again = Run.open(dir);
        assertArrayEquals(again.weights(10).get("blocks.0.attn.W_Q").data(),
                again.weights(0).get("blocks.0.attn.W_Q").data());
    }

    @Test
    void aCheckpointRewrittenInPlaceIsRefusedToo() throws Exception {
        Path dir = FixtureRuns.brackets(tmp, "run");
        Run run = Run.open(dir);
        Path zero = run.checkpoint(0).path();
        byte[] bytes = Files.readAllBytes(zero);
        bytes[bytes.length - 1] ^= 1;
        Files.write(zero, bytes); // same file, same size, new content and modification time
        Files.setLastModifiedTime(zero, java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(zero).toMillis() + 2000));
        assertThrows(HeadLabException.class, () -> run.weights(0));
    }
}
