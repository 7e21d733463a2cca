package io.streambert.serde.registry;

import org.apache.kafka.common.KafkaException;

/**
 * A definitive answer from the registry that is not a success: the id, subject or version does not
 * exist (404 with error_code 40401/40402/40403), the schema we register is incompatible (409) or
 * invalid (422), or the schema behind an id is not one we can read (a Protobuf or JSON Schema, or
 * unparseable Avro). Anything else the registry answers is a {@link RegistryUnavailableException}.
 * Carries the HTTP status and the registry's {@code error_code}.
 */
public final class RegistryErrorException extends KafkaException {
    /** Confluent's error_code for "schema not found" (an id or a schema under a subject). */
    public static final int SCHEMA_NOT_FOUND = 40403;

    private final int status;
    private final int errorCode;

    public RegistryErrorException(String message, int status, int errorCode) {
        super(message);
        this.status = status;
        this.errorCode = errorCode;
    }

    public int status() {
        return status;
    }

    /**
     * The registry's own error code (e.g. 40403 schema not found, 409 incompatible), or -1 when it
     * sent none.
     */
    public int errorCode() {
        return errorCode;
    }

    /** True when the registry said the schema id does not exist. */
    public boolean schemaNotFound() {
        return status == 404 && errorCode == SCHEMA_NOT_FOUND;
    }
}
