package io.streambert.serde;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streambert.serde.json.JsonFieldException;
import io.streambert.serde.json.JsonLayout;
import io.streambert.serde.json.Utf8Check;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * JSON objects in UTF-8, laid out by a {@link JsonLayout}. Strict: one object, valid UTF-8, no
 * duplicate keys.
 */
final class JsonCodec<T extends SpecificRecord> implements EventCodec<T> {
    private static final ObjectMapper MAPPER =
            new ObjectMapper()
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
        while (i < bytes.length
                && (bytes[i] == ' ' || bytes[i] == '\t' || bytes[i] == '\n' || bytes[i] == '\r')) {
            i++;
        }
        return i < bytes.length && bytes[i] == '{';
    }

    private static boolean startsWithBom(byte[] b) {
        return b.length >= 3 && b[0] == (byte) 0xEF && b[1] == (byte) 0xBB && b[2] == (byte) 0xBF;
    }

    /**
     * Jackson appends "(start marker at [Source: REDACTED ...; line: 1, column: 1])": keep only the
     * position.
     */
    private static String withoutSourceNoise(String message) {
        return message == null
                ? ""
                : message.replaceAll(
                        "\\[Source: [^\\]]*; line: (\\d+), column: (\\d+)\\]", "line $1 column $2");
    }

    @Override
    public byte[] encode(String topic, T event) {
        try {
            return MAPPER.writeValueAsBytes(layout.toJson(event));
        } catch (JsonFieldException e) {
            throw new SerializationException(
                    "cannot write "
                            + type.name()
                            + " for topic "
                            + topic
                            + " as JSON: "
                            + e.getMessage(),
                    e);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new SerializationException(
                    "cannot write "
                            + type.name()
                            + " for topic "
                            + topic
                            + " as JSON: "
                            + ByteDescriptions.rootMessage(e),
                    e);
        }
    }

    @Override
    public T decode(String topic, byte[] bytes) {
        String what = "JSON " + type.name();
        int skip = startsWithBom(bytes) ? 3 : 0;
        int bad = Utf8Check.firstInvalidOffset(bytes);
        if (bad >= 0) {
            String field = fieldAt(bytes, skip, bad);
            throw new RejectedFieldException(
                    field,
                    what
                            + ": invalid UTF-8 at byte offset "
                            + bad
                            + " of "
                            + bytes.length
                            + ", in "
                            + describeField(field));
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(bytes, skip, bytes.length - skip);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String field =
                    e.getProcessor() instanceof JsonParser p
                            ? path(p.getParsingContext())
                            : RejectedFieldException.VALUE;
            throw new RejectedFieldException(
                    field,
                    what
                            + ": not valid JSON"
                            + (at == null
                                    ? ""
                                    : " at line " + at.getLineNr() + " column " + at.getColumnNr())
                            + ", in "
                            + describeField(field)
                            + ": "
                            + withoutSourceNoise(e.getOriginalMessage()),
                    e);
        } catch (IOException e) {
            throw new RejectedFieldException(
                    RejectedFieldException.VALUE,
                    what
                            + ": cannot parse the "
                            + RejectedFieldException.VALUE
                            + ": "
                            + ByteDescriptions.rootMessage(e),
                    e);
        }
        if (node == null || node.isMissingNode()) {
            throw new RejectedFieldException(
                    RejectedFieldException.VALUE,
                    what + ": no JSON " + RejectedFieldException.VALUE + ", only whitespace");
        }
        if (!node.isObject()) {
            throw new RejectedFieldException(
                    RejectedFieldException.VALUE,
                    what
                            + ": expected the "
                            + RejectedFieldException.VALUE
                            + " to be a JSON object, got "
                            + node.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        try {
            return layout.fromJson((ObjectNode) node);
        } catch (JsonFieldException e) {
            throw new RejectedFieldException(e.path(), what + ": " + e.getMessage(), e);
        }
    }

    private String describeField(String field) {
        return field.equals(RejectedFieldException.VALUE)
                ? "the value's top level"
                : "field " + field;
    }

    /**
     * The field that holds byte {@code end} of {@code bytes}: parses the JSON before it until the
     * input runs out, and names where the parser then is. {@link RejectedFieldException#VALUE} when
     * that is not inside a field.
     */
    private String fieldAt(byte[] bytes, int start, int end) {
        try (JsonParser p =
                MAPPER.getFactory().createParser(bytes, start, Math.max(0, end - start))) {
            try {
                while (p.nextToken() != null) {
                    // walk to where the input ends
                }
            } catch (IOException expected) {
                // the cut input ends inside a token: the context is where the bad byte is
            }
            return path(p.getParsingContext());
        } catch (IOException e) {
            return RejectedFieldException.VALUE;
        }
    }

    /**
     * "TextEvent.attributes.lang" for the context of a parser inside that field; "value" at the top
     * level or under a key that is not a field of the record.
     */
    private String path(JsonStreamContext ctx) {
        Deque<String> parts = new ArrayDeque<>();
        for (JsonStreamContext c = ctx; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                parts.addFirst("[" + Math.max(0, c.getCurrentIndex()) + "]");
            } else if (c.getCurrentName() != null) {
                String name = c.getCurrentName();
                parts.addFirst("." + (name.length() > 64 ? name.substring(0, 64) + "..." : name));
            }
        }
        // The parser may stand on a key the data made up (a mangled name): only a field of the
        // record is named.
        String first = parts.peekFirst();
        if (first == null
                || !first.startsWith(".")
                || type.schema().getField(first.substring(1)) == null) {
            return RejectedFieldException.VALUE;
        }
        return type.name() + String.join("", parts);
    }
}
