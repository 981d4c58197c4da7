package org.headlab.core.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SafetensorsWriter output read back by SafetensorsReader, compared bit for bit with what was written. */
class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void everyFloatBitPatternSurvivesIncludingNaNPayloadsSignedZeroInfinityAndSubnormals() {
        float[] special = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
            Float.intBitsToFloat(0x7FC00001), Float.intBitsToFloat(0xFF800123), Float.MIN_VALUE, -Float.MIN_VALUE,
            Float.MIN_NORMAL, Float.MAX_VALUE, 1f / 3, -1e-40f, 12345.678f};
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        tensors.put("special", new HostTensor(new int[] {2, 7}, special));
        tensors.put("scalar", new HostTensor(new int[0], new float[] {42f}));
        tensors.put("empty", new HostTensor(new int[] {0, 3}, new float[0]));
        tensors.put("big", new HostTensor(new int[] {300, 500}, ramp(150_000))); // more than one write chunk
        Path file = dir.resolve("rt.safetensors");

        SafetensorsWriter.write(file, tensors, Map.of("format", "pt", "step", "7"));
        Map<String, HostTensor> back = SafetensorsReader.readAll(file);

        assertEquals(Map.of("format", "pt", "step", "7"), SafetensorsReader.readHeader(file).metadata());
        assertEquals(tensors.keySet(), back.keySet());
        for (String name : tensors.keySet()) {
            assertArrayEquals(tensors.get(name).shape(), back.get(name).shape(), name);
            assertRawBitsEqual(tensors.get(name).data(), back.get(name).data(), name);
        }
    }

    @Test
    void layoutFollowsMapOrderAndHeaderIsPaddedToEightBytes() throws Exception {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        tensors.put("z.last_name_first", new HostTensor(new int[] {3}, new float[] {1, 2, 3}));
        tensors.put("a", new HostTensor(new int[] {1}, new float[] {4}));
        Path file = dir.resolve("order.safetensors");

        SafetensorsWriter.write(file, tensors, Map.of());

        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8, "header length is a multiple of 8");
        assertEquals(8 + headerLength + 16, bytes.length, "8 + header + 4 floats");
        SafetensorsHeader h = SafetensorsReader.readHeader(file);
        assertEquals(List.of("z.last_name_first", "a"), List.copyOf(h.tensors().keySet()), "data order");
        assertEquals(0, h.tensors().get("z.last_name_first").begin());
        assertEquals(12, h.tensors().get("a").begin());
        float first = ByteBuffer.wrap(bytes, (int) (8 + headerLength), 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
        assertEquals(1f, first, "little-endian data, first tensor first");
    }

    @Test
    void rewritingReplacesTheFileAndLeavesNoTempFileBehind() throws Exception {
        Path file = dir.resolve("w.safetensors");
        SafetensorsWriter.write(file, Map.of("x", new HostTensor(new int[] {1}, new float[] {1})), Map.of());
        SafetensorsWriter.write(file, Map.of("x", new HostTensor(new int[] {2}, new float[] {5, 6})), Map.of());

        assertArrayEquals(new float[] {5, 6}, SafetensorsReader.readAll(file).get("x").data());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "only the target remains");
        }
    }

    @Test
    void writesWhatTheHandBuiltEncoderWouldWrite() throws Exception {
        // the same tensor through SafetensorsBytes (independent of the writer) must read back identically
        Path ours = dir.resolve("ours.safetensors");
        SafetensorsWriter.write(ours, Map.of("w", new HostTensor(new int[] {2}, new float[] {1.5f, -2f})), Map.of());
        Path theirs = SafetensorsBytes.write(dir.resolve("theirs.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", SafetensorsBytes.f32(1.5f, -2f));

        byte[] a = Files.readAllBytes(ours);
        byte[] b = Files.readAllBytes(theirs);
        long headerA = ByteBuffer.wrap(a, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        long headerB = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertArrayEquals(java.util.Arrays.copyOfRange(b, (int) (8 + headerB), b.length),
                java.util.Arrays.copyOfRange(a, (int) (8 + headerA), a.length), "identical data bytes");
        String json = new String(a, 8, (int) headerA, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(json.startsWith("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}"), json);
    }

    private static float[] ramp(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) Math.sin(i) * i;
        }
        return v;
    }

    static void assertRawBitsEqual(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(what + "[" + i + "]: expected bits "
                        + Integer.toHexString(Float.floatToRawIntBits(expected[i])) + " got "
                        + Integer.toHexString(Float.floatToRawIntBits(actual[i])));
            }
        }
    }
}
