package io.streambert.serde.registry;

import org.apache.kafka.common.KafkaException;

/**
 * The registry answered a 4xx other than "not found": bad credentials (401/403), an incompatible schema (409), an
 * invalid schema (422). Carries the HTTP status and the registry's {@code error_code}.
 */
public final class RegistryErrorException extends KafkaException {
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

    /** The registry's own error code (e.g. 40403 schema not found, 409 incompatible), or -1 when it sent none. */
    public int errorCode() {
        return errorCode;
    }
}
