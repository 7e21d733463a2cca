package io.streambert.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.broker.EmbeddedKafkaBroker;
import io.streambert.broker.KafkaBrokerExtension;
import io.streambert.broker.TestClients;
import io.streambert.engine.DeviceException;
import io.streambert.engine.Prediction;
import io.streambert.service.StreamBertService;
import io.streambert.service.config.ConfigKeys;
import io.streambert.service.config.ServiceConfig;
import io.streambert.service.testing.TestEncoder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device fails every launch for 30 s (system property {@code streambert.it.fault.seconds}
 * shortens it for a quick local run) while events keep arriving, then recovers. No stream thread is
 * replaced, every event has exactly one moderation and one embedding event under read_committed and
 * no dead letter, and {@code /health} shows the fault while it lasts and "device=ok" after.
 */
@ExtendWith(KafkaBrokerExtension.class)
class DeviceFaultIT {
    static final int EVENTS_PER_SECOND = 20;

    /**
     * A device that throws a (non-sticky) device error on every launch while {@link #broken} is
     * set.
     */
    static final class FlakyDevice extends TestEncoder {
        final AtomicBoolean broken = new AtomicBoolean();
        final AtomicInteger failedLaunches = new AtomicInteger();

        @Override
        public List<Prediction> encode(List<int[]> sequences) {
            if (broken.get()) {
                failedLaunches.incrementAndGet();
                throw new DeviceException(
                        "cuda:0: cuLaunchKernel: device temporarily unavailable (test fault)");
            }
            return super.encode(sequences);
        }
    }

    @Test
    void aThirtySecondDeviceFaultLosesNothingDuplicatesNothingAndShowsInHealth(
            EmbeddedKafkaBroker broker, @TempDir Path state) throws Exception {
        long faultSeconds = Long.getLong("streambert.it.fault.seconds", 30);
        ServiceConfig config =
                ServiceUnderTest.config(broker.bootstrapServers(), "fault-it", state)
                        .set(ConfigKeys.HTTP_PORT, 0)
                        .set(ConfigKeys.NUM_STREAM_THREADS, 2)
                        .set(ConfigKeys.SCHEDULER_RETRY_BACKOFF_MS, 100)
                        .set(ConfigKeys.SCHEDULER_RETRY_BACKOFF_MAX_MS, 2000)
                        .build();
        String input = config.topics().inputs().get(0);
        ServiceUnderTest.createTopics(broker, config, 4);
        FlakyDevice device = new FlakyDevice();
        HttpClient http = HttpClient.newHttpClient();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger sent = new AtomicInteger();
        AtomicReference<Throwable> producerError = new AtomicReference<>();
        try (StreamBertService service = StreamBertService.start(config, device)) {
            assertTrue(service.awaitReady(Duration.ofSeconds(60)));
            Thread producer =
                    Thread.ofPlatform()
                            .name("fault-it-producer")
                            .start(
                                    () ->
                                            produce(
                                                    broker.bootstrapServers(),
                                                    input,
                                                    stop,
                                                    sent,
                                                    producerError));
            Thread.sleep(2000);
            device.broken.set(true);
            long faultStart = System.nanoTime();
            List<String> healthDuringFault = new ArrayList<>();
            while (System.nanoTime() - faultStart < faultSeconds * 1_000_000_000L) {
                Thread.sleep(Math.min(3000, faultSeconds * 250));
                healthDuringFault.add(get(http, service.httpPort(), "/health").body());
            }
            device.broken.set(false);
            Thread.sleep(2000);
            stop.set(true);
            producer.join(30_000);
            assertNull(producerError.get());
            int events = sent.get();

            List<ConsumerRecord<byte[], byte[]>> moderation =
                    TestClients.readUntil(
                            broker.bootstrapServers(),
                            config.topics().moderation(),
                            "read_committed",
                            r -> r.size() >= events,
                            Duration.ofSeconds(60),
                            Duration.ofSeconds(3));
            List<ConsumerRecord<byte[], byte[]>> embedding =
                    TestClients.readUntil(
                            broker.bootstrapServers(),
                            config.topics().embedding(),
                            "read_committed",
                            r -> r.size() >= events,
                            Duration.ofSeconds(30),
                            Duration.ofSeconds(2));
            List<ConsumerRecord<byte[], byte[]>> dead =
                    TestClients.readUntil(
                            broker.bootstrapServers(),
                            config.topics().deadLetter(),
                            "read_committed",
                            r -> false,
                            Duration.ZERO,
                            Duration.ofSeconds(1));
            HttpResponse<String> after = get(http, service.httpPort(), "/health");
            System.out.printf(
                    "DeviceFaultIT: %d s fault, %d events, %d failed launches, %d retried sequences; health during: %s; after: %s%n",
                    faultSeconds,
                    events,
                    device.failedLaunches.get(),
                    service.scheduler().retries(),
                    healthDuringFault.get(healthDuringFault.size() - 1).trim(),
                    after.body().trim());

            Map<String, Integer> mod =
                    Outputs.idCounts(
                            moderation.stream().map(r -> Outputs.moderation(r).getId()).toList());
            Map<String, Integer> emb =
                    Outputs.idCounts(
                            embedding.stream().map(r -> Outputs.embedding(r).getId()).toList());
            List<String> wrong = new ArrayList<>();
            for (int i = 0; i < events; i++) {
                if (mod.getOrDefault(id(i), 0) != 1)
                    wrong.add(id(i) + " moderation x" + mod.getOrDefault(id(i), 0));
                if (emb.getOrDefault(id(i), 0) != 1)
                    wrong.add(id(i) + " embedding x" + emb.getOrDefault(id(i), 0));
            }
            assertEquals(List.of(), wrong, "every event exactly once");
            assertEquals(events, mod.size());
            assertEquals(
                    0, dead.size(), "a broken device is not the records' fault: no dead letters");
            assertTrue(device.failedLaunches.get() > 3, "the device did fail meanwhile");
            assertEquals(
                    0,
                    service.metrics().threadReplacementsTotal(),
                    "no stream thread was replaced");
            assertTrue(
                    healthDuringFault.stream().allMatch(h -> h.contains("device=fault for")),
                    "health showed the fault: " + healthDuringFault);
            assertEquals(200, after.statusCode(), after.body());
            assertTrue(after.body().contains("device=ok"), after.body());
        } finally {
            stop.set(true);
        }
    }

    static String id(int i) {
        return String.format("f-%04d", i);
    }

    private static void produce(
            String bootstrap,
            String topic,
            AtomicBoolean stop,
            AtomicInteger sent,
            AtomicReference<Throwable> error) {
        try (KafkaProducer<byte[], byte[]> producer = TestClients.producer(bootstrap, null)) {
            long start = System.nanoTime();
            for (int i = 0; !stop.get(); i++) {
                long wait = start + i * 1_000_000_000L / EVENTS_PER_SECOND - System.nanoTime();
                if (wait > 0) Thread.sleep(wait / 1_000_000);
                producer.send(
                                new ProducerRecord<>(
                                        topic,
                                        Outputs.utf8(id(i)),
                                        Outputs.textEvent(
                                                topic,
                                                id(i),
                                                "event " + i + " during a device fault")))
                        .get();
                sent.set(i + 1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            error.set(t);
        }
    }

    private static HttpResponse<String> get(HttpClient http, int port, String path)
            throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
