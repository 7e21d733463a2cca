package io.streambert.it;

import io.streambert.broker.EmbeddedKafkaBroker;
import io.streambert.service.StreamBertService;
import io.streambert.service.config.ConfigKeys;
import io.streambert.service.config.ServiceConfig;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * How the broker ITs start the service and which settings they use: small batches and short waits
 * so a few dozen events flow in seconds on 2 cores, no HTTP port, the golden tiny model on the CPU.
 */
final class ServiceUnderTest {
    private ServiceUnderTest() {}

    /** Starts the service in this JVM; closing the handle stops it cleanly. */
    static AutoCloseable start(ServiceConfig config) throws Exception {
        StreamBertService service = StreamBertService.start(config);
        if (!service.awaitReady(Duration.ofSeconds(60))) {
            service.close();
            throw new IllegalStateException(
                    "the service did not become ready within 60 s (state " + service.state() + ")");
        }
        return service;
    }

    /**
     * Creates the service's topics: its first input, moderation and embedding topics with {@code
     * partitions} partitions each, the dead-letter topic with one.
     */
    static void createTopics(EmbeddedKafkaBroker broker, ServiceConfig config, int partitions) {
        broker.createTopics(
                Map.of(
                        config.topics().inputs().get(0),
                        partitions,
                        config.topics().moderation(),
                        partitions,
                        config.topics().embedding(),
                        partitions,
                        config.topics().deadLetter(),
                        1));
    }

    /** The golden tiny-a model (test resource): 4 layers, labels safe/spam/toxic. */
    static Path tinyModel() {
        URL url = ServiceUnderTest.class.getClassLoader().getResource("golden/tiny-a/config.json");
        if (url == null)
            throw new IllegalStateException("test resource golden/tiny-a/config.json is missing");
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Settings shared by the ITs; callers add or override keys before build(). */
    static ServiceConfig.Builder config(String bootstrap, String applicationId, Path stateDir) {
        return ServiceConfig.builder()
                .set(ConfigKeys.APPLICATION_ID, applicationId)
                .set(ConfigKeys.BOOTSTRAP_SERVERS, bootstrap)
                .set(ConfigKeys.TOPIC_INPUT, applicationId + "-in")
                .set(ConfigKeys.TOPIC_MODERATION, applicationId + "-moderation")
                .set(ConfigKeys.TOPIC_EMBEDDING, applicationId + "-embedding")
                .set(ConfigKeys.TOPIC_DEAD_LETTER, applicationId + "-dead")
                .set(ConfigKeys.MODEL_DIR, tinyModel().toString())
                .set(ConfigKeys.MODEL_DEVICE, "cpu")
                .set(ConfigKeys.MODEL_THREADS, "1")
                .set(ConfigKeys.STATE_DIR, stateDir.toString())
                .set(ConfigKeys.SCHEDULER_MAX_DELAY_MS, "20")
                .set(ConfigKeys.HTTP_PORT, "-1")
                .set(ConfigKeys.PROGRESS_INTERVAL_MS, "0")
                // A restarted instance must not wait 45 s for the dead one's session to expire.
                .set("kafka.session.timeout.ms", "6000")
                .set("kafka.heartbeat.interval.ms", "1000");
    }
}
