package org.headlab.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.headlab.core.AtomicFiles;
import org.headlab.core.Json;

/**
 * Reads .safetensors files: an 8-byte little-endian header length N, N bytes of JSON mapping each tensor name to
 * {@code {dtype, shape, data_offsets}}, then the raw little-endian data. The format is pure data: nothing in it is
 * ever unpickled, evaluated or executed, which is why HeadLab accepts it (and not PyTorch's pickled .pt files).
 *
 * <p>The header is validated as strictly as the reference Rust implementation does: every tensor's byte range must
 * match its shape and dtype, and the ranges, sorted, must tile the data section exactly with no gap, overlap or
 * trailing bytes. Tensors are read with positional reads of just their own bytes; F16, BF16 and F64 are converted
 * to float32 in Java (DJL aborts the JVM on BF16, see stack.md).
 */
public final class SafetensorsReader {
    /** The reference implementation's limit; a bigger header is a corrupt length, not a real index. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final String METADATA_KEY = "__metadata__";
    private static final int CHUNK_BYTES = 1 << 20;

    private SafetensorsReader() {
    }

    /** Reads and validates only the header; the data section is never touched. */
    public static SafetensorsHeader readHeader(Path file) {
        try (FileChannel channel = open(file)) {
            return readHeader(file, channel);
        } catch (IOException e) {
            throw ioError(file, e);
        }
    }

    /** Every readable tensor of the file, in data order. */
    public static Map<String, HostTensor> readAll(Path file) {
        return read(file, readHeader(file).tensors().keySet());
    }

    /** The named tensors, in the order asked for; reads only their bytes. */
    public static Map<String, HostTensor> read(Path file, Collection<String> names) {
        try (FileChannel channel = open(file)) {
            return readTensors(readHeader(file, channel), names, channel);
        } catch (IOException e) {
            throw ioError(file, e);
        }
    }

    /** The named tensors of a file whose header was already read (as Run does when it opens); reads only data. */
    public static Map<String, HostTensor> read(SafetensorsHeader header, Collection<String> names) {
        try (FileChannel channel = open(header.file())) {
            return readTensors(header, names, channel);
        } catch (IOException e) {
            throw ioError(header.file(), e);
        }
    }

    private static Map<String, HostTensor> readTensors(SafetensorsHeader header, Collection<String> names,
            FileChannel channel) throws IOException {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (String name : names) {
            SafetensorsHeader.Entry entry = header.entry(name).orElseThrow(() -> noSuchTensor(header, name));
            out.put(name, readTensor(header, entry, channel));
        }
        return out;
    }

    // ---- header -------------------------------------------------------------------------------------------------

    private static SafetensorsHeader readHeader(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < 8) {
            throw error(file, "file has " + fileSize + " bytes, expected at least 8 (the header length)");
        }
        long headerLength = readFully(file, channel, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
            throw error(file, "header length " + Long.toUnsignedString(headerLength) + " is over the "
                    + MAX_HEADER_BYTES + "-byte limit (not a safetensors file, or a corrupt one)");
        }
        if (8 + headerLength > fileSize) {
            throw error(file, "header length " + headerLength + " runs past the end of the file ("
                    + fileSize + " bytes)");
        }
        ByteBuffer headerBytes = readFully(file, channel, 8, (int) headerLength);
        JsonNode root = parseJson(file, headerBytes);
        return parseHeader(file, root, 8 + headerLength, fileSize - 8 - headerLength);
    }

    private static JsonNode parseJson(Path file, ByteBuffer bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw error(file, "header is not valid UTF-8 JSON");
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(text);
        } catch (IOException e) {
            throw error(file, "header is not valid JSON (" + Json.describe(e) + ")");
        }
        if (root == null || !root.isObject()) {
            throw error(file, "header must be a JSON object mapping tensor names to {dtype, shape, data_offsets}");
        }
        return root;
    }

    private static SafetensorsHeader parseHeader(Path file, JsonNode root, long dataStart, long dataLength) {
        List<SafetensorsHeader.Entry> entries = new ArrayList<>();
        Map<String, String> metadata = Map.of();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals(METADATA_KEY)) {
                metadata = parseMetadata(file, field.getValue());
            } else {
                entries.add(parseEntry(file, field.getKey(), field.getValue(), dataLength));
            }
        }
        entries.sort(Comparator.comparingLong(SafetensorsHeader.Entry::begin)
                .thenComparingLong(SafetensorsHeader.Entry::end));
        checkCoverage(file, entries, dataLength);
        Map<String, SafetensorsHeader.Entry> byName = new LinkedHashMap<>();
        entries.forEach(e -> byName.put(e.name(), e));
        return new SafetensorsHeader(file, dataStart, dataLength, byName, metadata);
    }

    private static Map<String, String> parseMetadata(Path file, JsonNode node) {
        if (!node.isObject()) {
            throw error(file, METADATA_KEY + " must be an object of string values");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!field.getValue().isTextual()) {
                throw error(file, METADATA_KEY + " value of '" + field.getKey() + "' must be a string, found "
                        + field.getValue().getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
            }
            metadata.put(field.getKey(), field.getValue().textValue());
        }
        return metadata;
    }

    private static SafetensorsHeader.Entry parseEntry(Path file, String name, JsonNode node, long dataLength) {
        if (!node.isObject()) {
            throw error(file, name, "entry must be an object with dtype, shape and data_offsets");
        }
        SafetensorsDtype dtype = parseDtype(file, name, node.get("dtype"));
        int[] shape = parseShape(file, name, node.get("shape"));
        long[] offsets = parseOffsets(file, name, node.get("data_offsets"));
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin) {
            throw error(file, name, "data_offsets [" + begin + ", " + end + "] are reversed (expected begin <= end)");
        }
        if (end > dataLength) {
            throw error(file, name, "data_offsets [" + begin + ", " + end + "] run past the data section ("
                    + dataLength + " bytes)");
        }
        long expectedBytes = expectedBytes(file, name, dtype, shape);
        if (end - begin != expectedBytes) {
            throw error(file, name, "shape " + Arrays.toString(shape) + " of " + dtype + " needs " + expectedBytes
                    + " bytes but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        }
        return new SafetensorsHeader.Entry(name, dtype, shape, begin, end);
    }

    private static SafetensorsDtype parseDtype(Path file, String name, JsonNode node) {
        if (node == null) {
            throw error(file, name, "entry has no dtype");
        }
        if (!node.isTextual()) {
            throw error(file, name, "dtype must be a string, one of " + SafetensorsDtype.known());
        }
        return SafetensorsDtype.parse(node.textValue()).orElseThrow(() -> error(file, name,
                "unknown dtype '" + node.textValue() + "' (expected one of " + SafetensorsDtype.known() + ")"));
    }

    private static int[] parseShape(Path file, String name, JsonNode node) {
        if (node == null) {
            throw error(file, name, "entry has no shape");
        }
        if (!node.isArray()) {
            throw error(file, name, "shape must be a list of non-negative integers");
        }
        int[] shape = new int[node.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = node.get(i);
            if (!d.isIntegralNumber()) {
                throw error(file, name, "shape " + node + " must be a list of non-negative integers");
            }
            if (d.bigIntegerValue().signum() < 0) {
                throw error(file, name, "shape " + node + " has a negative dimension");
            }
            if (!d.canConvertToInt()) {
                throw error(file, name, "shape " + node + " has a dimension over " + Integer.MAX_VALUE);
            }
            shape[i] = d.intValue();
        }
        return shape;
    }

    private static long[] parseOffsets(Path file, String name, JsonNode node) {
        if (node == null) {
            throw error(file, name, "entry has no data_offsets");
        }
        if (!node.isArray() || node.size() != 2 || !node.get(0).isIntegralNumber()
                || !node.get(1).isIntegralNumber()) {
            throw error(file, name, "data_offsets must be [begin, end], two non-negative integers");
        }
        long[] offsets = new long[2];
        for (int i = 0; i < 2; i++) {
            JsonNode o = node.get(i);
            if (o.bigIntegerValue().signum() < 0 || !o.canConvertToLong()) {
                throw error(file, name, "data_offsets " + node + " must be non-negative and below 2^63");
            }
            offsets[i] = o.longValue();
        }
        return offsets;
    }

    private static long expectedBytes(Path file, String name, SafetensorsDtype dtype, int[] shape) {
        try {
            long n = dtype.bytes();
            for (int d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        } catch (ArithmeticException e) {
            throw error(file, name, "shape " + Arrays.toString(shape) + " is too large to address");
        }
    }

    /** Like the reference implementation: sorted by offset, the ranges must tile [0, dataLength) exactly. */
    private static void checkCoverage(Path file, List<SafetensorsHeader.Entry> sorted, long dataLength) {
        long covered = 0;
        SafetensorsHeader.Entry previous = null;
        for (SafetensorsHeader.Entry e : sorted) {
            if (e.begin() < covered) {
                throw error(file, e.name(), "data_offsets [" + e.begin() + ", " + e.end() + "] overlap tensor '"
                        + previous.name() + "' [" + previous.begin() + ", " + previous.end() + "]");
            }
            if (e.begin() > covered) {
                throw error(file, e.name(), "data_offsets [" + e.begin() + ", " + e.end() + "] leave bytes "
                        + covered + ".." + e.begin() + " of the data section unused (expected contiguous tensors)");
            }
            covered = e.end();
            previous = e;
        }
        if (covered != dataLength) {
            throw error(file, "data section has " + dataLength + " bytes but the tensors cover only " + covered
                    + " (expected the tensors to fill it exactly)");
        }
    }

    // ---- data ---------------------------------------------------------------------------------------------------

    private static HostTensor readTensor(SafetensorsHeader header, SafetensorsHeader.Entry entry,
            FileChannel channel) throws IOException {
        Path file = header.file();
        if (!entry.dtype().readableAsFloat()) {
            throw error(file, entry.name(), "dtype " + entry.dtype() + " cannot be read as weights (expected one of "
                    + SafetensorsDtype.readable() + ")");
        }
        if (entry.numel() > Integer.MAX_VALUE - 8) {
            throw error(file, entry.name(), "has " + entry.numel() + " elements, more than a Java array holds");
        }
        float[] values = new float[(int) entry.numel()];
        int elementBytes = entry.dtype().bytes();
        int chunkElements = Math.max(1, CHUNK_BYTES / elementBytes);
        long position = header.dataStart() + entry.begin();
        for (int done = 0; done < values.length; done += chunkElements) {
            int count = Math.min(chunkElements, values.length - done);
            ByteBuffer bytes = readFully(file, channel, position + (long) done * elementBytes, count * elementBytes);
            decode(entry.dtype(), bytes.order(ByteOrder.LITTLE_ENDIAN), values, done, count);
        }
        return new HostTensor(entry.shape(), values);
    }

    private static void decode(SafetensorsDtype dtype, ByteBuffer in, float[] out, int from, int count) {
        switch (dtype) {
            case F32 -> in.asFloatBuffer().get(out, from, count);
            case F64 -> {
                for (int i = 0; i < count; i++) {
                    out[from + i] = (float) in.getDouble();
                }
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    out[from + i] = bfloat16ToFloat(in.getShort());
                }
            }
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    out[from + i] = float16ToFloat(in.getShort());
                }
            }
            default -> throw new IllegalStateException("not a float dtype: " + dtype);
        }
    }

    /** bfloat16 is the top half of a float32, so widening is exact. */
    public static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * IEEE 754 binary16 to float32, exact for every input: normals re-bias the exponent (15 to 127), subnormals
     * are mantissa × 2^-24, infinities and NaNs keep their sign and payload. (Java 17 has no Float.float16ToFloat.)
     */
    public static float float16ToFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F80_0000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static FileChannel open(Path file) {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw error(file, "file does not exist");
        } catch (IOException e) {
            throw ioError(file, e);
        }
    }

    private static ByteBuffer readFully(Path file, FileChannel channel, long position, int length)
            throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw error(file, "file ended at byte " + (position + buffer.position()) + " while reading "
                        + length + " bytes from " + position + " (was it truncated after it was opened?)");
            }
        }
        return buffer.flip();
    }

    private static SafetensorsException noSuchTensor(SafetensorsHeader header, String name) {
        String available = header.tensors().keySet().stream().limit(12).collect(Collectors.joining(", "));
        int more = header.tensors().size() - 12;
        return error(header.file(), name, "no such tensor (the file has " + available
                + (more > 0 ? " and " + more + " more" : "") + ")");
    }

    private static SafetensorsException ioError(Path file, IOException e) {
        return new SafetensorsException(file + ": cannot read: " + AtomicFiles.describe(e), e);
    }

    static SafetensorsException error(Path file, String message) {
        return new SafetensorsException(file + ": " + message);
    }

    static SafetensorsException error(Path file, String tensor, String message) {
        return new SafetensorsException(file + ": tensor '" + tensor + "': " + message);
    }

}
