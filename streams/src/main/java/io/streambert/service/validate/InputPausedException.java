package io.streambert.service.validate;

import org.apache.kafka.common.errors.RetriableException;

/**
 * Validation cannot tell whether a record is good yet: the schema registry gave no usable answer,
 * or (under {@code unknown.fingerprint.policy=pause}) the record was written with a schema this
 * release does not know. Thrown after {@link ValidationOptions#pauseRetryMs()} of retrying in
 * place; it fails the task, so its transaction aborts and the record is read again (the stream
 * thread is replaced). The record is never dead-lettered for it.
 */
public final class InputPausedException extends RetriableException {
    /** "registry-unavailable" or "unknown-fingerprint". */
    private final String cause;

    public InputPausedException(String cause, String message, Throwable e) {
        super(message, e);
        this.cause = cause;
    }

    public String pauseCause() {
        return cause;
    }
}
