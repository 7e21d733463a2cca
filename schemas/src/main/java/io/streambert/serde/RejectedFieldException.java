package io.streambert.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Bytes that cannot be decoded, with the part of the value at fault: a field of the record by its
 * path ({@code TextEvent.text}, {@code TextEvent.attributes.lang}), a part of the envelope ({@value
 * #MAGIC}, {@value #FINGERPRINT}, {@value #SCHEMA_ID}, {@value #HEADER} when it is cut short), the
 * Avro {@value #BODY} as a whole (bytes after the last field), or the {@value #VALUE} as a whole
 * (empty, or no known encoding). Every rejection of the decoders is one of these, and its message
 * contains {@link #field()}.
 */
public class RejectedFieldException extends SerializationException {
    public static final String VALUE = "value";
    public static final String HEADER = "header";
    public static final String MAGIC = "header.magic";
    public static final String FINGERPRINT = "header.fingerprint";
    public static final String SCHEMA_ID = "header.schema_id";
    public static final String BODY = "body";

    private final String field;

    public RejectedFieldException(String field, String message, Throwable cause) {
        super(message.contains(field) ? message : message + " (field " + field + ")", cause);
        this.field = field;
    }

    public RejectedFieldException(String field, String message) {
        this(field, message, null);
    }

    /** The field path or envelope part at fault; always part of the message. */
    public String field() {
        return field;
    }
}
