package io.streambert.serde;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streambert.serde.json.JsonFieldException;
import io.streambert.serde.json.JsonLayout;
import io.streambert.serde.json.Utf8Check;
import java.io.IOException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;

/** JSON objects in UTF-8, laid out by a {@link JsonLayout}. Strict: one object, valid UTF-8, no duplicate keys. */
final class JsonCodec<T extends SpecificRecord> implements EventCodec<T> {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final EventType<T> type;
    private final JsonLayout<T> layout;

    JsonCodec(EventType<T> type, JsonLayout<T> layout) {
        this.type = type;
        this.layout = layout;
    }

    /** True when the first non-blank byte (after an optional UTF-8 BOM) opens a JSON object. */
    static boolean looksLikeJsonObject(byte[] bytes) {
        int i = startsWithBom(bytes) ? 3 : 0;
        while (i < bytes.length && (bytes[i] == ' ' || bytes[i] == '\t' || bytes[i] == '\n' || bytes[i] == '\r')) {
            i++;
        }
        return i < bytes.length && bytes[i] == '{';
    }

    private static boolean startsWithBom(byte[] b) {
        return b.length >= 3 && b[0] == (byte) 0xEF && b[1] == (byte) 0xBB && b[2] == (byte) 0xBF;
    }

    /** Jackson appends "(start marker at [Source: REDACTED ...; line: 1, column: 1])": keep only the position. */
    private static String withoutSourceNoise(String message) {
        return message == null ? "" : message.replaceAll(
                "\\[Source: [^\\]]*; line: (\\d+), column: (\\d+)\\]", "line $1 column $2");
    }

    @Override
    public byte[] encode(String topic, T event) {
        try {
            return MAPPER.writeValueAsBytes(layout.toJson(event));
        } catch (JsonFieldException e) {
            throw new SerializationException("cannot write " + type.name() + " for topic " + topic + " as JSON: "
                    + e.getMessage(), e);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new SerializationException("cannot write " + type.name() + " for topic " + topic + " as JSON: "
                    + ByteDescriptions.rootMessage(e), e);
        }
    }

    @Override
    public T decode(String topic, byte[] bytes) {
        String what = "JSON " + type.name();
        int bad = Utf8Check.firstInvalidOffset(bytes);
        if (bad >= 0) {
            throw new SerializationException(what + ": invalid UTF-8 at byte offset " + bad + " of " + bytes.length);
        }
        JsonNode node;
        try {
            int skip = startsWithBom(bytes) ? 3 : 0;
            node = MAPPER.readTree(bytes, skip, bytes.length - skip);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new SerializationException(what + ": not valid JSON" + (at == null ? "" : " at line "
                    + at.getLineNr() + " column " + at.getColumnNr()) + ": " + withoutSourceNoise(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new SerializationException(what + ": cannot parse: " + ByteDescriptions.rootMessage(e), e);
        }
        if (node == null || node.isMissingNode()) {
            throw new SerializationException(what + ": no JSON value, only whitespace");
        }
        if (!node.isObject()) {
            throw new SerializationException(what + ": expected a JSON object, got " + node.getNodeType()
                    .name().toLowerCase());
        }
        try {
            return layout.fromJson((ObjectNode) node);
        } catch (JsonFieldException e) {
            throw new SerializationException(what + ": " + e.getMessage(), e);
        }
    }
}
