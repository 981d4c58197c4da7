package org.headlab.core.run;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The dtypes of the safetensors format that have a whole number of bytes per element. Every one can appear in a
 * header (TransformerLens saves a BOOL attention mask next to the weights); only the floating ones can be read
 * into a {@link HostTensor}.
 */
public enum SafetensorsDtype {
    BOOL(1, false), U8(1, false), I8(1, false), F8_E5M2(1, false), F8_E4M3(1, false),
    I16(2, false), U16(2, false), F16(2, true), BF16(2, true),
    I32(4, false), U32(4, false), F32(4, true),
    I64(8, false), U64(8, false), F64(8, true);

    private final int bytes;
    private final boolean readable;

    SafetensorsDtype(int bytes, boolean readable) {
        this.bytes = bytes;
        this.readable = readable;
    }

    public int bytes() {
        return bytes;
    }

    /** Whether {@link SafetensorsReader} can turn this dtype into float32. */
    public boolean readableAsFloat() {
        return readable;
    }

    public static Optional<SafetensorsDtype> parse(String name) {
        return Arrays.stream(values()).filter(d -> d.name().equals(name)).findFirst();
    }

    static String known() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }

    static String readable() {
        return Arrays.stream(values()).filter(d -> d.readable).map(Enum::name).collect(Collectors.joining(", "));
    }
}
