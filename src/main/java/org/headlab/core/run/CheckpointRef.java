package org.headlab.core.run;

import java.nio.file.Path;

/**
 * One checkpoint of an opened run: its training step, its file, and the file's validated tensor index. Holding a
 * CheckpointRef costs only the header; the weights are loaded through {@link Run#weights(int)}.
 *
 * @param file the path as written in run.json, relative to the run folder
 * @param path the resolved file, inside the run folder
 * @param stamp the file as it was when its header was read; every later read checks it is still that file
 */
public record CheckpointRef(int step, String file, Path path, SafetensorsHeader header, FileStamp stamp) {

    /** Throws, naming the file, when it was replaced or rewritten since the run was opened. */
    public void requireUnchanged() {
        stamp.requireUnchanged(path);
    }
}
