package io.streambert.broker;

/**
 * Turns the Kafka broker's and clients' INFO chatter down to WARN (slf4j-simple reads these system
 * properties when a logger is first created), so a demo or test run shows its own output. A level
 * set explicitly with -D wins. Call before the first broker or client is created.
 */
public final class QuietKafkaLogs {
    private static final String PREFIX = "org.slf4j.simpleLogger.log.";
    private static final String[] NOISY = {
        "kafka", "org.apache.kafka", "state.change.logger", "org.apache.zookeeper"
    };

    private QuietKafkaLogs() {}

    public static void apply() {
        for (String logger : NOISY) {
            if (System.getProperty(PREFIX + logger) == null)
                System.setProperty(PREFIX + logger, "warn");
        }
    }
}
