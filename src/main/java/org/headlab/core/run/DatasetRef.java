package org.headlab.core.run;

import java.nio.file.Path;

/**
 * A named slice of data of a run ("train", "heldout", "code", ...), not yet read.
 *
 * @param file the path as written in run.json, relative to the run folder
 * @param path the resolved file, inside the run folder
 * @param description what the slice is, or null
 */
public record DatasetRef(String name, String file, Path path, String description) {
}
