package io.streambert.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.broker.EmbeddedKafkaBroker;
import io.streambert.broker.KafkaBrokerExtension;
import io.streambert.broker.TestClients;
import io.streambert.service.config.ServiceConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once across a crash: the service runs in a second JVM, is killed with SIGKILL while
 * events are still arriving (no close, no final commit, a transaction possibly open), and is
 * started again on the same state directory. Under read_committed every input then has exactly one
 * moderation and one embedding event: none lost (buffered-but-unflushed records survive in the
 * changelogged store or are re-read), none duplicated (the dead instance's open transaction is
 * aborted and its outputs never become visible).
 */
@ExtendWith(KafkaBrokerExtension.class)
class KillAndRestartIT {

    static final int EVENTS_PER_SECOND = 20;
    static final int MAX_EVENTS = 400;
    static final int KILL_AFTER_OUTPUTS = 12;

    @Test
    void everyInputHasExactlyOneOutputAfterSigkillAndRestart(
            EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
        String app = "kill-it";
        Path state = dir.resolve("state");
        ServiceConfig config =
                ServiceUnderTest.config(broker.bootstrapServers(), app, state).build();
        String input = config.topics().inputs().get(0);
        ServiceUnderTest.createTopics(broker, config, 2);

        ServiceProcess first =
                ServiceProcess.launch(
                        broker.bootstrapServers(), app, state, dir.resolve("first.log"));
        ServiceProcess second = null;
        AtomicReference<Throwable> producerError = new AtomicReference<>();
        AtomicBoolean stopProducing = new AtomicBoolean();
        AtomicInteger sent = new AtomicInteger();
        Thread producer = null;
        try {
            first.awaitStarted(Duration.ofSeconds(90));
            // Events keep arriving before, during and after the kill, until the restarted instance
            // is up.
            producer =
                    Thread.ofPlatform()
                            .name("kill-it-producer")
                            .start(
                                    () ->
                                            produce(
                                                    broker.bootstrapServers(),
                                                    input,
                                                    stopProducing,
                                                    sent,
                                                    producerError));
            awaitCommittedOutputs(
                    broker.bootstrapServers(),
                    config.topics().moderation(),
                    KILL_AFTER_OUTPUTS,
                    Duration.ofSeconds(90),
                    first);
            first.kill();
            int sentAtKill = sent.get();

            second =
                    ServiceProcess.launch(
                            broker.bootstrapServers(), app, state, dir.resolve("second.log"));
            second.awaitStarted(Duration.ofSeconds(90));
            Thread.sleep(1000);
            stopProducing.set(true);
            producer.join(Duration.ofSeconds(30).toMillis());
            assertEquals(null, producerError.get(), "producer error");
            int events = sent.get();
            assertTrue(
                    events > sentAtKill,
                    "events were still being produced after the kill ("
                            + sentAtKill
                            + " -> "
                            + events
                            + ")");

            Map<String, Integer> moderation =
                    idCounts(
                            broker,
                            config.topics().moderation(),
                            events,
                            r -> Outputs.moderation(r).getId());
            Map<String, Integer> embedding =
                    idCounts(
                            broker,
                            config.topics().embedding(),
                            events,
                            r -> Outputs.embedding(r).getId());
            List<String> dead =
                    TestClients.readUntil(
                                    broker.bootstrapServers(),
                                    config.topics().deadLetter(),
                                    "read_committed",
                                    recs -> false,
                                    Duration.ZERO,
                                    Duration.ofSeconds(1))
                            .stream()
                            .map(r -> new String(r.key(), UTF_8))
                            .toList();

            System.out.printf(
                    "KillAndRestartIT: %d events sent (%d before the SIGKILL), %d moderation and %d embedding records read%n",
                    events,
                    sentAtKill,
                    moderation.values().stream().mapToInt(Integer::intValue).sum(),
                    embedding.values().stream().mapToInt(Integer::intValue).sum());
            assertEquals(List.of(), dead, "no dead letters for good events");
            assertExactlyOnce("moderation", moderation, events, second);
            assertExactlyOnce("embedding", embedding, events, second);
        } finally {
            stopProducing.set(true);
            if (producer != null) producer.interrupt();
            first.kill();
            if (second != null) second.stop();
        }
    }

    private static void produce(
            String bootstrap,
            String topic,
            AtomicBoolean stop,
            AtomicInteger sent,
            AtomicReference<Throwable> error) {
        try (KafkaProducer<byte[], byte[]> producer = TestClients.producer(bootstrap, null)) {
            long start = System.nanoTime();
            for (int i = 0; i < MAX_EVENTS && !stop.get(); i++) {
                long due = start + i * 1_000_000_000L / EVENTS_PER_SECOND;
                long wait = due - System.nanoTime();
                if (wait > 0) Thread.sleep(wait / 1_000_000);
                String id = id(i);
                producer.send(
                                new ProducerRecord<>(
                                        topic,
                                        Outputs.utf8(id),
                                        Outputs.textEvent(
                                                topic,
                                                id,
                                                "event "
                                                        + i
                                                        + " of the kill-and-restart test"
                                                        + " with some words".repeat(i % 7))))
                        .get();
                sent.set(i + 1);
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            error.set(t);
        }
    }

    static String id(int i) {
        return String.format("ev-%03d", i);
    }

    // Counts committed outputs until `target` is reached; the process must stay alive meanwhile.
    private static int awaitCommittedOutputs(
            String bootstrap, String topic, int target, Duration timeout, ServiceProcess process)
            throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "kill-it-watch-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        int seen = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (seen < target) {
                if (System.nanoTime() > deadline)
                    throw new AssertionError(
                            "only "
                                    + seen
                                    + " outputs within "
                                    + timeout.toSeconds()
                                    + " s before the kill; service log:\n"
                                    + process.output());
                seen += consumer.poll(Duration.ofMillis(100)).count();
            }
        }
        return seen;
    }

    private static Map<String, Integer> idCounts(
            EmbeddedKafkaBroker broker,
            String topic,
            int events,
            Function<ConsumerRecord<byte[], byte[]>, String> id) {
        List<ConsumerRecord<byte[], byte[]>> records =
                TestClients.readUntil(
                        broker.bootstrapServers(),
                        topic,
                        "read_committed",
                        recs -> recs.stream().map(id).distinct().count() >= events,
                        Duration.ofSeconds(120),
                        Duration.ofSeconds(3));
        List<String> ids = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) ids.add(id.apply(r));
        return new TreeMap<>(Outputs.idCounts(ids));
    }

    private static void assertExactlyOnce(
            String what, Map<String, Integer> counts, int events, ServiceProcess second)
            throws Exception {
        List<String> missing = new ArrayList<>();
        List<String> duplicated = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            int n = counts.getOrDefault(id(i), 0);
            if (n == 0) missing.add(id(i));
            if (n > 1) duplicated.add(id(i) + " x" + n);
        }
        assertTrue(
                missing.isEmpty() && duplicated.isEmpty(),
                what
                        + ": missing "
                        + missing
                        + ", duplicated "
                        + duplicated
                        + "\nrestarted service log:\n"
                        + tail(second.output()));
        assertEquals(events, counts.size(), what + ": unexpected ids " + counts.keySet());
    }

    private static String tail(String s) {
        return s.length() <= 4000 ? s : s.substring(s.length() - 4000);
    }
}
