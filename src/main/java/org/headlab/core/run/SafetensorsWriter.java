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
 * Writes float32 tensors as a .safetensors file that PyTorch's {@code safetensors.torch.load_file} and
 * {@link SafetensorsReader} both read. Tensors are laid out in the map's iteration order. The file appears at its
 * final name only when complete (see {@link AtomicFiles}).
 */
public final class SafetensorsWriter {
    private static final int CHUNK_FLOATS = 1 << 16;

    private SafetensorsWriter() {
    }

    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata) {
        byte[] header = header(file, tensors, metadata);
        AtomicFiles.write(file, out -> {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            out.write(length.array());
            out.write(header);
            for (HostTensor t : tensors.values()) {
                writeFloats(out, t.data());
            }
        });
    }

    /** The JSON index, padded with spaces so that the data section starts 8-byte aligned (as the Rust writer does). */
    private static byte[] header(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata) {
        ObjectNode root = Json.mapper().createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            checkName(file, e.getKey());
            long bytes = (long) e.getValue().size() * Float.BYTES;
            ObjectNode entry = root.putObject(e.getKey());
            entry.put("dtype", SafetensorsDtype.F32.name());
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

    private static void writeFloats(OutputStream out, float[] data) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(Math.min(data.length, CHUNK_FLOATS) * Float.BYTES)
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int from = 0; from < data.length; from += CHUNK_FLOATS) {
            int count = Math.min(CHUNK_FLOATS, data.length - from);
            buffer.clear();
            buffer.asFloatBuffer().put(data, from, count);
            out.write(buffer.array(), 0, count * Float.BYTES);
        }
    }

}
