package io.streambert.demo;

import io.streambert.broker.BrokerOptions;
import io.streambert.broker.EmbeddedKafkaBroker;
import io.streambert.broker.QuietKafkaLogs;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@link LocalBroker} over module broker's {@link EmbeddedKafkaBroker}: the one production class of
 * the application that names a broker type (ArchitectureTest holds it to that). It is loaded only
 * after {@link LocalBroker} has checked that the broker is on the class path.
 */
final class EmbeddedLocalBroker implements LocalBroker {
    private final EmbeddedKafkaBroker broker;

    private EmbeddedLocalBroker(EmbeddedKafkaBroker broker) {
        this.broker = broker;
    }

    static LocalBroker start(int port, Path dir) {
        return new EmbeddedLocalBroker(
                EmbeddedKafkaBroker.start(BrokerOptions.defaults().withPort(port).withLogDir(dir)));
    }

    static void quietKafkaLogs() {
        QuietKafkaLogs.apply();
    }

    @Override
    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    @Override
    public Path logDir() {
        return broker.logDir();
    }

    @Override
    public void createTopics(Map<String, Integer> partitionsByTopic) {
        broker.createTopics(partitionsByTopic);
    }

    @Override
    public void close() {
        broker.close();
    }
}
