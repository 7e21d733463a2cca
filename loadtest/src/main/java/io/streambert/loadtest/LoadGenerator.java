package io.streambert.loadtest;

import io.streambert.schemas.ModerationEvent;
import io.streambert.schemas.TextEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Produces text events at a fixed rate against a running StreamBERT service and reports end-to-end
 * latency percentiles and throughput from the moderation results that come back.
 *
 * <p>Bounded: it sends exactly {@code --count} events and stops waiting for results after {@code
 * --max-seconds}. It talks only to the bootstrap servers it is given (default localhost). Latency
 * is measured per event id of this run (ids carry a run prefix, so other traffic is ignored):
 * end-to-end from send to the result being consumed (read_committed), service-side from send to the
 * result's processed_time, and the inference batch time the service reports in its timings.
 */
@Command(
        name = "loadtest",
        mixinStandardHelpOptions = true,
        description =
                "Send text events at a set rate to a running StreamBERT service and report latency and throughput.")
public final class LoadGenerator implements Callable<Integer> {

    @Option(
            names = "--bootstrap",
            defaultValue = "127.0.0.1:9092",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrap;

    @Option(
            names = "--topic",
            defaultValue = "text-events",
            description = "Input topic of the service (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(
            names = "--results-topic",
            defaultValue = "moderation-events",
            description = "Moderation output topic (default: ${DEFAULT-VALUE}).")
    String resultsTopic;

    @Option(
            names = "--rate",
            defaultValue = "50",
            description = "Events per second (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(
            names = "--count",
            defaultValue = "500",
            description = "Events to send (default: ${DEFAULT-VALUE}).")
    long count;

    @Option(
            names = "--lengths",
            defaultValue = "8,32,128",
            description = "Text lengths in words, cycled (default: ${DEFAULT-VALUE}).")
    String lengths;

    @Option(
            names = "--max-seconds",
            defaultValue = "120",
            description =
                    "Give up waiting for results after this long (default: ${DEFAULT-VALUE}).")
    long maxSeconds;

    @Option(
            names = "--replay",
            description =
                    "Replay these texts instead of synthetic ones: JSONL with a \"text\" field per line"
                            + " (e.g. the training recipe's emails.jsonl) or one text per line; cycled in file order.")
    java.nio.file.Path replay;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for the synthetic texts.")
    long seed;

    private final ConcurrentHashMap<String, Long> sendNanos = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> sendEpochMillis = new ConcurrentHashMap<>();

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new LoadGenerator());
        cl.setExecutionExceptionHandler(
                (ex, cmd, parsed) -> {
                    cmd.getErr().println("loadtest: " + ex.getMessage());
                    return 2;
                });
        System.exit(cl.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (count < 1) throw new IllegalArgumentException("--count must be >= 1, got " + count);
        if (maxSeconds < 1)
            throw new IllegalArgumentException("--max-seconds must be >= 1, got " + maxSeconds);
        LoadReport report = run();
        report.print(System.out);
        return report.missing() == 0 ? 0 : 1;
    }

    LoadReport run() throws InterruptedException {
        Pacer pacer = new Pacer(rate);
        TextSource texts =
                replay != null
                        ? ReplayTexts.read(replay)
                        : new SampleTexts(SampleTexts.parseLengths(lengths), seed);
        String runId = "lt-" + UUID.randomUUID().toString().substring(0, 8);
        long deadline = System.nanoTime() + Duration.ofSeconds(maxSeconds).toNanos();

        LatencyStats endToEnd = new LatencyStats();
        LatencyStats serviceSide = new LatencyStats();
        LatencyStats inference = new LatencyStats();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        AtomicLong duplicates = new AtomicLong();
        AtomicLong undecodable = new AtomicLong();
        AtomicLong received = new AtomicLong();
        AtomicLong lastResultNanos = new AtomicLong();

        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps());
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps())) {
            // Start reading at the current end, before the first send, so every result of this run
            // is seen.
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(resultsTopic, Duration.ofSeconds(30))) {
                parts.add(new TopicPartition(p.topic(), p.partition()));
            }
            if (parts.isEmpty())
                throw new IllegalStateException(
                        "results topic " + resultsTopic + " does not exist on " + bootstrap);
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            parts.forEach(consumer::position);

            Thread reader =
                    Thread.ofPlatform()
                            .name("loadtest-reader")
                            .start(
                                    () -> {
                                        while (!Thread.currentThread().isInterrupted()
                                                && System.nanoTime() < deadline
                                                && seen.size() < count) {
                                            for (ConsumerRecord<byte[], byte[]> r :
                                                    consumer.poll(Duration.ofMillis(100))) {
                                                long now = System.nanoTime();
                                                ModerationEvent ev =
                                                        WireFormat.decodeModeration(
                                                                r.topic(), r.value());
                                                if (ev == null) {
                                                    undecodable.incrementAndGet();
                                                    continue;
                                                }
                                                Long sent = sendNanos.get(ev.getId());
                                                if (sent == null)
                                                    continue; // another producer's event
                                                received.incrementAndGet();
                                                if (!seen.add(ev.getId())) {
                                                    duplicates.incrementAndGet();
                                                    continue;
                                                }
                                                lastResultNanos.set(now);
                                                synchronized (endToEnd) {
                                                    endToEnd.add((now - sent) / 1e6);
                                                    serviceSide.add(
                                                            (double)
                                                                    (ev.getProcessedTime()
                                                                                    .toEpochMilli()
                                                                            - sendEpochMillis.get(
                                                                                    ev.getId())));
                                                    inference.add(ev.getTimings().getInferenceMs());
                                                }
                                            }
                                        }
                                    });

            long start = System.nanoTime();
            long sent = 0;
            for (long i = 0; i < count && System.nanoTime() < deadline; i++) {
                long wait = pacer.waitNanos(i, System.nanoTime() - start);
                if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                String id = runId + "-" + i;
                TextEvent ev =
                        TextEvent.newBuilder()
                                .setId(id)
                                .setText(texts.text(i))
                                .setSource("loadtest")
                                .setEventTime(Instant.now())
                                .setAttributes(Map.of("run", runId))
                                .build();
                sendEpochMillis.put(id, System.currentTimeMillis());
                sendNanos.put(id, System.nanoTime());
                // Not awaited: an event whose send failed is counted as one that never came back.
                var unused =
                        producer.send(
                                new ProducerRecord<>(
                                        topic,
                                        id.getBytes(StandardCharsets.UTF_8),
                                        WireFormat.encode(topic, ev)));
                sent++;
            }
            producer.flush();
            double sendSeconds = (System.nanoTime() - start) / 1e9;
            reader.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000 + 1000));
            reader.interrupt();
            reader.join();
            long end = lastResultNanos.get() > 0 ? lastResultNanos.get() : System.nanoTime();
            return new LoadReport(
                    sent,
                    received.get(),
                    duplicates.get(),
                    undecodable.get(),
                    sendSeconds,
                    (end - start) / 1e9,
                    endToEnd,
                    serviceSide,
                    inference);
        }
    }

    private Properties producerProps() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    private Properties consumerProps() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        return p;
    }
}
