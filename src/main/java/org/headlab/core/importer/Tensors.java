package org.headlab.core.importer;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.headlab.core.HeadLabException;
import org.headlab.core.run.HostTensor;

/**
 * One checkpoint file's tensors, taken by name with their shapes checked, so that a missing tensor, one of the wrong
 * shape and one nothing took are each one line naming the file and the tensor.
 */
final class Tensors {
    private final Map<String, HostTensor> tensors;
    private final Path file;
    private final Set<String> taken = new HashSet<>();

    Tensors(Map<String, HostTensor> tensors, Path file) {
        this.tensors = tensors;
        this.file = file;
    }

    HostTensor take(String name, int... shape) {
        HostTensor t = tensors.get(name);
        if (t == null) {
            throw new HeadLabException(file + ": tensor " + name + " is missing (expected shape "
                    + Arrays.toString(shape) + ")");
        }
        if (!t.sameShape(shape)) {
            throw new HeadLabException(file + ": tensor " + name + " has shape " + Arrays.toString(t.shape())
                    + ", the config implies " + Arrays.toString(shape));
        }
        taken.add(name);
        return t;
    }

    /** A tensor that may be there and is not a parameter (a buffer). */
    void skip(String name) {
        taken.add(name);
    }

    void requireAllTaken() {
        Set<String> left = new TreeSet<>(tensors.keySet());
        left.removeAll(taken);
        if (!left.isEmpty()) {
            throw new HeadLabException(file + ": tensor " + left.iterator().next() + " is not a parameter of the"
                    + " model its config describes" + (left.size() > 1 ? " (and " + (left.size() - 1) + " more)"
                    : ""));
        }
    }
}
