package io.streambert.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The embedded broker supports what exactly-once Kafka Streams needs: transactions on one node. */
@ExtendWith(KafkaBrokerExtension.class)
class TransactionalRoundTripIT {

    @Test
    void readCommittedSeesCommittedRecordsAndNotAbortedOnes(EmbeddedKafkaBroker broker)
            throws Exception {
        String topic = "tx-round-trip";
        broker.createTopics(Map.of(topic, 2));

        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(producerProps(broker, "tx-it-1"))) {
            producer.initTransactions();
            producer.beginTransaction();
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < 5; i++)
                sent.add(producer.send(new ProducerRecord<>(topic, "k" + i, "committed-" + i)));
            producer.commitTransaction();

            producer.beginTransaction();
            for (int i = 0; i < 3; i++)
                sent.add(producer.send(new ProducerRecord<>(topic, "k" + i, "aborted-" + i)));
            producer.flush();
            producer.abortTransaction();

            producer.beginTransaction();
            sent.add(producer.send(new ProducerRecord<>(topic, "last", "committed-last")));
            producer.commitTransaction();
            TestClients.awaitAcks(sent);
        }

        List<String> committed = readAll(broker, topic, "read_committed", 6);
        assertEquals(6, committed.size(), "records seen under read_committed: " + committed);
        assertTrue(
                committed.containsAll(
                        List.of(
                                "committed-0",
                                "committed-1",
                                "committed-2",
                                "committed-3",
                                "committed-4",
                                "committed-last")),
                committed.toString());
        assertFalse(
                committed.stream().anyMatch(v -> v.startsWith("aborted")), committed.toString());

        // read_uncommitted also sees the aborted records: proves they really were written and then
        // aborted.
        List<String> uncommitted = readAll(broker, topic, "read_uncommitted", 9);
        assertEquals(9, uncommitted.size(), uncommitted.toString());
    }

    @Test
    void createTopicsIsIdempotentAndBrokerHasItsOwnLogDir(EmbeddedKafkaBroker broker) {
        broker.createTopics("twice");
        broker.createTopics("twice");
        assertTrue(Files.isDirectory(broker.logDir()), broker.logDir().toString());
        assertTrue(broker.bootstrapServers().startsWith("127.0.0.1:"), broker.bootstrapServers());
    }

    private static Properties producerProps(EmbeddedKafkaBroker broker, String txId) {
        Properties p = broker.clientProperties();
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, txId);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return p;
    }

    private static List<String> readAll(
            EmbeddedKafkaBroker broker, String topic, String isolation, int expected) {
        return TestClients.readUntil(
                        broker.bootstrapServers(),
                        topic,
                        isolation,
                        recs -> recs.size() >= expected,
                        Duration.ofSeconds(20),
                        Duration.ofMillis(500))
                .stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8))
                .toList();
    }
}
