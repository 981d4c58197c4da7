package org.headlab.core.run;

import static org.headlab.core.run.SafetensorsBytes.f32;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.headlab.core.HeadLabException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each way a safetensors file can be broken, built by hand, must give a SafetensorsException (a HeadLabException,
 * so the user sees one line) naming the file, the tensor where there is one, and what was expected. The rules are
 * those of the reference Rust implementation (huggingface/safetensors, {@code SafeTensors::read_metadata}).
 */
class SafetensorsCorruptionTest {
    @TempDir
    Path dir;

    private Path file(String header, byte[] data) throws Exception {
        return SafetensorsBytes.write(dir.resolve("bad.safetensors"), header, data);
    }

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin
                + "," + end + "]}";
    }

    private static SafetensorsException refused(Path file, String... mustMention) {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsReader.readHeader(file));
        String m = e.getMessage();
        assertTrue(HeadLabException.class.isInstance(e));
        assertTrue(m.contains(file.toString()), "names the file: " + m);
        assertTrue(!m.contains("\n"), "one line: " + m);
        for (String s : mustMention) {
            assertTrue(m.contains(s), "mentions '" + s + "': " + m);
        }
        return e;
    }

    @Test
    void fileShorterThanEightBytes() throws Exception {
        Path f = Files.write(dir.resolve("short.safetensors"), new byte[] {1, 2, 3});
        refused(f, "3 bytes", "at least 8");
    }

    @Test
    void headerLengthOverTheLimit() throws Exception {
        Path f = SafetensorsBytes.write(dir.resolve("huge.safetensors"), 100_000_001L, new byte[0], new byte[0]);
        refused(f, "100000001", "limit");
    }

    @Test
    void headerLengthWithTopBitSetIsNotTreatedAsNegative() throws Exception {
        Path f = SafetensorsBytes.write(dir.resolve("neg.safetensors"), -1L, new byte[0], new byte[0]);
        refused(f, "18446744073709551615", "limit");
    }

    @Test
    void headerLengthPastEndOfFile() throws Exception {
        byte[] header = "{}".getBytes(StandardCharsets.UTF_8);
        Path f = SafetensorsBytes.write(dir.resolve("past.safetensors"), 64, header, new byte[0]);
        refused(f, "header length 64", "end of the file");
    }

    @Test
    void malformedJsonSaysWhere() throws Exception {
        refused(file("{\"w\":{\"dtype\":\"F32\",}", new byte[0]), "not valid JSON", "column");
    }

    @Test
    void trailingGarbageAfterJson() throws Exception {
        refused(file("{} x", new byte[0]), "not valid JSON");
    }

    @Test
    void duplicateTensorName() throws Exception {
        refused(file("{" + entry("w", "F32", "[1]", 0, 4) + "," + entry("w", "F32", "[1]", 4, 8) + "}",
                f32(1, 2)), "not valid JSON", "w");
    }

    @Test
    void headerNotAnObject() throws Exception {
        refused(file("[1, 2]  ", new byte[0]), "must be a JSON object");
    }

    @Test
    void entryNotAnObject() throws Exception {
        refused(file("{\"w\": 3}", new byte[0]), "'w'", "must be an object");
    }

    @Test
    void missingDtype() throws Exception {
        refused(file("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", f32(1)), "'w'", "no dtype");
    }

    @Test
    void missingShape() throws Exception {
        refused(file("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", f32(1)), "'w'", "no shape");
    }

    @Test
    void missingDataOffsets() throws Exception {
        refused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", f32(1)), "'w'", "no data_offsets");
    }

    @Test
    void unknownDtype() throws Exception {
        refused(file("{" + entry("w", "F128", "[1]", 0, 16) + "}", new byte[16]), "'w'", "unknown dtype 'F128'",
                "BF16");
    }

    @Test
    void negativeShape() throws Exception {
        refused(file("{" + entry("w", "F32", "[2,-1]", 0, 0) + "}", new byte[0]), "'w'", "negative");
    }

    @Test
    void nonIntegerShape() throws Exception {
        refused(file("{" + entry("w", "F32", "[1.5]", 0, 4) + "}", f32(1)), "'w'", "non-negative integers");
    }

    @Test
    void shapeTimesDtypeSizeDiffersFromByteRange() throws Exception {
        refused(file("{" + entry("w", "F16", "[3]", 0, 8) + "}", new byte[8]), "'w'", "needs 6 bytes", "hold 8");
    }

    @Test
    void offsetsPastTheDataSection() throws Exception {
        refused(file("{" + entry("w", "F32", "[2]", 0, 8) + "}", f32(1)), "'w'", "run past the data section",
                "4 bytes");
    }

    @Test
    void offsetsReversed() throws Exception {
        refused(file("{" + entry("w", "F32", "[1]", 8, 4) + "}", f32(1, 2, 3)), "'w'", "reversed");
    }

    @Test
    void negativeOffsets() throws Exception {
        refused(file("{" + entry("w", "F32", "[1]", -4, 0) + "}", f32(1)), "'w'", "non-negative");
    }

    @Test
    void overlappingTensors() throws Exception {
        refused(file("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}",
                f32(1, 2, 3)), "'b'", "overlap", "'a'");
    }

    @Test
    void gapBetweenTensors() throws Exception {
        refused(file("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 8, 12) + "}",
                f32(1, 2, 3)), "'b'", "unused");
    }

    @Test
    void trailingBytesNotCoveredByAnyTensor() throws Exception {
        refused(file("{" + entry("a", "F32", "[1]", 0, 4) + "}", f32(1, 2)), "8 bytes", "cover only 4");
    }

    @Test
    void metadataMustMapStringsToStrings() throws Exception {
        refused(file("{\"__metadata__\":{\"step\":7}," + entry("a", "F32", "[1]", 0, 4) + "}", f32(1)),
                "__metadata__", "'step'", "string");
    }

    @Test
    void metadataMustBeAnObject() throws Exception {
        refused(file("{\"__metadata__\":\"pt\"}", new byte[0]), "__metadata__", "object");
    }

    @Test
    void missingFile() {
        refused(dir.resolve("nowhere.safetensors"), "does not exist");
    }
}
