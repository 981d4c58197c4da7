package org.headlab.core.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.headlab.core.AtomicFiles;
import org.headlab.core.Json;

/**
 * Writes float tensors as a .safetensors file that PyTorch's {@code safetensors.torch.load_file} and
 * {@link SafetensorsReader} both read, stored as F32 or (half the bytes) F16, rounded to nearest-even as
 * {@code torch.Tensor.half()} does. Tensors are laid out in the map's iteration order. The file appears at its final
 * name only when complete (see {@link AtomicFiles}).
 */
public final class SafetensorsWriter {
    private static final int CHUNK_FLOATS = 1 << 16;

    private SafetensorsWriter() {
    }

    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata) {
        write(file, tensors, metadata, SafetensorsDtype.F32);
    }

    /** Writes every tensor as {@code dtype}: F32, or F16 (values beyond ±65504 become infinities, as in PyTorch). */
    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata,
            SafetensorsDtype dtype) {
        if (dtype != SafetensorsDtype.F32 && dtype != SafetensorsDtype.F16) {
            throw new IllegalArgumentException("can write F32 or F16 tensors, not " + dtype);
        }
        byte[] header = header(file, tensors, metadata, dtype);
        AtomicFiles.write(file, out -> {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            out.write(length.array());
            out.write(header);
            for (HostTensor t : tensors.values()) {
                writeData(out, t.data(), dtype);
            }
        });
    }

    /**
     * float32 to IEEE 754 binary16, rounded to nearest with ties to even; overflow gives an infinity, NaN stays NaN.
     * The exact inverse of {@link SafetensorsReader#float16ToFloat} on every half value. (Java 17 has no
     * Float.floatToFloat16.)
     */
    public static short floatToFloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xFF;
        int mantissa = bits & 0x7F_FFFF;
        if (exponent == 0xFF) {
            return (short) (sign | 0x7C00 | (mantissa == 0 ? 0 : 0x200 | (mantissa >>> 13)));
        }
        int e = exponent - 127 + 15; // the half's biased exponent
        if (e >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        int kept;
        int shift;
        if (e > 0) { // normal: drop 13 mantissa bits; a carry may step into the exponent (or to infinity), as it should
            kept = (e << 10) | (mantissa >>> 13);
            shift = 13;
        } else if (e >= -10) { // subnormal half: the implicit bit joins the mantissa, shifted down
            mantissa |= 0x80_0000;
            shift = 14 - e;
            kept = mantissa >>> shift;
        } else { // below half the smallest subnormal: zero
            return (short) sign;
        }
        int rest = mantissa & ((1 << shift) - 1);
        int halfway = 1 << (shift - 1);
        if (rest > halfway || (rest == halfway && (kept & 1) != 0)) {
            kept++;
        }
        return (short) (sign | kept);
    }

    /** The JSON index, padded with spaces so that the data section starts 8-byte aligned (as the Rust writer does). */
    private static byte[] header(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata,
            SafetensorsDtype dtype) {
        ObjectNode root = Json.mapper().createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            checkName(file, e.getKey());
            long bytes = (long) e.getValue().size() * dtype.bytes();
            ObjectNode entry = root.putObject(e.getKey());
            entry.put("dtype", dtype.name());
            ArrayNode shape = entry.putArray("shape");
            Arrays.stream(e.getValue().shape()).forEach(shape::add);
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json;
        try {
            json = Json.mapper().writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static void checkName(Path file, String name) {
        if (name == null || name.isEmpty() || name.equals("__metadata__")) {
            throw new SafetensorsException(file + ": cannot write a tensor named '" + name
                    + "' (names must be non-empty and not __metadata__)");
        }
    }

    private static void writeData(OutputStream out, float[] data, SafetensorsDtype dtype) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(Math.min(data.length, CHUNK_FLOATS) * dtype.bytes())
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int from = 0; from < data.length; from += CHUNK_FLOATS) {
            int count = Math.min(CHUNK_FLOATS, data.length - from);
            buffer.clear();
            if (dtype == SafetensorsDtype.F32) {
                buffer.asFloatBuffer().put(data, from, count);
            } else {
                for (int i = 0; i < count; i++) {
                    buffer.putShort(floatToFloat16(data[from + i]));
                }
            }
            out.write(buffer.array(), 0, count * dtype.bytes());
        }
    }
}
