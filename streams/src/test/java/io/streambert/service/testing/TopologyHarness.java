package io.streambert.service.testing;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streambert.engine.Encoder;
import io.streambert.schemas.DeadLetter;
import io.streambert.schemas.EmbeddingEvent;
import io.streambert.schemas.ModerationEvent;
import io.streambert.schemas.TextEvent;
import io.streambert.serde.EventSerdes;
import io.streambert.service.config.ServiceConfig;
import io.streambert.service.config.StreamsSettings;
import io.streambert.service.ops.BufferAges;
import io.streambert.service.ops.ServiceMetrics;
import io.streambert.service.schedule.DeviceBatch;
import io.streambert.service.schedule.InferenceScheduler;
import io.streambert.service.schedule.SchedulerListener;
import io.streambert.service.schedule.SchedulerSettings;
import io.streambert.service.topology.ServiceSerdes;
import io.streambert.service.topology.StreamBertTopology;
import io.streambert.service.validate.ValidationOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * One TopologyTestDriver around the real topology with a given encoder; closes driver and scheduler
 * together.
 */
public final class TopologyHarness implements AutoCloseable {
    public static final EventSerdes SERDES = EventSerdes.registryFree();

    public final ServiceConfig config;
    public final InferenceScheduler scheduler;
    public final ServiceMetrics metrics;

    /** Set to simulate a shutdown in progress (StreamBertService.close sets the same flag). */
    public final java.util.concurrent.atomic.AtomicBoolean draining =
            new java.util.concurrent.atomic.AtomicBoolean();

    public final TopologyTestDriver driver;
    public final TestInputTopic<byte[], byte[]> input;

    public TopologyHarness(ServiceConfig config, Encoder encoder, Path stateDir) {
        this(config, encoder, stateDir, ValidationOptions.from(config.validation()));
    }

    /** With validation options other than the defaults. */
    public TopologyHarness(
            ServiceConfig config, Encoder encoder, Path stateDir, ValidationOptions validation) {
        this(config, encoder, new ServiceMetrics(new SimpleMeterRegistry()), stateDir, validation);
    }

    private TopologyHarness(
            ServiceConfig config,
            Encoder encoder,
            ServiceMetrics metrics,
            Path stateDir,
            ValidationOptions validation) {
        this.config = config;
        this.metrics = metrics;
        this.scheduler =
                new InferenceScheduler(
                        encoder,
                        SchedulerSettings.from(config),
                        new SchedulerListener() {
                            @Override
                            public void batch(DeviceBatch b) {
                                metrics.deviceBatch(b);
                            }
                        });
        Properties props = StreamsSettings.build(config).properties();
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver =
                new TopologyTestDriver(
                        StreamBertTopology.build(
                                config,
                                scheduler,
                                ServiceSerdes.forConfig(config),
                                metrics,
                                new BufferAges(),
                                draining::get,
                                validation),
                        props,
                        Instant.ofEpochMilli(1_000_000));
        input =
                driver.createInputTopic(
                        config.topics().inputs().get(0),
                        new ByteArraySerializer(),
                        new ByteArraySerializer());
    }

    /**
     * A config with test-friendly defaults (a device batch starts as soon as anything is pending).
     */
    public static ServiceConfig.Builder config() {
        return ServiceConfig.builder()
                .set("bootstrap.servers", "unused:9092")
                .set("topic.input", "text")
                .set("topic.moderation", "moderation")
                .set("topic.embedding", "embedding")
                .set("topic.dead.letter", "dead")
                .set("scheduler.max.delay.ms", 0)
                .set("http.port", -1);
    }

    public static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] textEvent(String id, String text) {
        return textEvent(id, text, Map.of());
    }

    public static byte[] textEvent(String id, String text, Map<String, String> attributes) {
        TextEvent e =
                TextEvent.newBuilder().setId(id).setText(text).setAttributes(attributes).build();
        return SERDES.textEvents().serializer().serialize("text", e);
    }

    /**
     * Pipes one record, waits until the scheduler has computed everything submitted, and lets the
     * punctuator forward it.
     */
    public void send(String key, byte[] value) {
        pipe(key, value);
        settle();
    }

    public void send(String key, String id, String text) {
        send(key, textEvent(id, text));
    }

    /** Pipes one record without waiting for its results. */
    public void pipe(String key, byte[] value) {
        input.pipeInput(bytes(key), value);
    }

    public void pipe(String key, String id, String text) {
        pipe(key, textEvent(id, text));
    }

    /**
     * Waits (up to 10 s) until nothing is in flight in the scheduler, then runs the forwarding
     * punctuator.
     */
    public void settle() {
        awaitNoInflight();
        advanceWallClock(config.buffer().forwardIntervalMs());
    }

    public void awaitNoInflight() {
        long end = System.nanoTime() + 10_000_000_000L;
        while (scheduler.inflightTokens() > 0) {
            if (System.nanoTime() > end)
                throw new AssertionError(
                        "scheduler still has "
                                + scheduler.inflightTokens()
                                + " tokens in flight after 10 s");
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    public void advanceWallClock(long ms) {
        driver.advanceWallClockTime(Duration.ofMillis(ms));
    }

    public TestOutputTopic<byte[], ModerationEvent> moderation(String topic) {
        return driver.createOutputTopic(
                topic, new ByteArrayDeserializer(), des(SERDES.moderationEvents().deserializer()));
    }

    public TestOutputTopic<byte[], EmbeddingEvent> embedding(String topic) {
        return driver.createOutputTopic(
                topic, new ByteArrayDeserializer(), des(SERDES.embeddingEvents().deserializer()));
    }

    public TestOutputTopic<byte[], DeadLetter> deadLetters() {
        return driver.createOutputTopic(
                config.topics().deadLetter(),
                new ByteArrayDeserializer(),
                des(SERDES.deadLetters().deserializer()));
    }

    private static <T> Deserializer<T> des(Deserializer<T> d) {
        return d;
    }

    @Override
    public void close() {
        try {
            driver.close();
        } finally {
            scheduler.close();
            scheduler.encoder().close();
        }
    }
}
