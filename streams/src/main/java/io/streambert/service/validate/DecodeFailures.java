package io.streambert.service.validate;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streambert.service.deadletter.Reason;
import java.io.IOException;

/**
 * Tells "these bytes are no known encoding" (UNDECODABLE) from "a known encoding, but not a
 * TextEvent" (BAD_SCHEMA) after the deserializer refused a value, by looking at the framing the
 * deserializer uses: C3 01 = Avro single-object, 00 = Confluent wire, '{' = JSON (which must also
 * parse as JSON).
 */
final class DecodeFailures {
    private DecodeFailures() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    static Reason classify(byte[] value) {
        if (value == null || value.length == 0) return Reason.UNDECODABLE;
        if (value.length >= 2 && (value[0] & 0xff) == 0xC3 && value[1] == 0x01)
            return Reason.BAD_SCHEMA;
        if (value[0] == 0 && value.length >= 5) return Reason.BAD_SCHEMA;
        int first = 0;
        while (first < value.length && Character.isWhitespace(value[first])) first++;
        if (first < value.length && value[first] == '{') {
            try {
                JSON.readTree(value);
                return Reason.BAD_SCHEMA;
            } catch (IOException notJson) {
                return Reason.UNDECODABLE;
            }
        }
        return Reason.UNDECODABLE;
    }
}
