package org.headlab.core.importer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.headlab.core.HeadLabException;

/** Reading fields of a foreign config file, each failure one line naming the file and the field. */
final class ImportConfigs {
    private ImportConfigs() {
    }

    static int integer(JsonNode c, Path file, String field) {
        JsonNode n = c.get(field);
        if (n == null || n.isNull()) {
            throw new HeadLabException(file + ": field " + field + " is missing");
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() <= 0) {
            throw new HeadLabException(file + ": field " + field + " must be a positive integer, not " + n);
        }
        return n.asInt();
    }
}
