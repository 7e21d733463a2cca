package io.streambert.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streambert.broker.TestClients;
import io.streambert.service.config.ServiceConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Against a real containerised Kafka 4.2 (apache/kafka image), so the embedded broker is not the
 * only broker the clients and the service are known to work with: a transactional round trip, and
 * the service's basic round trip (text events in, one moderation and one embedding event per text
 * out, read_committed). Skipped where there is no Docker (this machine, CI runners without a Docker
 * socket).
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerKafkaIT {

    @Container static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.2.0");

    @Test
    void transactionalRoundTripThroughContainerisedKafka() throws Exception {
        String bootstrap = KAFKA.getBootstrapServers();
        String topic = "container-round-trip";
        try (KafkaProducer<byte[], byte[]> producer =
                TestClients.producer(bootstrap, "container-it")) {
            producer.initTransactions();
            producer.beginTransaction();
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < 4; i++) sent.add(producer.send(record(topic, "kept-" + i)));
            producer.commitTransaction();
            producer.beginTransaction();
            sent.add(producer.send(record(topic, "dropped")));
            producer.flush();
            TestClients.awaitAcks(sent);
            producer.abortTransaction();
        }
        List<String> values =
                TestClients.readAtLeast(bootstrap, topic, 4, Duration.ofSeconds(60)).stream()
                        .map(ConsumerRecord::value)
                        .map(v -> new String(v, StandardCharsets.UTF_8))
                        .sorted()
                        .toList();
        assertEquals(List.of("kept-0", "kept-1", "kept-2", "kept-3"), values);
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(topic, bytes, bytes);
    }

    @Test
    void serviceRoundTripThroughContainerisedKafka(@TempDir Path state) throws Exception {
        String bootstrap = KAFKA.getBootstrapServers();
        ServiceConfig config =
                ServiceUnderTest.config(bootstrap, "container-service-it", state).build();
        String input = config.topics().inputs().get(0);
        List<String> ids = List.of("c-1", "c-2", "c-3");
        try (AutoCloseable service = ServiceUnderTest.start(config);
                KafkaProducer<byte[], byte[]> producer = TestClients.producer(bootstrap, null)) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (String id : ids) {
                sent.add(
                        producer.send(
                                new ProducerRecord<>(
                                        input,
                                        Outputs.utf8(id),
                                        Outputs.textEvent(input, id, "hello from " + id))));
            }
            producer.flush();
            TestClients.awaitAcks(sent);
            List<String> moderated =
                    TestClients.readAtLeast(
                                    bootstrap,
                                    config.topics().moderation(),
                                    ids.size(),
                                    Duration.ofSeconds(90))
                            .stream()
                            .map(r -> Outputs.moderation(r).getId())
                            .sorted()
                            .toList();
            List<String> embedded =
                    TestClients.readAtLeast(
                                    bootstrap,
                                    config.topics().embedding(),
                                    ids.size(),
                                    Duration.ofSeconds(30))
                            .stream()
                            .map(r -> Outputs.embedding(r).getId())
                            .sorted()
                            .toList();
            assertEquals(ids, moderated);
            assertEquals(ids, embedded);
        }
    }
}
