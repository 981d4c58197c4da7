package org.headlab.core.run;

import static org.headlab.core.run.SafetensorsBytes.concat;
import static org.headlab.core.run.SafetensorsBytes.f32;
import static org.headlab.core.run.SafetensorsBytes.f64;
import static org.headlab.core.run.SafetensorsBytes.u16;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reader against files built byte by byte in the test, with expected floats worked out by hand. */
class SafetensorsHandBuiltTest {
    @TempDir
    Path dir;

    @Test
    void readsF32LittleEndianWithShapeAndMetadata() throws Exception {
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}   ";
        Path file = SafetensorsBytes.write(dir.resolve("a.safetensors"), header, f32(1, 2, 3, -4, 0.5f, 1e-3f));

        SafetensorsHeader h = SafetensorsReader.readHeader(file);
        assertEquals(Map.of("format", "pt"), h.metadata());
        assertArrayEquals(new int[] {2, 3}, h.tensors().get("w").shape());
        HostTensor w = SafetensorsReader.readAll(file).get("w");
        assertArrayEquals(new int[] {2, 3}, w.shape());
        assertArrayEquals(new float[] {1, 2, 3, -4, 0.5f, 1e-3f}, w.data());
    }

    @Test
    void readsF16AgainstHandComputedValues() throws Exception {
        // 0x3C00 = 1.0; 0xC000 = -2.0; 0x7BFF = 65504 (largest normal); 0x0001 = 2^-24 (smallest subnormal);
        // 0x03FF = 1023 * 2^-24 (largest subnormal); 0x0400 = 2^-14 (smallest normal); 0x3555 = 0x555/1024 * 2^-2;
        // 0x8000 = -0.0; 0x7C00 = +inf; 0xFC00 = -inf; 0x7E00 = NaN
        int[] bits = {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x03FF, 0x0400, 0x3555, 0x8000, 0x7C00, 0xFC00, 0x7E00};
        float[] expected = {1f, -2f, 65504f, (float) Math.pow(2, -24), (float) (1023 * Math.pow(2, -24)),
            (float) Math.pow(2, -14), (float) ((1 + 0x155 / 1024.0) / 4), -0f, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.NaN};
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[11],\"data_offsets\":[0,22]}}";
        Path file = SafetensorsBytes.write(dir.resolve("f16.safetensors"), header, u16(bits));

        float[] got = SafetensorsReader.readAll(file).get("h").data();
        assertFloatBitsEqual(expected, got);
    }

    @Test
    void readsBf16AgainstHandComputedValues() throws Exception {
        // bf16 is the high half of a float32: 0x3FC0 = 1.5; 0xC040 = -3.0; 0x7F80 = +inf;
        // 0x0001 = float bits 0x00010000 = 2^-133 (a float32 subnormal); 0x8000 = -0.0; 0x3DCD ~ 0.10009765625
        int[] bits = {0x3FC0, 0xC040, 0x7F80, 0x0001, 0x8000, 0x3DCD};
        float[] expected = {1.5f, -3f, Float.POSITIVE_INFINITY, (float) Math.pow(2, -133), -0f, 0.10009765625f};
        String header = "{\"b\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[0,12]}}";
        Path file = SafetensorsBytes.write(dir.resolve("bf16.safetensors"), header, u16(bits));

        HostTensor b = SafetensorsReader.readAll(file).get("b");
        assertArrayEquals(new int[] {2, 3}, b.shape());
        assertFloatBitsEqual(expected, b.data());
    }

    @Test
    void narrowsF64ToNearestFloat() throws Exception {
        String header = "{\"d\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,24]}}";
        Path file = SafetensorsBytes.write(dir.resolve("f64.safetensors"), header, f64(1.0 / 3, -2.5, 1e300));

        assertFloatBitsEqual(new float[] {1f / 3, -2.5f, Float.POSITIVE_INFINITY},
                SafetensorsReader.readAll(file).get("d").data());
    }

    @Test
    void readsOnlyTheNamedTensorsFromMixedDtypes() throws Exception {
        // data order differs from header order on purpose: the reader must go by data_offsets, not by key order
        String header = "{\"second\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[8,12]},"
                + "\"first\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"scalar\":{\"dtype\":\"F16\",\"shape\":[],\"data_offsets\":[12,14]}}";
        Path file = SafetensorsBytes.write(dir.resolve("mixed.safetensors"), header,
                concat(f32(7, 8), u16(0x3FC0, 0x4000), u16(0x3C00)));

        Map<String, HostTensor> got = SafetensorsReader.read(file, List.of("second", "scalar"));
        assertEquals(List.of("second", "scalar"), List.copyOf(got.keySet()));
        assertArrayEquals(new float[] {1.5f, 2f}, got.get("second").data());
        assertArrayEquals(new int[0], got.get("scalar").shape());
        assertArrayEquals(new float[] {1f}, got.get("scalar").data());
    }

    @Test
    void headerOnlyIndexesNonFloatBuffersButRefusesToLoadThem() throws Exception {
        // TransformerLens saves a BOOL causal mask beside the weights: it must not make the header unreadable
        String header = "{\"mask\":{\"dtype\":\"BOOL\",\"shape\":[2,2],\"data_offsets\":[0,4]}}";
        Path file = SafetensorsBytes.write(dir.resolve("bool.safetensors"), header, new byte[] {1, 0, 1, 1});

        assertEquals(SafetensorsDtype.BOOL, SafetensorsReader.readHeader(file).tensors().get("mask").dtype());
        SafetensorsException e = assertThrows(SafetensorsException.class,
                () -> SafetensorsReader.read(file, List.of("mask")));
        assertTrue(e.getMessage().contains("'mask'") && e.getMessage().contains("BOOL"), e.getMessage());
    }

    @Test
    void unknownTensorNameListsWhatTheFileHas() throws Exception {
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        Path file = SafetensorsBytes.write(dir.resolve("one.safetensors"), header, f32(1));

        SafetensorsException e = assertThrows(SafetensorsException.class,
                () -> SafetensorsReader.read(file, List.of("v")));
        assertTrue(e.getMessage().contains("one.safetensors") && e.getMessage().contains("'v'")
                && e.getMessage().contains("w"), e.getMessage());
    }

    static void assertFloatBitsEqual(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]),
                    "element " + i + ": expected " + expected[i] + " got " + actual[i]);
        }
    }
}
