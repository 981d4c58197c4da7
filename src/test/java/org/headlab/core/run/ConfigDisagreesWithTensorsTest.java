package org.headlab.core.run;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.headlab.core.HeadLabException;
import org.headlab.core.Json;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run.json whose model disagrees with its checkpoints names the config field, not only the tensor (issue 19). */
class ConfigDisagreesWithTensorsTest {
    @TempDir
    Path tmp;

    @Test
    void theMessageNamesTheFieldThatDisagrees() throws Exception {
        Path run = FixtureRuns.brackets(tmp, "r");
        ObjectNode manifest = (ObjectNode) Json.mapper().readTree(run.resolve("run.json").toFile());
        ((ObjectNode) manifest.get("model")).put("d_head", 8);
        Files.writeString(run.resolve("run.json"), Json.mapper().writeValueAsString(manifest));
        HeadLabException e = assertThrows(HeadLabException.class, () -> Run.open(run));
        assertTrue(e.getMessage().contains("the config's d_head is 8, the tensor's 4"), e.getMessage());
    }
}
