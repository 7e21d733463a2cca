package io.streambert.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.streambert.broker.EmbeddedKafkaBroker;
import io.streambert.broker.KafkaBrokerExtension;
import io.streambert.broker.TestClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Instances in separate JVMs ({@link ServiceProcessMain}) under one application.id, with records in
 * flight: a graceful leave (SIGTERM) while a third instance joins, a SIGKILL while a batch is on
 * the device, and a zombie (SIGSTOP past session.timeout.ms, then SIGCONT). In every case each
 * input gets exactly one moderation and one embedding event under read_committed, and per-key order
 * is the input order.
 */
@ExtendWith(KafkaBrokerExtension.class)
class MultiInstanceIT {
    static final int PARTITIONS = 4;
    static final int KEYS = 12;

    /** Produces keyed events at a steady rate until stopped. */
    static final class Producer implements AutoCloseable {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger sent = new AtomicInteger();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final Thread thread;

        Producer(String bootstrap, String topic, String prefix, int perSecond, int max) {
            thread =
                    Thread.ofPlatform()
                            .name("multi-it-producer")
                            .start(
                                    () -> {
                                        try (KafkaProducer<byte[], byte[]> p =
                                                TestClients.producer(bootstrap, null)) {
                                            long start = System.nanoTime();
                                            for (int i = 0; i < max && !stop.get(); i++) {
                                                long wait =
                                                        start
                                                                + i * 1_000_000_000L / perSecond
                                                                - System.nanoTime();
                                                if (wait > 0) Thread.sleep(wait / 1_000_000);
                                                String id = prefix + String.format("%05d", i);
                                                p.send(
                                                                new ProducerRecord<>(
                                                                        topic,
                                                                        Outputs.utf8(
                                                                                "key-"
                                                                                        + (i
                                                                                                % KEYS)),
                                                                        Outputs.textEvent(
                                                                                topic,
                                                                                id,
                                                                                "event "
                                                                                        + i
                                                                                        + " with a few words"
                                                                                        + " more"
                                                                                                .repeat(
                                                                                                        i
                                                                                                                % 5))))
                                                        .get();
                                                sent.set(i + 1);
                                            }
                                        } catch (InterruptedException e) {
                                            Thread.currentThread().interrupt();
                                        } catch (Throwable t) {
                                            error.set(t);
                                        }
                                    });
        }

        int finish() throws InterruptedException {
            stop.set(true);
            thread.join(30_000);
            assertNull(error.get(), "producer failed");
            return sent.get();
        }

        @Override
        public void close() {
            stop.set(true);
        }
    }

    private static String topic(String app, String kind) {
        return app + "-" + kind;
    }

    private static void createTopics(EmbeddedKafkaBroker broker, String app) {
        broker.createTopics(
                Map.of(
                        topic(app, "in"),
                        PARTITIONS,
                        topic(app, "moderation"),
                        PARTITIONS,
                        topic(app, "embedding"),
                        PARTITIONS,
                        topic(app, "dead"),
                        1));
    }

    private static ServiceProcess launch(
            EmbeddedKafkaBroker broker, String app, Path dir, String name, String... props)
            throws Exception {
        ServiceProcess p = start(broker, app, dir, name, props);
        p.awaitStarted(Duration.ofMinutes(2));
        return p;
    }

    /** Starts the JVM without waiting for it (two instances start side by side). */
    private static ServiceProcess start(
            EmbeddedKafkaBroker broker, String app, Path dir, String name, String... props)
            throws Exception {
        return ServiceProcess.launch(
                broker.bootstrapServers(),
                app,
                dir.resolve("state-" + name),
                dir.resolve(name + ".log"),
                List.of(props));
    }

    private static void awaitOutputs(EmbeddedKafkaBroker broker, String topic, int n) {
        TestClients.readUntil(
                broker.bootstrapServers(),
                topic,
                "read_committed",
                r -> r.size() >= n,
                Duration.ofSeconds(90),
                Duration.ZERO);
    }

    /**
     * Exactly one moderation and one embedding event per id, no dead letters, and per-key order
     * kept in both topics.
     */
    private static void assertExactlyOnceInOrder(
            EmbeddedKafkaBroker broker,
            String app,
            String prefix,
            int events,
            ServiceProcess... logs)
            throws Exception {
        for (String kind : List.of("moderation", "embedding")) {
            Function<ConsumerRecord<byte[], byte[]>, String> id =
                    kind.equals("moderation")
                            ? r -> Outputs.moderation(r).getId()
                            : r -> Outputs.embedding(r).getId();
            List<ConsumerRecord<byte[], byte[]>> records =
                    TestClients.readUntil(
                            broker.bootstrapServers(),
                            topic(app, kind),
                            "read_committed",
                            r -> r.stream().map(id).distinct().count() >= events,
                            Duration.ofSeconds(120),
                            Duration.ofSeconds(3));
            Map<String, Integer> counts = Outputs.idCounts(records.stream().map(id).toList());
            List<String> wrong = new ArrayList<>();
            for (int i = 0; i < events; i++) {
                String e = prefix + String.format("%05d", i);
                if (counts.getOrDefault(e, 0) != 1) wrong.add(e + " x" + counts.getOrDefault(e, 0));
            }
            if (!wrong.isEmpty() || counts.size() != events) {
                StringBuilder sb = new StringBuilder();
                for (ServiceProcess p : logs) sb.append(tail(p.output())).append("\n----\n");
                fail(
                        kind
                                + ": not exactly once: "
                                + wrong
                                + " ("
                                + counts.size()
                                + " ids for "
                                + events
                                + " events)\n"
                                + sb);
            }
            // Records of one partition arrive in offset order; a key lives in one partition: ids
            // per key must ascend.
            Map<String, String> last = new LinkedHashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                String key = new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
                String prev = last.put(key, id.apply(r));
                assertTrue(
                        prev == null || prev.compareTo(id.apply(r)) < 0,
                        kind
                                + ": per-key order broken for "
                                + key
                                + ": "
                                + prev
                                + " before "
                                + id.apply(r));
            }
        }
        List<ConsumerRecord<byte[], byte[]>> dead =
                TestClients.readUntil(
                        broker.bootstrapServers(),
                        topic(app, "dead"),
                        "read_committed",
                        r -> false,
                        Duration.ZERO,
                        Duration.ofSeconds(1));
        assertEquals(0, dead.size(), "no dead letters for good events");
    }

    private static String tail(String s) {
        return s.length() <= 3000 ? s : s.substring(s.length() - 3000);
    }

    @Test
    void twoInstancesOneLeavesBySigtermAThirdJoinsAndEveryIdComesOutOnceInOrder(
            EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
        String app = "multi-term";
        createTopics(broker, app);
        ServiceProcess a = start(broker, app, dir, "a"), b = start(broker, app, dir, "b"), c = null;
        a.awaitStarted(Duration.ofMinutes(2));
        b.awaitStarted(Duration.ofMinutes(2));
        try (Producer producer =
                new Producer(broker.bootstrapServers(), topic(app, "in"), "t", 40, 4000)) {
            awaitOutputs(broker, topic(app, "moderation"), 60);
            int exit = a.terminate(); // graceful: in-flight records stay in the store for the
            // next owner
            assertEquals(
                    143,
                    exit,
                    "SIGTERM exits by itself (128 + 15 after the shutdown hook); log:\n"
                            + tail(a.output()));
            assertTrue(
                    a.output().contains("stopped"),
                    "the service closed gracefully:\n" + tail(a.output()));
            c = launch(broker, app, dir, "c");
            Thread.sleep(3000);
            int events = producer.finish();
            assertExactlyOnceInOrder(broker, app, "t", events, a, b, c);
            System.out.printf(
                    "MultiInstanceIT SIGTERM + join: %d events exactly once, in per-key order%n",
                    events);
        } finally {
            for (ServiceProcess p : new ServiceProcess[] {a, b, c}) if (p != null) p.kill();
        }
    }

    @Test
    void aSigkillWithABatchOnTheDeviceIsResubmittedFromTheStoreAfterTheRestart(
            EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
        String app = "multi-kill";
        createTopics(broker, app);
        Path gate = dir.resolve("gate");
        Files.writeString(gate, "closed");
        Path inEncode = gate.resolveSibling("gate.in-encode");
        ServiceProcess first = null, second = null;
        try (Producer producer =
                new Producer(broker.bootstrapServers(), topic(app, "in"), "k", 40, 40)) {
            first =
                    launch(
                            broker,
                            app,
                            dir,
                            "first",
                            "-Dstreambert.child.encoder=test",
                            "-Dstreambert.child.gate=" + gate);
            for (int i = 0; i < 600 && !Files.exists(inEncode); i++) Thread.sleep(50);
            assertTrue(
                    Files.exists(inEncode),
                    "a batch reached the device; log:\n" + tail(first.output()));
            producer.thread.join(30_000); // all 40 are sent while the batch hangs on the device
            int events = producer.finish();
            Thread.sleep(
                    1500); // every record is read and committed into the buffer store while the
            // batch hangs
            first.kill();
            Files.delete(gate);
            second =
                    ServiceProcess.launch(
                            broker.bootstrapServers(),
                            app,
                            dir.resolve("state-first"),
                            dir.resolve("second.log"),
                            List.of("-Dstreambert.child.encoder=test"));
            second.awaitStarted(Duration.ofMinutes(2));
            assertExactlyOnceInOrder(broker, app, "k", events, first, second);
            String log = second.output();
            assertTrue(
                    log.contains("buffered records survived a restart or a rebalance"),
                    "the restart resubmitted from the store:\n" + tail(log));
            System.out.printf(
                    "MultiInstanceIT SIGKILL in flight: %d events exactly once; restart log: %s%n",
                    events, log.lines().filter(l -> l.contains("survived a restart")).toList());
        } finally {
            Files.deleteIfExists(gate);
            if (first != null) first.kill();
            if (second != null) second.kill();
        }
    }

    @Test
    void aZombieStoppedPastTheSessionTimeoutAndContinuedWritesNoDuplicates(
            EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
        String app = "multi-zombie";
        createTopics(broker, app);
        ServiceProcess a = start(broker, app, dir, "a", "-Dstreambert.child.encoder=test");
        ServiceProcess b = start(broker, app, dir, "b", "-Dstreambert.child.encoder=test");
        a.awaitStarted(Duration.ofMinutes(2));
        b.awaitStarted(Duration.ofMinutes(2));
        try (Producer producer =
                new Producer(broker.bootstrapServers(), topic(app, "in"), "z", 40, 4000)) {
            awaitOutputs(broker, topic(app, "moderation"), 60);
            a.signal("STOP");
            Thread.sleep(12_000); // past session.timeout.ms (6 s): b takes a's partitions over
            a.signal(
                    "CONT"); // a wakes up with an open transaction and stale partitions: it must be
            // fenced
            Thread.sleep(6_000);
            int events = producer.finish();
            assertExactlyOnceInOrder(broker, app, "z", events, a, b);
            System.out.printf(
                    "MultiInstanceIT zombie: %d events exactly once, in per-key order%n", events);
        } finally {
            a.signal("CONT");
            a.kill();
            b.kill();
        }
    }

    @Test
    void aStickyDeviceFaultFailsHealthClosesAndExitsSoAnotherInstanceTakesOver(
            EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
        String app = "multi-sticky";
        createTopics(broker, app);
        ServiceProcess broken =
                launch(broker, app, dir, "broken", "-Dstreambert.child.encoder=sticky");
        ServiceProcess healthy = null;
        try (Producer producer =
                new Producer(broker.bootstrapServers(), topic(app, "in"), "s", 40, 20)) {
            producer.thread.join(30_000);
            int events = producer.finish();
            for (int i = 0; i < 600 && broken.isAlive(); i++) Thread.sleep(100);
            assertTrue(
                    !broken.isAlive(),
                    "the process exits on a sticky device fault; log:\n" + tail(broken.output()));
            assertEquals(70, broken.exitCode(), tail(broken.output()));
            assertTrue(broken.output().contains("sticky device fault"), tail(broken.output()));
            healthy = launch(broker, app, dir, "healthy", "-Dstreambert.child.encoder=test");
            assertExactlyOnceInOrder(broker, app, "s", events, broken, healthy);
            System.out.printf(
                    "MultiInstanceIT sticky fault: exit 70, %d events exactly once after the takeover%n",
                    events);
        } finally {
            broken.kill();
            if (healthy != null) healthy.kill();
        }
    }
}
