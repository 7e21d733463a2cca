package io.streambert.serde.registry;

import org.apache.kafka.common.errors.RetriableException;

/**
 * The registry could not be reached, timed out or answered 5xx. Deliberately NOT a SerializationException: the
 * record is probably fine, so it must not go to the dead-letter topic; the caller should fail and retry later.
 */
public final class RegistryUnavailableException extends RetriableException {
    public RegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
