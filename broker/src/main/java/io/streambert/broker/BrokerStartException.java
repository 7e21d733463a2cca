package io.streambert.broker;

/**
 * The embedded broker could not be formatted or started; the message says which port/directory and
 * why.
 */
public final class BrokerStartException extends RuntimeException {
    public BrokerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
