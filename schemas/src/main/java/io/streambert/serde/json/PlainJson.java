package io.streambert.serde.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Records as plain JSON objects, driven by the Avro schema so new fields need no code: records and
 * maps are objects, arrays are arrays, a nullable union is its value or {@code null} (not Avro's
 * {"string": ...} wrapping), bytes are base64, timestamp-millis is epoch milliseconds (an ISO-8601
 * string is accepted on input). On input, a missing field takes its schema default, a missing field
 * without default is an error, unknown fields are ignored (so newer producers do not break older
 * consumers). Errors are {@link JsonFieldException}s naming the field path.
 */
public final class PlainJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private PlainJson() {}

    // ---------------------------------------------------------------- writing

    public static ObjectNode toJson(SpecificRecord record) {
        return (ObjectNode) write(record.getSchema(), record, record.getSchema().getName());
    }

    /** One value of {@code schema} as JSON; {@code path} names it in errors (e.g. a NaN float). */
    public static JsonNode write(Schema schema, Object value, String path) {
        switch (schema.getType()) {
            case RECORD -> {
                SpecificRecord rec = (SpecificRecord) value;
                ObjectNode obj = NODES.objectNode();
                for (Schema.Field f : schema.getFields()) {
                    obj.set(f.name(), write(f.schema(), rec.get(f.pos()), path + "." + f.name()));
                }
                return obj;
            }
            case UNION -> {
                if (value == null) {
                    return NODES.nullNode();
                }
                return write(nonNullBranch(schema, path), value, path);
            }
            case MAP -> {
                ObjectNode obj = NODES.objectNode();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                    String key = e.getKey().toString();
                    obj.set(key, write(schema.getValueType(), e.getValue(), path + "." + key));
                }
                return obj;
            }
            case ARRAY -> {
                ArrayNode arr = NODES.arrayNode();
                int i = 0;
                for (Object item : (Iterable<?>) value) {
                    arr.add(write(schema.getElementType(), item, path + "[" + i++ + "]"));
                }
                return arr;
            }
            case STRING, ENUM -> {
                return NODES.textNode(value.toString());
            }
            case BYTES -> {
                ByteBuffer buf = ((ByteBuffer) value).duplicate();
                byte[] raw = new byte[buf.remaining()];
                buf.get(raw);
                return NODES.textNode(Base64.getEncoder().encodeToString(raw));
            }
            case INT -> {
                return NODES.numberNode((Integer) value);
            }
            case LONG -> {
                return NODES.numberNode(
                        isTimestampMillis(schema)
                                ? ((Instant) value).toEpochMilli()
                                : (Long) value);
            }
            case FLOAT -> {
                float f = (Float) value;
                if (!Float.isFinite(f)) {
                    throw new JsonFieldException(path, "is " + f + ", which JSON cannot carry");
                }
                return NODES.numberNode(f);
            }
            case DOUBLE -> {
                double d = (Double) value;
                if (!Double.isFinite(d)) {
                    throw new JsonFieldException(path, "is " + d + ", which JSON cannot carry");
                }
                return NODES.numberNode(d);
            }
            case BOOLEAN -> {
                return NODES.booleanNode((Boolean) value);
            }
            case NULL -> {
                return NODES.nullNode();
            }
            default -> {
                throw new JsonFieldException(
                        path,
                        "has Avro type " + schema.getType() + ", which PlainJson does not map");
            }
        }
    }

    // ---------------------------------------------------------------- reading

    /** Reads a record of the generated class for {@code schema} from a JSON object. */
    // T is the caller's generated class, named by the schema: an unchecked cast by design.
    @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"})
    public static <T extends SpecificRecord> T fromJson(Schema schema, JsonNode node) {
        return (T) read(schema, node, schema.getName());
    }

    public static Object read(Schema schema, JsonNode node, String path) {
        if (schema.getType() == Schema.Type.UNION) {
            if (node == null || node.isNull()) {
                if (!schema.isNullable()) {
                    throw new JsonFieldException(path, "is null");
                }
                return null;
            }
            return read(nonNullBranch(schema, path), node, path);
        }
        if (node == null || node.isNull()) {
            if (schema.getType() == Schema.Type.NULL) {
                return null;
            }
            throw new JsonFieldException(path, "is null but must be " + expected(schema));
        }
        switch (schema.getType()) {
            case RECORD -> {
                return readRecord(schema, node, path);
            }
            case MAP -> {
                requireType(node.isObject(), schema, node, path);
                Map<String, Object> map = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    String entryPath = path + "." + shown(e.getKey());
                    requireUnicode(e.getKey(), entryPath, "key");
                    map.put(e.getKey(), read(schema.getValueType(), e.getValue(), entryPath));
                }
                return map;
            }
            case ARRAY -> {
                requireType(node.isArray(), schema, node, path);
                List<Object> list = new ArrayList<>(node.size());
                for (int i = 0; i < node.size(); i++) {
                    list.add(read(schema.getElementType(), node.get(i), path + "[" + i + "]"));
                }
                return list;
            }
            case STRING -> {
                requireType(node.isTextual(), schema, node, path);
                requireUnicode(node.textValue(), path, "value");
                return node.textValue();
            }
            case ENUM -> {
                requireType(
                        node.isTextual() && schema.hasEnumSymbol(node.textValue()),
                        schema,
                        node,
                        path);
                return SpecificData.get().createEnum(node.textValue(), schema);
            }
            case BYTES -> {
                requireType(node.isTextual(), schema, node, path);
                try {
                    return ByteBuffer.wrap(Base64.getDecoder().decode(node.textValue()));
                } catch (IllegalArgumentException e) {
                    throw new JsonFieldException(path, "is not valid base64: " + e.getMessage());
                }
            }
            case INT -> {
                requireType(node.isIntegralNumber() && node.canConvertToInt(), schema, node, path);
                return node.intValue();
            }
            case LONG -> {
                if (isTimestampMillis(schema)) {
                    return readTimestamp(node, path);
                }
                requireType(node.isIntegralNumber() && node.canConvertToLong(), schema, node, path);
                return node.longValue();
            }
            case FLOAT -> {
                requireType(node.isNumber(), schema, node, path);
                float f = node.floatValue();
                if (!Float.isFinite(f)) {
                    throw new JsonFieldException(
                            path, "is " + node.asText() + ", outside the range of a float");
                }
                return f;
            }
            case DOUBLE -> {
                requireType(node.isNumber(), schema, node, path);
                double d = node.doubleValue();
                if (!Double.isFinite(d)) {
                    throw new JsonFieldException(
                            path, "is " + node.asText() + ", outside the range of a double");
                }
                return d;
            }
            case BOOLEAN -> {
                requireType(node.isBoolean(), schema, node, path);
                return node.booleanValue();
            }
            default -> {
                throw new JsonFieldException(
                        path,
                        "has Avro type " + schema.getType() + ", which PlainJson does not map");
            }
        }
    }

    private static SpecificRecord readRecord(Schema schema, JsonNode node, String path) {
        requireType(node.isObject(), schema, node, path);
        SpecificData model = SpecificData.getForSchema(schema);
        SpecificRecord rec = (SpecificRecord) model.newRecord(null, schema);
        for (Schema.Field f : schema.getFields()) {
            String fieldPath = path + "." + f.name();
            JsonNode value = node.get(f.name());
            if (value == null
                    || (value.isNull() && !f.schema().isNullable() && f.hasDefaultValue())) {
                if (!f.hasDefaultValue()) {
                    throw new JsonFieldException(fieldPath, "is missing (required, no default)");
                }
                // Defaults are cached and shared by Avro: copy so records never alias each other's
                // maps.
                rec.put(f.pos(), model.deepCopy(f.schema(), model.getDefaultValue(f)));
            } else {
                rec.put(f.pos(), read(f.schema(), value, fieldPath));
            }
        }
        return rec;
    }

    private static Instant readTimestamp(JsonNode node, String path) {
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return Instant.ofEpochMilli(node.longValue());
        }
        if (node.isTextual()) {
            try {
                return Instant.parse(node.textValue());
            } catch (DateTimeParseException e) {
                throw new JsonFieldException(
                        path,
                        "is \""
                                + node.textValue()
                                + "\", not an ISO-8601 instant such as 2025-01-31T12:00:00Z");
            }
        }
        throw new JsonFieldException(
                path, "must be epoch milliseconds or an ISO-8601 string, got " + describe(node));
    }

    /**
     * Rejects a string with an unpaired surrogate (JSON lets {@code "\\ud800"} through; it is not a
     * Unicode character, has no UTF-8 form, and Java would silently write it as '?', so the output
     * would differ from the input).
     */
    private static void requireUnicode(String s, String path, String what) {
        int at = Utf8Check.firstUnpairedSurrogate(s);
        if (at >= 0) {
            throw new JsonFieldException(
                    path,
                    "has an unpaired surrogate "
                            + String.format("\\u%04x", (int) s.charAt(at))
                            + " at character "
                            + at
                            + " of its "
                            + what
                            + " (not valid Unicode)");
        }
    }

    /** A map key as shown in a field path: at most 64 characters (keys come from the data). */
    private static String shown(String key) {
        return key.length() > 64 ? key.substring(0, 64) + "..." : key;
    }

    static Schema nonNullBranch(Schema union, String path) {
        List<Schema> types = union.getTypes();
        if (types.size() == 2 && union.isNullable()) {
            return types.get(0).getType() == Schema.Type.NULL ? types.get(1) : types.get(0);
        }
        if (types.size() == 1) {
            return types.get(0);
        }
        throw new JsonFieldException(
                path, "is a union of " + types + "; plain JSON maps only [null, X] unions");
    }

    private static boolean isTimestampMillis(Schema schema) {
        LogicalType lt = schema.getLogicalType();
        return lt instanceof LogicalTypes.TimestampMillis;
    }

    private static void requireType(boolean ok, Schema schema, JsonNode node, String path) {
        if (!ok) {
            throw new JsonFieldException(
                    path, "must be " + expected(schema) + ", got " + describe(node));
        }
    }

    private static String expected(Schema schema) {
        return switch (schema.getType()) {
            case RECORD, MAP -> "an object";
            case ARRAY -> "an array";
            case STRING -> "a string";
            case ENUM -> "one of " + schema.getEnumSymbols();
            case BYTES -> "a base64 string";
            case INT -> "a 32-bit integer";
            case LONG -> isTimestampMillis(schema) ? "epoch milliseconds" : "a 64-bit integer";
            case FLOAT, DOUBLE -> "a number";
            case BOOLEAN -> "true or false";
            default -> schema.getType().getName();
        };
    }

    /** e.g. "number 42", "string \"abc\"" (shortened), "array", "object". */
    static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case STRING -> {
                String t = node.textValue();
                yield "string \"" + (t.length() > 40 ? t.substring(0, 40) + "..." : t) + "\"";
            }
            case NUMBER -> "number " + node.asText();
            case BOOLEAN -> "boolean " + node.asText();
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }
}
