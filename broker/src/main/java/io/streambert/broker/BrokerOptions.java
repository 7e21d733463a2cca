package io.streambert.broker;

import java.nio.file.Path;
import java.util.Map;

/**
 * How to start an {@link EmbeddedKafkaBroker}.
 *
 * @param port broker (client) port on 127.0.0.1; 0 picks a free one
 * @param logDir where the broker keeps its data; null means a temporary directory deleted on close
 * @param overrides extra broker properties that replace the single-node defaults (e.g. a shorter
 *     transaction cleanup interval in a test)
 */
public record BrokerOptions(int port, Path logDir, Map<String, String> overrides) {

    public BrokerOptions {
        if (port < 0 || port > 65535)
            throw new IllegalArgumentException("broker port must be 0..65535, got " + port);
        overrides = Map.copyOf(overrides);
    }

    public static BrokerOptions defaults() {
        return new BrokerOptions(0, null, Map.of());
    }

    public BrokerOptions withPort(int newPort) {
        return new BrokerOptions(newPort, logDir, overrides);
    }

    public BrokerOptions withLogDir(Path dir) {
        return new BrokerOptions(port, dir, overrides);
    }

    public BrokerOptions withOverrides(Map<String, String> extra) {
        return new BrokerOptions(port, logDir, extra);
    }
}
