package io.streambert.demo;

import io.streambert.engine.Encoder;
import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Encoders;
import io.streambert.schemas.DeadLetter;
import io.streambert.schemas.EmbeddingEvent;
import io.streambert.schemas.ModerationEvent;
import io.streambert.serde.EventSerdes;
import io.streambert.service.config.ConfigKeys;
import io.streambert.service.config.ServiceConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The whole pipeline in one process: embedded broker, the service with the bundled tiny model, a
 * producer of sample events and a consumer that prints every output as it arrives, then a summary.
 */
public final class DemoRun {

    /**
     * How a demo run behaves.
     *
     * @param limit stop after this long even if outputs are missing (null: a generous default)
     * @param follow keep printing after everything arrived, until {@code stop} is set (Ctrl-C)
     * @param sendSpacing pause between sample events, so the flow is visible
     */
    public record Options(Duration limit, boolean follow, Duration sendSpacing) {
        public static Options untilDone() {
            return new Options(null, false, Duration.ofMillis(150));
        }
    }

    static final Duration DEFAULT_LIMIT = Duration.ofMinutes(3);

    /**
     * At most this many messages get their nearest earlier messages (by embedding) printed: every
     * one after the third.
     */
    static final int NEAREST_LINES = 30;

    /** The bundled model is small: the CPU is the right device for it everywhere. */
    static final String DEVICE = "cpu";

    private final Options options;
    private final ServiceStarter starter;
    private final PrintStream out;
    private final AtomicBoolean stop = new AtomicBoolean();

    public DemoRun(Options options, ServiceStarter starter, PrintStream out) {
        this.options = options;
        this.starter = starter;
        this.out = out;
    }

    /** Ends a --follow run (or an unfinished one) at the next poll. */
    public void stop() {
        stop.set(true);
    }

    public DemoSummary run() throws Exception {
        long t0 = System.nanoTime();
        Path work = Files.createTempDirectory("streambert-demo-");
        Path modelDir = work.resolve("model");
        // Loading the model (tokenizer native library, weights) does not need the broker: do both
        // at once,
        // which takes seconds off the time to the first result on a cold JVM.
        CompletableFuture<Encoder> model =
                CompletableFuture.supplyAsync(
                        () -> openModel(modelDir),
                        command ->
                                Thread.ofPlatform()
                                        .name("demo-model-loader")
                                        .daemon()
                                        .start(command));
        boolean handedOver = false;
        try (LocalBroker broker = LocalBroker.start(0, null)) {
            out.printf(
                    "broker      : Kafka 4.2 KRaft broker in this process at %s (%.1f s)%n",
                    broker.bootstrapServers(), secondsSince(t0));
            ServiceConfig config =
                    config(broker.bootstrapServers(), modelDir, work.resolve("state"));
            String input = config.topics().inputs().get(0);
            broker.createTopics(
                    Map.of(
                            input,
                            2,
                            config.topics().moderation(),
                            2,
                            config.topics().embedding(),
                            2,
                            config.topics().deadLetter(),
                            1));
            out.printf(
                    "topics      : %s -> %s, %s; bad input -> %s%n",
                    input,
                    config.topics().moderation(),
                    config.topics().embedding(),
                    config.topics().deadLetter());
            Encoder encoder = awaitModel(model);
            handedOver = true; // the service owns the encoder from here and closes it
            try (AutoCloseable service = starter.start(config, encoder)) {
                out.printf(
                        "service     : started with the bundled model %s on the CPU (%.1f s)%n",
                        modelDir, secondsSince(t0));
                out.println("model       : " + BundledModel.DESCRIPTION);
                out.println();
                return produceAndWatch(broker.bootstrapServers(), config, input);
            } finally {
                out.println("stopping the service and the broker...");
            }
        } finally {
            // The broker failed first: close the model whenever it finishes loading.
            if (!handedOver) {
                CompletableFuture<Void> unused = model.thenAccept(Encoder::close);
            }
            deleteRecursively(work);
        }
    }

    // The demo's work folder (model copy, state); problems go to stderr: this is cleanup.
    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }

    private static Encoder openModel(Path modelDir) {
        try {
            return Encoders.open(
                    BundledModel.extractTo(modelDir), EncoderOptions.defaults().withDevice(DEVICE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Encoder awaitModel(CompletableFuture<Encoder> model) throws Exception {
        try {
            return model.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Exception cause) throw cause;
            throw e;
        }
    }

    private DemoSummary produceAndWatch(String bootstrap, ServiceConfig config, String input)
            throws InterruptedException {
        List<DemoInput> samples = SampleEvents.all(input);
        Set<String> expected = new LinkedHashSet<>();
        Set<String> expectedDead = new LinkedHashSet<>();
        for (DemoInput s : samples) (s.goodEvent() ? expected : expectedDead).add(s.id());

        EventSerdes serdes = EventSerdes.registryFree();
        Set<String> moderation = new LinkedHashSet<>();
        Set<String> embedding = new LinkedHashSet<>();
        Set<String> dead = new LinkedHashSet<>();
        Map<String, Integer> labels = new TreeMap<>();
        Map<String, Integer> reasons = new TreeMap<>();
        int flagged = 0;
        int records = 0;
        NearestEarlier nearest = new NearestEarlier();
        int shownNearest = 0;
        Map<String, String> descriptions = new java.util.HashMap<>();
        for (DemoInput s : samples) descriptions.put(s.id(), s.description());
        AtomicLong firstSend = new AtomicLong();
        long firstResult = 0;
        long doneAt = 0;

        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(consumerProps(bootstrap))) {
            consumer.subscribe(
                    List.of(
                            config.topics().moderation(),
                            config.topics().embedding(),
                            config.topics().deadLetter()));
            Thread producer =
                    Thread.ofPlatform()
                            .name("demo-producer")
                            .daemon()
                            .start(() -> send(bootstrap, input, samples, firstSend));
            long deadline =
                    System.nanoTime()
                            + (options.limit() != null ? options.limit() : DEFAULT_LIMIT).toNanos();
            boolean announced = false;
            while (!stop.get() && (options.follow() || System.nanoTime() < deadline)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    records++;
                    if (firstResult == 0) firstResult = System.nanoTime();
                    String topic = r.topic();
                    try {
                        if (topic.equals(config.topics().moderation())) {
                            ModerationEvent e =
                                    serdes.moderationEvents()
                                            .deserializer()
                                            .deserialize(topic, r.value());
                            moderation.add(e.getId());
                            labels.merge(e.getLabel(), 1, Integer::sum);
                            if (e.getFlagged()) flagged++;
                            out.println(ResultFormat.moderation(e));
                        } else if (topic.equals(config.topics().embedding())) {
                            EmbeddingEvent e =
                                    serdes.embeddingEvents()
                                            .deserializer()
                                            .deserialize(topic, r.value());
                            embedding.add(e.getId());
                            out.println(ResultFormat.embedding(e));
                            List<NearestEarlier.Match> near =
                                    nearest.addAndFind(e.getId(), e.getVector(), 2);
                            if (nearest.size() > 3 && shownNearest++ < NEAREST_LINES)
                                out.println(NearestEarlier.line(e.getId(), near, descriptions));
                        } else {
                            DeadLetter d =
                                    serdes.deadLetters()
                                            .deserializer()
                                            .deserialize(topic, r.value());
                            dead.add(keyOf(d.getKey()));
                            reasons.merge(d.getErrorClass(), 1, Integer::sum);
                            out.println(ResultFormat.deadLetter(d));
                        }
                    } catch (RuntimeException e) {
                        out.println(
                                "[unreadable] " + topic + "@" + r.offset() + ": " + e.getMessage());
                    }
                }
                boolean done =
                        moderation.containsAll(expected)
                                && embedding.containsAll(expected)
                                && dead.containsAll(expectedDead);
                if (done && doneAt == 0) doneAt = System.nanoTime();
                if (done && !options.follow()) break;
                if (done && !announced) {
                    out.println(
                            "(all sample events processed; --follow keeps watching the output topics, Ctrl-C to stop)");
                    announced = true;
                }
            }
            producer.interrupt();
        }
        long start = firstSend.get() == 0 ? System.nanoTime() : firstSend.get();
        DemoSummary summary =
                new DemoSummary(
                        expected,
                        moderation,
                        embedding,
                        dead,
                        expectedDead,
                        records,
                        labels,
                        flagged,
                        reasons,
                        firstResult == 0 ? Double.NaN : (firstResult - start) / 1e9,
                        ((doneAt == 0 ? System.nanoTime() : doneAt) - start) / 1e9);
        summary.print(out);
        return summary;
    }

    private void send(
            String bootstrap, String topic, List<DemoInput> samples, AtomicLong firstSend) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (DemoInput s : samples) {
                firstSend.compareAndSet(0, System.nanoTime());
                sent.add(
                        producer.send(
                                new ProducerRecord<>(topic, SampleEvents.key(s.id()), s.value())));
                out.printf("[sent]       %-10s %s%n", s.id(), s.description());
                Thread.sleep(options.sendSpacing().toMillis());
            }
            producer.flush();
            for (Future<RecordMetadata> send : sent) send.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            out.println("[producer] failed: " + e.getCause().getMessage());
        } catch (RuntimeException e) {
            out.println("[producer] failed: " + e.getMessage());
        }
    }

    /**
     * The service configuration of the demo: small batches and a short wait, so results show at
     * once.
     */
    static ServiceConfig config(String bootstrap, Path modelDir, Path stateDir) {
        return ServiceConfig.builder()
                .set(ConfigKeys.APPLICATION_ID, "streambert-demo")
                .set(ConfigKeys.BOOTSTRAP_SERVERS, bootstrap)
                .set(ConfigKeys.MODEL_DIR, modelDir.toString())
                .set(ConfigKeys.MODEL_DEVICE, DEVICE)
                .set(ConfigKeys.STATE_DIR, stateDir.toString())
                .set(ConfigKeys.SCHEDULER_MAX_DELAY_MS, "20")
                .set(ConfigKeys.HTTP_PORT, "-1")
                .set(ConfigKeys.PROGRESS_INTERVAL_MS, "0")
                .build();
    }

    private static Properties consumerProps(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "streambert-demo-printer");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        return p;
    }

    private static String keyOf(ByteBuffer key) {
        if (key == null) return "null";
        ByteBuffer d = key.duplicate();
        byte[] b = new byte[d.remaining()];
        d.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static double secondsSince(long t) {
        return (System.nanoTime() - t) / 1e9;
    }
}
