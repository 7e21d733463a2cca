package io.streambert.service.config;

/**
 * A configuration value the service cannot run with; the message names the key, where it came from,
 * and the problem.
 */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
