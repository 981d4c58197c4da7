package org.headlab.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * The one Jackson configuration of the project, so every file HeadLab reads or writes (run.json, labels.json,
 * sidecars) follows the same rules: snake_case names on disk, no silent coercion of "2" or 2.5 into an int, no
 * null for a primitive, duplicate keys refused (a duplicated key in a hand-edited file is almost always a mistake),
 * and unknown keys ignored so that files written by newer versions or by Python exporters still open.
 */
public final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    private static final ObjectWriter PRETTY = MAPPER.writerWithDefaultPrettyPrinter();

    private Json() {
    }

    /** The shared mapper; thread-safe, never reconfigure it (use {@code reader()/writer()} with features). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Indented output for files people read and diff (run.json, labels.json). */
    public static ObjectWriter prettyWriter() {
        return PRETTY;
    }

    /** Writes {@code value} as pretty JSON so that readers never see a half-written file (see AtomicFiles). */
    public static void writeAtomically(Path file, Object value) {
        byte[] bytes;
        try {
            bytes = PRETTY.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // our own values always serialise: a bug, keep the trace
        }
        byte[] withNewline = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, withNewline, 0, bytes.length);
        withNewline[bytes.length] = '\n';
        AtomicFiles.write(file, out -> out.write(withNewline));
    }

    /**
     * One line saying where and why a JSON read failed: "line 3, column 17: field 'model.n_layers' expected an
     * integer" or "line 1, column 40: unexpected end of input", without Jackson's multi-line source excerpt.
     */
    public static String describe(IOException e) {
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            return at(m.getLocation()) + "field '" + fieldPath(m) + "' " + expectation(m);
        }
        if (e instanceof JsonProcessingException p) {
            return at(p.getLocation()) + firstLine(p.getOriginalMessage());
        }
        return firstLine(e.getMessage());
    }

    /** The path of the field a mapping error is about, like {@code checkpoints[2].step}. */
    public static String fieldPath(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining())
                .replaceFirst("^\\.", "");
    }

    private static String expectation(JsonMappingException e) {
        if (e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException mi && mi.getTargetType() != null) {
            return "must be " + describeType(mi.getTargetType());
        }
        return firstLine(e.getOriginalMessage());
    }

    private static String describeType(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        return "an object";
    }

    private static String at(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return "line " + location.getLineNr() + ", column " + location.getColumnNr() + ": ";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable JSON";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
