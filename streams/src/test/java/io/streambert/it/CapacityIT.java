package io.streambert.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streambert.broker.EmbeddedKafkaBroker;
import io.streambert.broker.KafkaBrokerExtension;
import io.streambert.broker.TestClients;
import io.streambert.service.StreamBertService;
import io.streambert.service.baseline.BlockingBatchLimits;
import io.streambert.service.baseline.BlockingScheduler;
import io.streambert.service.baseline.BlockingTopology;
import io.streambert.service.config.ConfigKeys;
import io.streambert.service.config.ServiceConfig;
import io.streambert.service.config.StreamsSettings;
import io.streambert.service.ops.ServiceMetrics;
import io.streambert.service.schedule.DeviceBatch;
import io.streambert.service.testing.DeviceModelEncoder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Capacity against a device model: an encoder whose launch costs {@code L + tokens / C} (L = 2 ms,
 * C = 1M tokens/s) stands in for a GPU. 8 partitions, 4 stream threads, a burst of 20,000 short
 * events already in the topic. Three runs in one test, each under its own application id, reading
 * the same input:
 *
 * <ol>
 *   <li>the pipeline's own CPU limit: the service with a device that costs nothing;
 *   <li>the service with the device model;
 *   <li>the previous, blocking design (a stream thread waits for its micro-batch) with the same
 *       device model.
 * </ol>
 *
 * Asserts: mean tokens per launch >= 70 % of the budget, and delivered events/s >= 70 % of the
 * lower of the device model's bound and the pipeline's own limit. Prints every figure
 * (docs/SERVICE.md records them).
 */
@ExtendWith(KafkaBrokerExtension.class)
class CapacityIT {
    static final int EVENTS = 20_000;
    static final int PARTITIONS = 8;
    static final int THREADS = 4;
    static final int BUDGET = 4096;
    static final double LAUNCH_MS = 2;
    static final double TOKENS_PER_SECOND = 1_000_000;

    record Run(
            String name,
            double seconds,
            long launches,
            long tokens,
            double meanFill,
            double callersPerLaunch) {
        double eventsPerSecond() {
            return EVENTS / seconds;
        }
    }

    @Test
    void continuousBatchingFillsTheDeviceAndKeepsUpWithThePipeline(
            EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
        String input = "capacity-in";
        broker.createTopics(Map.of(input, PARTITIONS));
        long inputTokens = produceBurst(broker.bootstrapServers(), input);
        double tokensPerEvent = (double) inputTokens / EVENTS;

        // A first run only warms up the JIT (on a shared machine it is several times slower than
        // the next). Then the
        // pipeline's limit is measured before and after the two designs, and their mean counts:
        // load drifts.
        Run warmUp = runService(broker, dir, "cap-warm-up", input, new DeviceModelEncoder(0, 0));
        Run pipelineBefore =
                runService(broker, dir, "cap-pipeline-1", input, new DeviceModelEncoder(0, 0));
        Run service =
                runService(
                        broker,
                        dir,
                        "cap-service",
                        input,
                        new DeviceModelEncoder(LAUNCH_MS, TOKENS_PER_SECOND));
        Run blocking =
                runBlocking(
                        broker,
                        dir,
                        "cap-blocking",
                        input,
                        new DeviceModelEncoder(LAUNCH_MS, TOKENS_PER_SECOND));
        Run pipelineAfter =
                runService(broker, dir, "cap-pipeline-2", input, new DeviceModelEncoder(0, 0));
        Run pipeline =
                new Run(
                        "pipeline",
                        (pipelineBefore.seconds() + pipelineAfter.seconds()) / 2,
                        0,
                        0,
                        0,
                        0);

        DeviceModelEncoder model = new DeviceModelEncoder(LAUNCH_MS, TOKENS_PER_SECOND);
        double deviceBound =
                BUDGET / model.launchSeconds(BUDGET) / tokensPerEvent; // full launches back to back
        double bound = Math.min(deviceBound, pipeline.eventsPerSecond());
        String report =
                String.format(
                        Locale.ROOT,
                        """
                CapacityIT: %d events (%.1f tokens each) on %d partitions, %d stream threads, budget %d tokens, device model L=%.0f ms C=%.0f tokens/s
                  device model bound (full launches back to back): %.0f events/s
                  pipeline's own limit (zero-cost device):          %.0f events/s (%.1f s: mean of %.1f s before and %.1f s after; warm-up run %.1f s)
                  service, continuous batching:                     %.0f events/s (%.1f s) = %.2f of min(bounds); %d launches, mean fill %.2f, %.2f tasks per launch
                  previous blocking design (baseline):              %.0f events/s (%.1f s) = %.2f of min(bounds); %d launches, mean fill %.2f, %.2f micro-batches per launch
                  continuous / blocking: %.2fx events/s, %.2fx fill; load %s""",
                        EVENTS,
                        tokensPerEvent,
                        PARTITIONS,
                        THREADS,
                        BUDGET,
                        LAUNCH_MS,
                        TOKENS_PER_SECOND,
                        deviceBound,
                        pipeline.eventsPerSecond(),
                        pipeline.seconds(),
                        pipelineBefore.seconds(),
                        pipelineAfter.seconds(),
                        warmUp.seconds(),
                        service.eventsPerSecond(),
                        service.seconds(),
                        service.eventsPerSecond() / bound,
                        service.launches(),
                        service.meanFill(),
                        service.callersPerLaunch(),
                        blocking.eventsPerSecond(),
                        blocking.seconds(),
                        blocking.eventsPerSecond() / bound,
                        blocking.launches(),
                        blocking.meanFill(),
                        blocking.callersPerLaunch(),
                        service.eventsPerSecond() / blocking.eventsPerSecond(),
                        service.meanFill() / blocking.meanFill(),
                        loadAverage());
        System.out.println(report);
        assertTrue(
                service.meanFill() >= 0.70,
                "mean tokens per launch below 70 % of the budget\n" + report);
        assertTrue(
                service.eventsPerSecond() >= 0.70 * bound,
                "delivered events/s below 70 % of the bound\n" + report);
    }

    /**
     * Writes the burst (short texts of 3 to 12 words) and returns its total tokens as the encoder
     * counts them.
     */
    private static long produceBurst(String bootstrap, String topic) throws Exception {
        Random rnd = new Random(8);
        String[] words =
                "the quick brown fox jumps over a lazy dog while streams of short events keep arriving all day long"
                        .split(" ", -1);
        long tokens = 0;
        try (KafkaProducer<byte[], byte[]> producer = TestClients.producer(bootstrap, null)) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < EVENTS; i++) {
                int n = 3 + rnd.nextInt(10);
                StringBuilder sb = new StringBuilder("event" + i);
                for (int w = 1; w < n; w++) sb.append(' ').append(words[rnd.nextInt(words.length)]);
                tokens += n + 2;
                String id = "e" + i;
                sent.add(
                        producer.send(
                                new ProducerRecord<>(
                                        topic,
                                        Outputs.utf8(id),
                                        Outputs.textEvent(topic, id, sb.toString()))));
            }
            producer.flush();
            TestClients.awaitAcks(sent);
        }
        return tokens;
    }

    private static ServiceConfig config(
            EmbeddedKafkaBroker broker, Path dir, String app, String input) {
        return ServiceUnderTest.config(broker.bootstrapServers(), app, dir.resolve(app))
                .set(ConfigKeys.TOPIC_INPUT, input)
                .set(ConfigKeys.TOPIC_EMBEDDING, "")
                .set(ConfigKeys.TOPICS_PARTITIONS, PARTITIONS)
                .set(ConfigKeys.NUM_STREAM_THREADS, THREADS)
                .set(ConfigKeys.SCHEDULER_MAX_BATCH_TOKENS, BUDGET)
                .set(ConfigKeys.SCHEDULER_MAX_BATCH_SEQUENCES, 1024)
                .set(ConfigKeys.SCHEDULER_MAX_DELAY_MS, 200)
                .set("kafka.consumer.auto.offset.reset", "earliest")
                .build();
    }

    private static Run runService(
            EmbeddedKafkaBroker broker,
            Path dir,
            String app,
            String input,
            DeviceModelEncoder encoder)
            throws Exception {
        ServiceConfig config = config(broker, dir, app, input);
        try (StreamBertService service = StreamBertService.start(config, encoder)) {
            assertTrue(service.awaitReady(Duration.ofSeconds(60)), "service ready");
            long t0 = System.nanoTime(); // from RUNNING (partitions assigned) to the last output,
            // as for the baseline
            awaitOutputs(
                    broker.bootstrapServers(), config.topics().moderation(), Duration.ofMinutes(3));
            double seconds = (System.nanoTime() - t0) / 1e9;
            ServiceMetrics m = service.metrics();
            assertEquals(
                    0,
                    service.metrics().threadReplacementsTotal(),
                    "no stream thread was replaced");
            return new Run(
                    app,
                    seconds,
                    encoder.launches.get(),
                    encoder.tokens.get(),
                    m.meanDeviceBatchFill(),
                    m.meanCallersPerDeviceBatch());
        }
    }

    private static Run runBlocking(
            EmbeddedKafkaBroker broker,
            Path dir,
            String app,
            String input,
            DeviceModelEncoder encoder)
            throws Exception {
        ServiceConfig config = config(broker, dir, app, input);
        broker.createTopics(
                Map.of(config.topics().moderation(), PARTITIONS, config.topics().deadLetter(), 1));
        List<DeviceBatch> batches = new CopyOnWriteArrayList<>();
        // The previous release's defaults: micro-batches of 64 records / 8192 tokens / 50 ms, a
        // queue of 65536 tokens.
        BlockingScheduler scheduler =
                new BlockingScheduler(encoder, BUDGET, 1024, 65_536, batches::add);
        Properties props = StreamsSettings.build(config).properties();
        try (KafkaStreams streams =
                new KafkaStreams(
                        BlockingTopology.build(
                                config,
                                scheduler,
                                new BlockingBatchLimits(64, 8192, 50, 60_000),
                                new ServiceMetrics(new SimpleMeterRegistry())),
                        props)) {
            streams.start();
            for (int i = 0; i < 1200 && streams.state() != KafkaStreams.State.RUNNING; i++)
                Thread.sleep(50);
            long t0 = System.nanoTime();
            awaitOutputs(
                    broker.bootstrapServers(), config.topics().moderation(), Duration.ofMinutes(5));
            double seconds = (System.nanoTime() - t0) / 1e9;
            double fill =
                    batches.stream()
                            .mapToDouble(b -> (double) b.tokens() / BUDGET)
                            .average()
                            .orElse(0);
            double callers = batches.stream().mapToInt(DeviceBatch::callers).average().orElse(0);
            streams.close(Duration.ofSeconds(30));
            return new Run(
                    app, seconds, encoder.launches.get(), encoder.tokens.get(), fill, callers);
        } finally {
            scheduler.close();
        }
    }

    /**
     * Waits until {@link #EVENTS} committed outputs are on {@code topic}; fails on duplicates or a
     * timeout.
     */
    private static void awaitOutputs(String bootstrap, String topic, Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "capacity-watch-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        long seen = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            while (seen < EVENTS) {
                if (System.nanoTime() > deadline)
                    throw new AssertionError(
                            "only "
                                    + seen
                                    + " of "
                                    + EVENTS
                                    + " outputs on "
                                    + topic
                                    + " within "
                                    + timeout);
                seen += consumer.poll(Duration.ofMillis(20)).count();
            }
        }
        assertEquals(EVENTS, seen, "exactly one output per event on " + topic);
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "unknown";
        }
    }
}
