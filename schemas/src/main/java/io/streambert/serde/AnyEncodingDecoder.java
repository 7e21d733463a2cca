package io.streambert.serde;

import io.streambert.serde.json.Utf8Check;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads whatever encoding a value arrived in, whatever the configured output format: the first
 * bytes tell them apart without ambiguity (C3 01 single-object Avro, 00 Confluent wire, '{' JSON; a
 * JSON text can start with neither C3 nor 00). So producers can switch formats without a
 * coordinated redeploy, and text events may come from any client.
 */
final class AnyEncodingDecoder<T> {
    private final String typeName;
    private final EventCodec<T> singleObject;
    private final EventCodec<T> confluent; // null without a registry
    private final EventCodec<T> json;

    AnyEncodingDecoder(
            String typeName,
            EventCodec<T> singleObject,
            EventCodec<T> confluent,
            EventCodec<T> json) {
        this.typeName = typeName;
        this.singleObject = singleObject;
        this.confluent = confluent;
        this.json = json;
    }

    T decode(String topic, byte[] bytes) {
        if (SingleObjectCodec.looksLikeSingleObject(bytes)) {
            return singleObject.decode(topic, bytes);
        }
        if (ConfluentWireCodec.looksLikeConfluent(bytes)) {
            if (confluent == null) {
                String id =
                        bytes.length >= 5
                                ? " with schema id " + ByteBuffer.wrap(bytes, 1, 4).getInt()
                                : "";
                throw new RejectedFieldException(
                        RejectedFieldException.SCHEMA_ID,
                        "Confluent wire "
                                + typeName
                                + ": value starts with magic byte 0"
                                + id
                                + " but no schema.registry.url is configured to"
                                + " resolve its "
                                + RejectedFieldException.SCHEMA_ID);
            }
            return confluent.decode(topic, bytes);
        }
        if (JsonCodec.looksLikeJsonObject(bytes)) {
            return json.decode(topic, bytes);
        }
        throw new RejectedFieldException(
                RejectedFieldException.VALUE,
                typeName
                        + ": unrecognised encoding, first bytes "
                        + ByteDescriptions.head(bytes)
                        + "; expected Avro single-object (0xc301...), Confluent wire format"
                        + " (0x00 + schema id) or a JSON object ('{')"
                        + plainTextHint(bytes));
    }

    private String plainTextHint(byte[] bytes) {
        String start =
                new String(bytes, 0, Math.min(bytes.length, 16), StandardCharsets.UTF_8)
                        .stripLeading();
        if (start.startsWith("[") || start.startsWith("\"")) {
            return "; the value looks like a JSON "
                    + (start.startsWith("[") ? "array" : "string")
                    + ", but a "
                    + typeName
                    + " must be a JSON object";
        }
        if (Utf8Check.firstInvalidOffset(bytes) < 0) {
            return "; the value looks like plain text: send a JSON object"
                    + (typeName.equals("TextEvent")
                            ? " such as {\"id\": \"1\", \"text\": \"...\"}"
                            : "");
        }
        return "";
    }
}
