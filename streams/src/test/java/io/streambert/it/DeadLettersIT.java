package io.streambert.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.broker.EmbeddedKafkaBroker;
import io.streambert.broker.KafkaBrokerExtension;
import io.streambert.broker.TestClients;
import io.streambert.schemas.DeadLetter;
import io.streambert.service.config.ConfigKeys;
import io.streambert.service.config.ServiceConfig;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input goes to the dead-letter topic with its reason and original bytes, and does not stop the
 * good events around it: poison pills (bytes that are no encoding), an empty text, a
 * whitespace-only text, and a text over text.max.bytes, interleaved with good events on one
 * partition.
 */
@ExtendWith(KafkaBrokerExtension.class)
class DeadLettersIT {

    static final int MAX_BYTES = 200;

    @Test
    void badEventsReachTheDeadLetterTopicWithReasonsAndGoodOnesStillComeOut(
            EmbeddedKafkaBroker broker, @TempDir Path state) throws Exception {
        ServiceConfig config =
                ServiceUnderTest.config(broker.bootstrapServers(), "dead-it", state)
                        .set(ConfigKeys.TEXT_MAX_BYTES, Integer.toString(MAX_BYTES))
                        .build();
        String input = config.topics().inputs().get(0);
        ServiceUnderTest.createTopics(broker, config, 1);

        byte[] poison = {(byte) 0xC3, 0x28, (byte) 0xFF, 0x00, 0x13, 0x37, 0x42};
        byte[] truncatedAvro =
                java.util.Arrays.copyOf(Outputs.textEvent(input, "x", "a perfectly fine text"), 12);
        Map<String, byte[]> bad = new HashMap<>();
        bad.put("poison-1", poison);
        bad.put("poison-2", truncatedAvro);
        bad.put("empty-1", Outputs.textEvent(input, "empty-1", ""));
        bad.put("blank-1", Outputs.textEvent(input, "blank-1", "   \t  "));
        bad.put("long-1", Outputs.textEvent(input, "long-1", "x".repeat(MAX_BYTES + 1)));
        // A cut-off Avro body has a valid header, so the service may call it undecodable or a bad
        // schema.
        Map<String, Set<String>> expectedReason =
                Map.of(
                        "poison-1",
                        Set.of("UNDECODABLE"),
                        "poison-2",
                        Set.of("UNDECODABLE", "BAD_SCHEMA"),
                        "empty-1",
                        Set.of("EMPTY_TEXT"),
                        "blank-1",
                        Set.of("EMPTY_TEXT"),
                        "long-1",
                        Set.of("TEXT_TOO_LONG"));
        List<String> good = List.of("good-1", "good-2", "good-3", "good-4", "good-5", "good-6");

        // good, bad, good, bad, ... on one partition: a bad record must not block the ones after
        // it.
        List<String> order =
                List.of(
                        "good-1",
                        "poison-1",
                        "good-2",
                        "empty-1",
                        "good-3",
                        "long-1",
                        "good-4",
                        "poison-2",
                        "good-5",
                        "blank-1",
                        "good-6");
        try (AutoCloseable service = ServiceUnderTest.start(config);
                KafkaProducer<byte[], byte[]> producer =
                        TestClients.producer(broker.bootstrapServers(), null)) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (String id : order) {
                byte[] value =
                        bad.containsKey(id)
                                ? bad.get(id)
                                : Outputs.textEvent(
                                        input,
                                        id,
                                        "an ordinary message number "
                                                + id
                                                + ", "
                                                + "exactly "
                                                + (MAX_BYTES / 2)
                                                + " bytes at most");
                sent.add(producer.send(new ProducerRecord<>(input, Outputs.utf8(id), value)));
            }
            producer.flush();
            TestClients.awaitAcks(sent);

            List<ConsumerRecord<byte[], byte[]>> dead =
                    TestClients.readAtLeast(
                            broker.bootstrapServers(),
                            config.topics().deadLetter(),
                            bad.size(),
                            Duration.ofSeconds(60));
            List<ConsumerRecord<byte[], byte[]>> moderation =
                    TestClients.readAtLeast(
                            broker.bootstrapServers(),
                            config.topics().moderation(),
                            good.size(),
                            Duration.ofSeconds(60));
            List<ConsumerRecord<byte[], byte[]>> embedding =
                    TestClients.readAtLeast(
                            broker.bootstrapServers(),
                            config.topics().embedding(),
                            good.size(),
                            Duration.ofSeconds(30));

            assertEquals(bad.size(), dead.size(), "dead letters");
            for (ConsumerRecord<byte[], byte[]> r : dead) {
                DeadLetter d = Outputs.deadLetter(r);
                String key = Outputs.utf8(d.getKey());
                assertTrue(
                        expectedReason.containsKey(key),
                        "unexpected dead letter for key " + key + ": " + d);
                assertTrue(
                        expectedReason.get(key).contains(d.getErrorClass()),
                        "reason of "
                                + key
                                + ": "
                                + d.getErrorClass()
                                + " ("
                                + d.getErrorMessage()
                                + ")");
                assertFalse(
                        d.getErrorMessage().isBlank(),
                        "a message that says what is wrong, for " + key);
                assertEquals(input, d.getTopic());
                assertArrayEquals(
                        bad.get(key), bytes(d.getValue()), "original value bytes kept for " + key);
            }
            assertEquals(
                    Set.copyOf(good),
                    Set.copyOf(
                            moderation.stream().map(r -> Outputs.moderation(r).getId()).toList()));
            assertEquals(good.size(), moderation.size(), "one moderation event per good input");
            assertEquals(
                    Set.copyOf(good),
                    Set.copyOf(embedding.stream().map(r -> Outputs.embedding(r).getId()).toList()));
            assertEquals(good.size(), embedding.size(), "one embedding event per good input");
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }
}
