package io.streambert.it;

import io.streambert.gpu.Encoder;
import io.streambert.gpu.EncoderOptions;
import io.streambert.gpu.Encoders;
import io.streambert.service.config.ConfigKeys;
import io.streambert.service.config.StreamsSettings;
import io.streambert.service.schedule.InferenceScheduler;
import io.streambert.service.topology.StreamBertTopology;
import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;
import io.streambert.service.config.ServiceConfig;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/**
 * How the broker ITs start the service and which settings they use: small batches and short waits so a
 * few dozen events flow in seconds on 2 cores, no HTTP port, the golden tiny model on the CPU.
 */
final class ServiceUnderTest {
    private ServiceUnderTest() {
    }

    /** Starts the service in this JVM; closing the handle stops it cleanly. */
    static AutoCloseable start(ServiceConfig config) throws Exception {
        // Interim until io.streambert.service.StreamBertService lands: the same parts wired by hand.
        Encoder encoder = Encoders.open(config.modelDir(), EncoderOptions.defaults().withDevice(config.device())
                .withThreads(config.modelThreads()));
        InferenceScheduler scheduler = new InferenceScheduler(encoder, config.schedulerMaxBatchTokens(),
                config.schedulerMaxBatchSequences(), config.schedulerQueueTokens(), null);
        KafkaStreams streams = new KafkaStreams(StreamBertTopology.build(config, scheduler), StreamsSettings.build(config).properties());
        streams.start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (streams.state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) Thread.sleep(100);
        return () -> {
            streams.close(Duration.ofSeconds(30));
            scheduler.close();
            encoder.close();
        };
    }

    /** The golden tiny-a model (test resource): 4 layers, labels safe/spam/toxic. */
    static Path tinyModel() {
        URL url = ServiceUnderTest.class.getClassLoader().getResource("golden/tiny-a/config.json");
        if (url == null) throw new IllegalStateException("test resource golden/tiny-a/config.json is missing");
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
                .set(ConfigKeys.BATCH_MAX_RECORDS, "4")
                .set(ConfigKeys.BATCH_MAX_WAIT_MS, "50")
                .set(ConfigKeys.HTTP_PORT, "-1")
                .set(ConfigKeys.PROGRESS_INTERVAL_MS, "0")
                // A restarted instance must not wait 45 s for the dead one's session to expire.
                .set("kafka.session.timeout.ms", "6000")
                .set("kafka.heartbeat.interval.ms", "1000");
    }
}
