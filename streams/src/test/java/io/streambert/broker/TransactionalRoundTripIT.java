package io.streambert.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The embedded broker supports what exactly-once Kafka Streams needs: transactions on one node. */
@ExtendWith(KafkaBrokerExtension.class)
class TransactionalRoundTripIT {

    @Test
    void readCommittedSeesCommittedRecordsAndNotAbortedOnes(EmbeddedKafkaBroker broker) {
        String topic = "tx-round-trip";
        broker.createTopics(Map.of(topic, 2));

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(broker, "tx-it-1"))) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 5; i++) producer.send(new ProducerRecord<>(topic, "k" + i, "committed-" + i));
            producer.commitTransaction();

            producer.beginTransaction();
            for (int i = 0; i < 3; i++) producer.send(new ProducerRecord<>(topic, "k" + i, "aborted-" + i));
            producer.flush();
            producer.abortTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "last", "committed-last"));
            producer.commitTransaction();
        }

        List<String> committed = readAll(broker, topic, "read_committed", 6);
        assertEquals(6, committed.size(), "records seen under read_committed: " + committed);
        assertTrue(committed.containsAll(List.of("committed-0", "committed-1", "committed-2", "committed-3",
                "committed-4", "committed-last")), committed.toString());
        assertFalse(committed.stream().anyMatch(v -> v.startsWith("aborted")), committed.toString());

        // read_uncommitted also sees the aborted records: proves they really were written and then aborted.
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

    // Polls until `expected` records arrived or 20 s passed, then polls once more briefly to catch extras.
    static List<String> readAll(EmbeddedKafkaBroker broker, String topic, String isolation, int expected) {
        Properties p = broker.clientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + isolation + "-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) values.add(r.value());
            }
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) values.add(r.value());
        }
        return values;
    }
}
