package io.streambert.serde.registry;

import java.time.Duration;
import org.apache.kafka.common.errors.RetriableException;

/**
 * The registry gave no usable answer: unreachable, timed out, or any HTTP answer other than a
 * definitive one (a 2xx, "this id/subject does not exist", or 409/422 about a schema we register).
 * 401, 403, 429, 3xx and 5xx are all this. Deliberately NOT a {@link
 * org.apache.kafka.common.errors.SerializationException}: the record is probably fine, so it must
 * never go to the dead-letter topic; the caller pauses and tries again after {@link #retryAfter()}.
 * While the client backs off, calls fail fast with this exception without a request.
 */
public final class RegistryUnavailableException extends RetriableException {
    private final int status;
    private final Duration retryAfter;

    public RegistryUnavailableException(String message, Throwable cause) {
        this(message, cause, -1, Duration.ZERO);
    }

    public RegistryUnavailableException(
            String message, Throwable cause, int status, Duration retryAfter) {
        super(message, cause);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    /**
     * The HTTP status of the last answer, or -1 when no answer came (connection refused, timeout).
     */
    public int status() {
        return status;
    }

    /**
     * How long the client will refuse to call the registry again; the caller should wait at least
     * this long.
     */
    public Duration retryAfter() {
        return retryAfter;
    }
}
