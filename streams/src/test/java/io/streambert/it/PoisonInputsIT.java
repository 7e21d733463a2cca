package io.streambert.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.broker.EmbeddedKafkaBroker;
import io.streambert.broker.KafkaBrokerExtension;
import io.streambert.broker.TestClients;
import io.streambert.schemas.DeadLetter;
import io.streambert.schemas.TextEvent;
import io.streambert.service.StreamBertService;
import io.streambert.service.config.ConfigKeys;
import io.streambert.service.config.ServiceConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The four inputs that used to stall a partition for good, sent among 60 good events on 6
 * partitions against a real broker (default size limits): a bad value with a 530 KB key; a JSON
 * event_time of year 1,000,000,000; a valid event with 600 KB of attributes; a valid event with a
 * 520 KB key and a 520 KB id. Each reaches the dead-letter topic (a write the broker accepts),
 * every good event comes out exactly once within seconds, and no stream thread is replaced.
 */
@ExtendWith(KafkaBrokerExtension.class)
class PoisonInputsIT {
    static final int GOOD = 60;
    static final int PARTITIONS = 6;

    @Test
    void everyPoisonInputIsDeadLetteredAndEveryGoodEventComesOutOnce(
            EmbeddedKafkaBroker broker, @TempDir Path state) throws Exception {
        ServiceConfig config =
                ServiceUnderTest.config(broker.bootstrapServers(), "poison-it", state)
                        .set(ConfigKeys.NUM_STREAM_THREADS, 2)
                        .build();
        String input = config.topics().inputs().get(0);
        ServiceUnderTest.createTopics(broker, config, PARTITIONS);

        Map<String, ProducerRecord<byte[], byte[]>> poison = new LinkedHashMap<>();
        String key530 = "k".repeat(530_000);
        poison.put(
                "big-key-bad-value",
                new ProducerRecord<>(input, utf8(key530), utf8("not an event at all")));
        poison.put(
                "far-event-time",
                new ProducerRecord<>(
                        input,
                        utf8("far-event-time"),
                        utf8(
                                "{\"id\": \"far\", \"text\": \"a fine text\", \"event_time\": \"+1000000000-12-31T23:59:59Z\"}")));
        Map<String, String> attrs = new HashMap<>();
        attrs.put("blob", "a".repeat(600_000));
        poison.put(
                "big-attributes",
                new ProducerRecord<>(
                        input,
                        utf8("big-attributes"),
                        Outputs.SERDES
                                .textEvents()
                                .serializer()
                                .serialize(
                                        input,
                                        TextEvent.newBuilder()
                                                .setId("attrs")
                                                .setText("a fine text")
                                                .setAttributes(attrs)
                                                .build())));
        String key520 = "q".repeat(520_000);
        poison.put(
                "big-key-big-id",
                new ProducerRecord<>(
                        input,
                        utf8(key520),
                        Outputs.textEvent(input, "i".repeat(520_000), "a fine text")));
        Map<String, String> reasons =
                Map.of(
                        "big-key-bad-value",
                        "TOO_LARGE",
                        "far-event-time",
                        "BAD_TIMESTAMP",
                        "big-attributes",
                        "TOO_LARGE",
                        "big-key-big-id",
                        "TOO_LARGE");

        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 << 20);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (StreamBertService service = (StreamBertService) ServiceUnderTest.start(config);
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            long t0 = System.nanoTime();
            List<String> poisonNames = new ArrayList<>(poison.keySet());
            for (int i = 0; i < GOOD; i++) {
                String id = "good-" + i;
                producer.send(
                                new ProducerRecord<>(
                                        input,
                                        utf8(id),
                                        Outputs.textEvent(
                                                input, id, "an ordinary message number " + i)))
                        .get();
                if (i % 15 == 7)
                    producer.send(poison.get(poisonNames.get(i / 15)))
                            .get(); // spread among the good ones
            }
            List<ConsumerRecord<byte[], byte[]>> moderation =
                    TestClients.readUntil(
                            broker.bootstrapServers(),
                            config.topics().moderation(),
                            "read_committed",
                            r -> r.size() >= GOOD,
                            Duration.ofSeconds(60),
                            Duration.ofSeconds(2));
            double seconds = (System.nanoTime() - t0) / 1e9;
            List<ConsumerRecord<byte[], byte[]>> embedding =
                    TestClients.readUntil(
                            broker.bootstrapServers(),
                            config.topics().embedding(),
                            "read_committed",
                            r -> r.size() >= GOOD,
                            Duration.ofSeconds(30),
                            Duration.ofSeconds(1));
            List<ConsumerRecord<byte[], byte[]>> dead =
                    TestClients.readUntil(
                            broker.bootstrapServers(),
                            config.topics().deadLetter(),
                            "read_committed",
                            r -> r.size() >= poison.size(),
                            Duration.ofSeconds(30),
                            Duration.ofSeconds(1));
            System.out.printf(
                    "PoisonInputsIT: %d good events out in %.1f s, %d dead letters%n",
                    moderation.size(), seconds, dead.size());

            Map<String, Integer> mod =
                    Outputs.idCounts(
                            moderation.stream().map(r -> Outputs.moderation(r).getId()).toList());
            Map<String, Integer> emb =
                    Outputs.idCounts(
                            embedding.stream().map(r -> Outputs.embedding(r).getId()).toList());
            for (int i = 0; i < GOOD; i++) {
                assertEquals(
                        1, mod.getOrDefault("good-" + i, 0), "moderation events for good-" + i);
                assertEquals(1, emb.getOrDefault("good-" + i, 0), "embedding events for good-" + i);
            }
            assertEquals(GOOD, moderation.size());
            assertEquals(poison.size(), dead.size(), "one dead letter per poison input");
            Map<String, String> seen = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : dead) {
                DeadLetter d = Outputs.deadLetter(r);
                String name = nameOf(d, key530, key520);
                seen.put(name, d.getErrorClass());
                assertEquals(input, d.getTopic());
                assertTrue(d.getOffset() >= 0 && d.getPartition() >= 0, "position kept");
                assertTrue(
                        r.serializedValueSize() + Math.max(0, r.serializedKeySize()) < 300_000,
                        "a bounded dead letter for " + name);
            }
            assertEquals(reasons, seen);
            assertEquals(
                    0,
                    service.metrics().threadReplacementsTotal(),
                    "no stream thread was replaced");
            assertTrue(service.health().ok(), service.health().detail());
        }
    }

    private static String nameOf(DeadLetter d, String key530, String key520) {
        byte[] k = new byte[d.getKey().remaining()];
        d.getKey().duplicate().get(k);
        String key = new String(k, StandardCharsets.UTF_8);
        if (key530.startsWith(key) && key.length() > 1000) return "big-key-bad-value";
        if (key520.startsWith(key) && key.length() > 1000) return "big-key-big-id";
        return key;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
