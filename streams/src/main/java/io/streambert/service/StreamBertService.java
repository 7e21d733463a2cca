package io.streambert.service;

import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streambert.engine.Encoder;
import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Encoders;
import io.streambert.engine.ModelInfo;
import io.streambert.service.config.ConfigException;
import io.streambert.service.config.ServiceConfig;
import io.streambert.service.config.StreamsSettings;
import io.streambert.service.ops.OpsHttpServer;
import io.streambert.service.ops.ProgressLogger;
import io.streambert.service.ops.ServiceMetrics;
import io.streambert.service.ops.TopicCreator;
import io.streambert.service.schedule.EncoderWarmup;
import io.streambert.service.schedule.InferenceScheduler;
import io.streambert.service.topology.ServiceSerdes;
import io.streambert.service.topology.StreamBertTopology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running service: one encoder, one inference scheduler, one Kafka Streams client (with
 * num.stream.threads threads sharing the scheduler), the metrics registry, the HTTP endpoints and the
 * progress log. {@link #start} returns once everything is started (the streams client may still be
 * rebalancing: see {@link #isReady()} / {@link #awaitReady}); {@link #close()} shuts down gracefully.
 *
 * <pre>
 *   ServiceConfig c = ServiceConfig.builder().set("bootstrap.servers", "localhost:9092").set("model.dir", "models/tiny").build();
 *   try (StreamBertService s = StreamBertService.start(c)) { ... }
 * </pre>
 */
public final class StreamBertService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamBertService.class);

    private final ServiceConfig config;
    private final Encoder encoder;
    private final InferenceScheduler scheduler;
    private final PrometheusMeterRegistry registry;
    private final ServiceMetrics metrics;
    private final KafkaStreams streams;
    private final KafkaStreamsMetrics streamsMetrics;
    private final OpsHttpServer http;
    private final ProgressLogger progress;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Opens the model in {@code model.dir} on {@code model.device} and starts. */
    public static StreamBertService start(ServiceConfig config) {
        if (config.modelDir() == null)
            throw new ConfigException("model.dir (" + config.origin("model.dir") + "): must name a model directory");
        EncoderOptions options = EncoderOptions.defaults()
                .withDevice(config.device())
                .withMaxTokens(config.modelMaxTokens())
                .withTruncation(config.rejectLongTexts() ? EncoderOptions.Truncation.REJECT : EncoderOptions.Truncation.TRUNCATE)
                .withEmbeddingDim(config.embeddingDim())
                .withThreads(config.modelThreads());
        Encoder encoder = Encoders.open(config.modelDir(), options);
        try {
            return start(config, encoder);
        } catch (RuntimeException e) {
            encoder.close();
            throw e;
        }
    }

    /**
     * Starts with an already opened encoder, which the service then owns (closes on {@link #close()}).
     * If starting fails, the exception propagates and the encoder stays the caller's to close.
     */
    public static StreamBertService start(ServiceConfig config, Encoder encoder) {
        return new StreamBertService(config, encoder);
    }

    private StreamBertService(ServiceConfig config, Encoder encoder) {
        this.config = config;
        this.encoder = encoder;
        StreamsSettings.Result settings = StreamsSettings.build(config);
        log.info("starting StreamBERT with {}", config);
        settings.adjustments().forEach(a -> log.info("timeout budget: {}", a));
        log.info("timeout budget: a micro-batch flush may wait up to {} ms; Kafka timeouts must exceed {} ms",
                settings.budget().flushBlockMs(), settings.budget().requiredMs());
        ModelInfo info = encoder.info();
        log.info("model {} (revision {}) on {}: labels {}, embedding dim {}, max tokens {}",
                info.name(), info.revision(), info.device(), info.labels(), info.embeddingDim(), info.maxTokens());
        if (info.labels().isEmpty() && !config.moderationTopic().isEmpty())
            log.warn("model {} has no classifier labels: moderation events will carry no scores and never be flagged; "
                    + "set topic.moderation= (empty) to write embeddings only", info.name());
        for (String l : config.thresholdLabels())
            if (info.labels().stream().noneMatch(m -> m.toLowerCase(Locale.ROOT).equals(l)))
                log.warn("threshold.{} is set but the model has no label '{}' (labels: {})", l, l, info.labels());

        EncoderWarmup.run(encoder);
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics = new ServiceMetrics(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        scheduler = new InferenceScheduler(encoder, config.schedulerMaxBatchTokens(), config.schedulerMaxBatchSequences(),
                config.schedulerQueueTokens(), metrics::deviceBatch);
        metrics.queueDepth(scheduler::queuedTokens);
        OpsHttpServer server = null;
        KafkaStreams ks = null;
        try {
            if (config.createTopics()) TopicCreator.createMissing(config);
            Topology topology = StreamBertTopology.build(config, scheduler, ServiceSerdes.forConfig(config), metrics, draining::get);
            log.info("topology:\n{}", topology.describe());
            ks = new KafkaStreams(topology, settings.properties());
            // A failed task (device failure, flush timeout) aborts its transaction; a fresh thread retries the records.
            ks.setUncaughtExceptionHandler(e -> {
                log.error("stream thread failed; replacing it (its transaction aborts, its records are processed again)", e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            });
            ks.setStateListener((now, before) -> log.info("kafka streams: {} -> {}", before, now));
            streamsMetrics = new KafkaStreamsMetrics(ks);
            streamsMetrics.bindTo(registry);
            if (config.httpPort() >= 0) {
                KafkaStreams k = ks;
                server = new OpsHttpServer(config.httpBindAddress(), config.httpPort(), registry, this::health,
                        () -> new OpsHttpServer.Status(k.state() == KafkaStreams.State.RUNNING, "kafka streams " + k.state()));
                log.info("metrics, health and readiness on http://0.0.0.0:{}/metrics /health /ready", server.port());
            }
            http = server;
            streams = ks;
            progress = new ProgressLogger(metrics, config.progressIntervalMs(), () -> streams.state().toString(), scheduler::queuedTokens);
            streams.start();
        } catch (IOException e) {
            cleanupFailedStart(server, ks);
            throw new UncheckedIOException("cannot open the HTTP port " + config.httpPort() + " (http.port): " + e.getMessage(), e);
        } catch (RuntimeException e) {
            cleanupFailedStart(server, ks);
            throw e;
        }
    }

    private void cleanupFailedStart(OpsHttpServer server, KafkaStreams ks) {
        if (server != null) server.close();
        if (ks != null) ks.close(Duration.ofSeconds(10));
        scheduler.close();
        registry.close();
    }

    private OpsHttpServer.Status health() {
        KafkaStreams.State s = streams.state();
        if (!scheduler.isRunning() && !closed.get()) return new OpsHttpServer.Status(false, "inference scheduler stopped");
        boolean broken = s == KafkaStreams.State.ERROR || s == KafkaStreams.State.PENDING_ERROR
                || (s == KafkaStreams.State.NOT_RUNNING && !closed.get());
        return new OpsHttpServer.Status(!broken, "kafka streams " + s + ", scheduler queue " + scheduler.queuedTokens() + " tokens");
    }

    // ---- what tests, the demo and the CLI use ----

    public ServiceConfig config() { return config; }

    public KafkaStreams.State state() { return streams.state(); }

    /** True once the streams client is RUNNING (partitions assigned, restoration done). */
    public boolean isReady() { return streams.state() == KafkaStreams.State.RUNNING; }

    /** Waits until {@link #isReady()}; false on timeout or when the client failed. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            KafkaStreams.State s = streams.state();
            if (s == KafkaStreams.State.RUNNING) return true;
            if (s == KafkaStreams.State.ERROR || s == KafkaStreams.State.NOT_RUNNING) return false;
            Thread.sleep(50);
        }
        return false;
    }

    /** The bound HTTP port, or -1 when http.port=-1. */
    public int httpPort() { return http == null ? -1 : http.port(); }

    public ServiceMetrics metrics() { return metrics; }

    public PrometheusMeterRegistry registry() { return registry; }

    public ModelInfo model() { return encoder.info(); }

    /** Closes the service when the JVM is asked to stop (SIGTERM, Ctrl-C). */
    public StreamBertService closeOnShutdown() {
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("streambert-shutdown").unstarted(this::close));
        return this;
    }

    /**
     * Graceful shutdown: (1) stop starting new micro-batch flushes (records already buffered stay in the
     * changelogged store and are flushed after the next start), (2) close the streams client, which lets a
     * flush in progress finish (its stream thread waits for its results, forwards and commits) and commits
     * the rest, (3) drain and stop the scheduler, (4) close the encoder, HTTP server and metrics.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        log.info("shutting down: no new batches; finishing in-flight work");
        draining.set(true);
        try {
            if (!streams.close(Duration.ofSeconds(60))) log.warn("kafka streams did not close within 60 s");
        } finally {
            scheduler.close();
            progress.tick();
            progress.close();
            streamsMetrics.close();
            if (http != null) http.close();
            encoder.close();
            registry.close();
            log.info("stopped");
        }
    }
}
