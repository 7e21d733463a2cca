package io.streambert.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The same transactional round trip against a real containerised Kafka 4.2 (apache/kafka image), so the
 * embedded broker is not the only broker the clients are known to work with. Skipped where there is no
 * Docker (this machine, most CI runners without a Docker socket).
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerKafkaIT {

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.2.0");

    @Test
    void transactionalRoundTripThroughContainerisedKafka() {
        String bootstrap = KAFKA.getBootstrapServers();
        String topic = "container-round-trip";
        try (KafkaProducer<byte[], byte[]> producer = TestClients.producer(bootstrap, "container-it")) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 4; i++) producer.send(record(topic, "kept-" + i));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(record(topic, "dropped"));
            producer.flush();
            producer.abortTransaction();
        }
        List<String> values = TestClients.readAtLeast(bootstrap, topic, 4, Duration.ofSeconds(60)).stream()
                .map(ConsumerRecord::value).map(v -> new String(v, StandardCharsets.UTF_8)).sorted().toList();
        assertEquals(List.of("kept-0", "kept-1", "kept-2", "kept-3"), values);
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(topic, bytes, bytes);
    }
}
