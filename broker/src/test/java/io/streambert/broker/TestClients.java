package io.streambert.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Plain Kafka clients for integration tests, against any bootstrap address (embedded or container).
 */
public final class TestClients {
    private TestClients() {}

    /**
     * An idempotent, acks=all byte producer; transactional when {@code transactionalId} is not
     * null.
     */
    public static KafkaProducer<byte[], byte[]> producer(String bootstrap, String transactionalId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        if (transactionalId != null) p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /**
     * Waits for the broker's acknowledgement of each send (call after {@code flush}): a send that
     * failed fails the test here, naming its error, rather than later as a missing record.
     */
    public static void awaitAcks(List<Future<RecordMetadata>> sends)
            throws InterruptedException, ExecutionException, TimeoutException {
        for (Future<RecordMetadata> send : sends) send.get(60, TimeUnit.SECONDS);
    }

    /**
     * Reads {@code topic} from the beginning until {@code done} holds for what was read so far or
     * {@code timeout} passes, then keeps polling for {@code settle} to catch records that should
     * not be there (duplicates). Returns everything read; the caller asserts on it.
     */
    public static List<ConsumerRecord<byte[], byte[]>> readUntil(
            String bootstrap,
            String topic,
            String isolation,
            Predicate<List<ConsumerRecord<byte[], byte[]>>> done,
            Duration timeout,
            Duration settle) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + topic + "-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(out) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            long settleEnd = System.nanoTime() + settle.toNanos();
            while (System.nanoTime() < settleEnd)
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        return out;
    }

    /** Reads until at least {@code expected} records arrived (or timeout), then settles for 1 s. */
    public static List<ConsumerRecord<byte[], byte[]>> readAtLeast(
            String bootstrap, String topic, int expected, Duration timeout) {
        return readUntil(
                bootstrap,
                topic,
                "read_committed",
                recs -> recs.size() >= expected,
                timeout,
                Duration.ofSeconds(1));
    }
}
