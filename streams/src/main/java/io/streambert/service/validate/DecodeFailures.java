package io.streambert.service.validate;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streambert.serde.RejectedFieldException;
import io.streambert.serde.json.Utf8Check;
import io.streambert.service.deadletter.Reason;
import java.io.IOException;

/**
 * The reason code and the field of a value the deserializer refused. One rule:
 *
 * <ul>
 *   <li>{@link Reason#UNDECODABLE}: the bytes are no known encoding: empty, a first byte that opens
 *       neither Avro single-object ({@code C3 01}), Confluent wire ({@code 00} + schema id) nor a
 *       JSON object (an opening brace, after blanks and a UTF-8 BOM), or a JSON object that is not
 *       well-formed JSON (cut off, a stray token);
 *   <li>{@link Reason#BAD_SCHEMA}: a known encoding whose content is not a valid TextEvent: a
 *       missing or mistyped field, an unknown schema, and <b>any text that is not Unicode</b>,
 *       whether raw bytes that are not UTF-8 or a JSON escape of a lone surrogate (backslash u d800
 *       in a JSON string). Both forms of invalid text are the same problem and get the same reason,
 *       in every encoding.
 * </ul>
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
        if (value.length >= 3
                && (value[0] & 0xff) == 0xEF
                && (value[1] & 0xff) == 0xBB
                && (value[2] & 0xff) == 0xBF) first = 3;
        while (first < value.length && Character.isWhitespace(value[first])) first++;
        if (first < value.length && value[first] == '{') {
            // Invalid UTF-8 is a content problem like an escaped lone surrogate, not "no JSON".
            if (Utf8Check.firstInvalidOffset(value) >= 0) return Reason.BAD_SCHEMA;
            try {
                JSON.readTree(value, first, value.length - first);
                return Reason.BAD_SCHEMA;
            } catch (IOException notJson) {
                return Reason.UNDECODABLE;
            }
        }
        return Reason.UNDECODABLE;
    }

    /**
     * The field or envelope part the decoder named ({@code TextEvent.id}, {@code
     * TextEvent.attributes.lang}, {@code header.fingerprint}, {@code value}), or null.
     */
    static String field(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause())
            if (t instanceof RejectedFieldException r) return r.field();
        return null;
    }
}
