package org.headlab.core.run;

import java.nio.file.Path;

/**
 * One checkpoint of an opened run: its training step, its file, and the file's validated tensor index. Holding a
 * CheckpointRef costs only the header; the weights are loaded through {@link Run#weights(int)}.
 *
 * @param file the path as written in run.json, relative to the run folder
 * @param path the resolved file, inside the run folder
 */
public record CheckpointRef(int step, String file, Path path, SafetensorsHeader header) {
}
