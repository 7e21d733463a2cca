package io.streambert.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start, stop and restart of the embedded broker, as {@code bin/streambert broker --dir/--port}
 * uses it.
 */
class BrokerLifecycleIT {

    static {
        QuietKafkaLogs.apply();
    }

    @Test
    void aKeptDirectoryKeepsTopicsAndRecordsAcrossARestart(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("kafka");
        try (EmbeddedKafkaBroker broker =
                EmbeddedKafkaBroker.start(BrokerOptions.defaults().withLogDir(data))) {
            broker.createTopics("kept");
            try (KafkaProducer<byte[], byte[]> producer =
                    TestClients.producer(broker.bootstrapServers(), "lifecycle")) {
                producer.initTransactions();
                producer.beginTransaction();
                var sent =
                        producer.send(
                                new ProducerRecord<>("kept", bytes("k"), bytes("before restart")));
                producer.commitTransaction();
                TestClients.awaitAcks(List.of(sent));
            }
        }
        assertTrue(
                Files.exists(data.resolve("data").resolve("meta.properties")),
                "a given directory is not deleted on close");

        try (EmbeddedKafkaBroker again =
                EmbeddedKafkaBroker.start(BrokerOptions.defaults().withLogDir(data))) {
            List<String> values =
                    TestClients.readAtLeast(
                                    again.bootstrapServers(), "kept", 1, Duration.ofSeconds(30))
                            .stream()
                            .map(r -> new String(r.value(), StandardCharsets.UTF_8))
                            .toList();
            assertEquals(List.of("before restart"), values);
        }
    }

    @Test
    void aTemporaryDirectoryIsDeletedOnClose() {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
        Path dir = broker.logDir();
        assertTrue(Files.isDirectory(dir));
        broker.close();
        broker.close(); // idempotent
        assertFalse(Files.exists(dir), dir + " should be gone");
    }

    @Test
    void aBusyPortIsAClearErrorNamingThePort() throws Exception {
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = busy.getLocalPort();
            BrokerStartException e =
                    assertThrows(
                            BrokerStartException.class,
                            () ->
                                    EmbeddedKafkaBroker.start(
                                            BrokerOptions.defaults().withPort(port)));
            assertTrue(e.getMessage().contains("broker port " + port), e.getMessage());
            assertTrue(e.getMessage().contains("Address already in use"), e.getMessage());
        }
    }

    @Test
    void optionsRejectImpossiblePorts() {
        assertThrows(IllegalArgumentException.class, () -> BrokerOptions.defaults().withPort(-1));
        assertThrows(
                IllegalArgumentException.class, () -> BrokerOptions.defaults().withPort(70000));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
