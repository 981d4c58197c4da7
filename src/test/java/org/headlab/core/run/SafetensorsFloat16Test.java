package org.headlab.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * F16 writing. The float-to-half rounding is checked against the reader's exact half-to-float widening
 * ({@link SafetensorsReader#float16ToFloat}, itself checked against hand-computed values in SafetensorsHandBuiltTest):
 * every half survives the round trip, and a float goes to the nearer of its two neighbouring halves, computed in
 * double, ties to the even one.
 */
class SafetensorsFloat16Test {
    @TempDir
    Path dir;

    @Test
    void everyHalfValueRoundTripsExactly() {
        for (int h = 0; h < 0x10000; h++) {
            float f = SafetensorsReader.float16ToFloat((short) h);
            short back = SafetensorsWriter.floatToFloat16(f);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(SafetensorsReader.float16ToFloat(back)), "NaN stays NaN: " + h);
            } else {
                assertEquals(h, back & 0xFFFF, "half " + Integer.toHexString(h) + " = " + f);
            }
        }
    }

    @Test
    void midpointsRoundToEvenAndEveryOtherFloatToTheNearerHalf() {
        for (int h = 0; h < 0x7BFF; h++) { // each pair of neighbouring positive finite halves
            double lo = SafetensorsReader.float16ToFloat((short) h);
            double hi = SafetensorsReader.float16ToFloat((short) (h + 1));
            float mid = (float) ((lo + hi) / 2); // exact: halves have 11 significant bits
            int even = (h & 1) == 0 ? h : h + 1;
            assertEquals(even, SafetensorsWriter.floatToFloat16(mid) & 0xFFFF, "tie between " + lo + " and " + hi);
            assertEquals(h, SafetensorsWriter.floatToFloat16(Math.nextDown(mid)) & 0xFFFF, "just below " + mid);
            assertEquals(h + 1, SafetensorsWriter.floatToFloat16(Math.nextUp(mid)) & 0xFFFF, "just above " + mid);
            assertEquals(0x8000 | h, SafetensorsWriter.floatToFloat16(-Math.nextDown(mid)) & 0xFFFF, "sign");
        }
        Random random = new Random(11);
        for (int i = 0; i < 200_000; i++) {
            float f = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(9) - 6));
            double back = SafetensorsReader.float16ToFloat(SafetensorsWriter.floatToFloat16(f));
            double up = SafetensorsReader.float16ToFloat((short) (SafetensorsWriter.floatToFloat16(f) + 1));
            double down = SafetensorsReader.float16ToFloat((short) (SafetensorsWriter.floatToFloat16(f) - 1));
            double err = Math.abs(back - f);
            // no neighbour of the chosen half is nearer (away from zero crossings, where the neighbours flip sign)
            if (back != 0) {
                assertTrue(err <= Math.abs(up - f) && err <= Math.abs(down - f), f + " -> " + back);
            }
        }
    }

    @Test
    void overflowUnderflowAndSpecialValues() {
        assertEquals(0x7BFF, SafetensorsWriter.floatToFloat16(65519.996f)); // below the midpoint to 65536
        assertEquals(0x7C00, SafetensorsWriter.floatToFloat16(65520f)); // the midpoint rounds to even: infinity
        assertEquals(0xFC00, SafetensorsWriter.floatToFloat16(-1e9f) & 0xFFFF);
        assertEquals(0x7C00, SafetensorsWriter.floatToFloat16(Float.POSITIVE_INFINITY));
        assertTrue(Float.isNaN(SafetensorsReader.float16ToFloat(SafetensorsWriter.floatToFloat16(Float.NaN))));
        assertEquals(0x8000, SafetensorsWriter.floatToFloat16(-0f) & 0xFFFF);
        assertEquals(0, SafetensorsWriter.floatToFloat16(0x1p-25f), "half the smallest subnormal ties to zero");
        assertEquals(1, SafetensorsWriter.floatToFloat16(Math.nextUp(0x1p-25f)));
        assertEquals(0, SafetensorsWriter.floatToFloat16(Float.MIN_VALUE));
        assertEquals(0x0400, SafetensorsWriter.floatToFloat16(Math.nextDown(0x1p-14f)), "rounds up into the normals");
    }

    @Test
    void anF16FileHoldsHalfTheBytesAndReadsBackAsTheRoundedValues() throws Exception {
        float[] values = new float[100_000]; // more than one write chunk
        Random random = new Random(3);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * 0.1);
        }
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        tensors.put("w", new HostTensor(new int[] {400, 250}, values));
        tensors.put("scalar", new HostTensor(new int[0], new float[] {3.14159f}));
        Path f32 = dir.resolve("w32.safetensors");
        Path f16 = dir.resolve("w16.safetensors");
        SafetensorsWriter.write(f32, tensors, Map.of("step", "1"));
        SafetensorsWriter.write(f16, tensors, Map.of("step", "1"), SafetensorsDtype.F16);

        SafetensorsHeader header = SafetensorsReader.readHeader(f16);
        assertEquals(SafetensorsDtype.F16, header.tensors().get("w").dtype());
        assertEquals(Map.of("step", "1"), header.metadata());
        long data32 = Files.size(f32) - SafetensorsReader.readHeader(f32).dataStart();
        assertEquals(data32 / 2, Files.size(f16) - header.dataStart());
        Map<String, HostTensor> back = SafetensorsReader.readAll(f16);
        for (int i = 0; i < values.length; i++) { // half precision: within 2^-11 of the value, relatively
            float v = back.get("w").data()[i];
            assertTrue(Math.abs(v - values[i]) <= Math.abs(values[i]) * 0x1p-11 + 0x1p-25, values[i] + " -> " + v);
        }
        assertEquals(3.140625f, back.get("scalar").data()[0], "3.14159 to 11 significant bits");
        assertThrows(IllegalArgumentException.class,
                () -> SafetensorsWriter.write(dir.resolve("x"), tensors, Map.of(), SafetensorsDtype.BF16));
    }
}
