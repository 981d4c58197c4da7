package org.headlab.core.run;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * The index of a .safetensors file: where each tensor's bytes lie, with nothing of the data read.
 *
 * @param dataStart absolute file offset of the data section (8 + header length)
 * @param dataLength bytes in the data section, exactly covered by the tensors
 * @param tensors by name, in the order of their data offsets
 * @param metadata the free-form {@code __metadata__} strings (empty when absent)
 */
public record SafetensorsHeader(Path file, long dataStart, long dataLength, Map<String, Entry> tensors,
        Map<String, String> metadata) {

    public SafetensorsHeader {
        tensors = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tensors));
        metadata = Map.copyOf(metadata);
    }

    /**
     * One tensor's place in the file.
     *
     * @param begin offset of the first byte, relative to {@code dataStart}
     * @param end offset one past the last byte, relative to {@code dataStart}
     */
    public record Entry(String name, SafetensorsDtype dtype, int[] shape, long begin, long end) {
        public Entry {
            shape = shape.clone();
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        public long numel() {
            return HostTensor.numel(shape);
        }

        public long byteLength() {
            return end - begin;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && name.equals(e.name) && dtype == e.dtype && Arrays.equals(shape, e.shape)
                    && begin == e.begin && end == e.end;
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + Arrays.hashCode(shape);
        }

        @Override
        public String toString() {
            return name + " " + dtype + Arrays.toString(shape) + " @" + begin + ".." + end;
        }
    }

    public Optional<Entry> entry(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /** The bytes the data section would need if every readable tensor were float32: a size estimate for caches. */
    public long float32Bytes() {
        return tensors.values().stream().mapToLong(e -> e.numel() * Float.BYTES).sum();
    }
}
