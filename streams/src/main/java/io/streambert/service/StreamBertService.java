package io.streambert.service;

import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streambert.engine.Encoder;
import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Encoders;
import io.streambert.engine.ModelInfo;
import io.streambert.service.config.ConfigException;
import io.streambert.service.config.ServiceConfig;
import io.streambert.service.config.StreamsSettings;
import io.streambert.service.ops.BufferAges;
import io.streambert.service.ops.HealthCheck;
import io.streambert.service.ops.OpsHttpServer;
import io.streambert.service.ops.ProgressLogger;
import io.streambert.service.ops.ServiceMetrics;
import io.streambert.service.ops.SizeCheck;
import io.streambert.service.ops.TopicCreator;
import io.streambert.service.schedule.DeviceBatch;
import io.streambert.service.schedule.EncoderWarmup;
import io.streambert.service.schedule.InferenceScheduler;
import io.streambert.service.schedule.SchedulerListener;
import io.streambert.service.schedule.SchedulerSettings;
import io.streambert.service.topology.ServiceSerdes;
import io.streambert.service.topology.StreamBertTopology;
import io.streambert.service.validate.InputPausedException;
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
 * num.stream.threads threads sharing the scheduler), the metrics registry, the HTTP endpoints and
 * the progress log. {@link #start} returns once everything is started (the streams client may still
 * be rebalancing: see {@link #isReady()} / {@link #awaitReady}); {@link #close()} shuts down
 * gracefully.
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
    private final BufferAges ages = new BufferAges();
    private HealthCheck health;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Opens the model in {@code model.dir} on {@code model.device} and starts. */
    public static StreamBertService start(ServiceConfig config) {
        ServiceConfig.Model model = config.model();
        if (model.dir() == null)
            throw new ConfigException(
                    "model.dir (" + config.origin("model.dir") + "): must name a model directory");
        EncoderOptions options =
                EncoderOptions.defaults()
                        .withDevice(model.device())
                        .withMaxTokens(model.maxTokens())
                        .withTruncation(
                                model.rejectLongTexts()
                                        ? EncoderOptions.Truncation.REJECT
                                        : EncoderOptions.Truncation.TRUNCATE)
                        .withEmbeddingDim(model.embeddingDim())
                        .withThreads(model.threads())
                        .withPrecision(model.precision());
        Encoder encoder = Encoders.open(model.dir(), options);
        try {
            return start(config, encoder);
        } catch (RuntimeException e) {
            encoder.close();
            throw e;
        }
    }

    /**
     * Starts with an already opened encoder, which the service then owns (closes on {@link
     * #close()}). If starting fails, the exception propagates and the encoder stays the caller's to
     * close.
     */
    public static StreamBertService start(ServiceConfig config, Encoder encoder) {
        return new StreamBertService(config, encoder);
    }

    private StreamBertService(ServiceConfig config, Encoder encoder) {
        this.config = config;
        this.encoder = encoder;
        StreamsSettings.Result settings = StreamsSettings.build(config);
        log.info("starting StreamBERT with {}", config);
        settings.adjustments().forEach(a -> log.info("kafka settings: {}", a));
        ModelInfo info = encoder.info();
        SizeCheck.checkProducer(config, info);
        log.info(
                "model {} (revision {}) on {}: labels {}, embedding dim {}, max tokens {}",
                info.name(),
                info.revision(),
                info.device(),
                info.labels(),
                info.embeddingDim(),
                info.maxTokens());
        if (info.labels().isEmpty() && config.topics().moderationOn())
            log.warn(
                    "model {} has no classifier labels: moderation events will carry no scores and never be flagged; "
                            + "set topic.moderation= (empty) to write embeddings only",
                    info.name());
        for (String l : config.thresholds().labels())
            if (info.labels().stream().noneMatch(m -> m.toLowerCase(Locale.ROOT).equals(l)))
                log.warn(
                        "threshold.{} is set but the model has no label '{}' (labels: {})",
                        l,
                        l,
                        info.labels());

        EncoderWarmup.run(encoder);
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics = new ServiceMetrics(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        scheduler =
                new InferenceScheduler(
                        encoder,
                        SchedulerSettings.from(config),
                        new SchedulerListener() {
                            @Override
                            public void batch(DeviceBatch b) {
                                metrics.deviceBatch(b);
                            }

                            @Override
                            public void retry(int sequences, Throwable cause) {
                                metrics.retried(sequences);
                            }

                            @Override
                            public void stickyFault(Throwable cause) {
                                onStickyFault(cause);
                            }
                        });
        metrics.queueDepth(scheduler::inflightTokens);
        metrics.oldestBuffered(() -> ages.oldestAgeMs(System.currentTimeMillis()) / 1000.0);
        metrics.sinceLastDeviceBatch(
                () -> (System.currentTimeMillis() - scheduler.lastSuccessMillis()) / 1000.0);
        OpsHttpServer server = null;
        KafkaStreams ks = null;
        try {
            if (config.topicCreation().enabled()) TopicCreator.createMissing(config);
            SizeCheck.checkTopics(config, info);
            Topology topology =
                    StreamBertTopology.build(
                            config,
                            scheduler,
                            ServiceSerdes.forConfig(config),
                            metrics,
                            ages,
                            draining::get);
            log.info("topology:\n{}", topology.describe());
            ks = new KafkaStreams(topology, settings.properties());
            // Device failures never reach a stream thread (the scheduler retries them); anything
            // else that fails a task aborts its transaction and a fresh thread retries the records.
            // /health counts the replacements, except those of a schema registry outage (or an
            // unknown schema under the pause policy): restarting the process would not help.
            ks.setUncaughtExceptionHandler(
                    e -> {
                        InputPausedException paused = inputPaused(e);
                        metrics.threadReplaced(paused != null);
                        if (paused != null)
                            log.warn(
                                    "stream thread failed on a record that cannot be validated yet ({}); replacing it, the record is read again: {}",
                                    paused.pauseCause(),
                                    paused.getMessage());
                        else
                            log.error(
                                    "stream thread failed; replacing it (its transaction aborts, its records are processed again)",
                                    e);
                        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
                                .REPLACE_THREAD;
                    });
            ks.setStateListener((now, before) -> log.info("kafka streams: {} -> {}", before, now));
            streamsMetrics = new KafkaStreamsMetrics(ks);
            streamsMetrics.bindTo(registry);
            KafkaStreams k = ks;
            health =
                    new HealthCheck(
                            config.ops().health(), scheduler, ages, metrics, k::state, closed::get);
            if (config.ops().httpPort() >= 0) {
                server =
                        new OpsHttpServer(
                                config.ops().httpBindAddress(),
                                config.ops().httpPort(),
                                registry,
                                health::liveness,
                                health::readiness);
                log.info(
                        "metrics, health and readiness on http://{}:{}/metrics /health /ready",
                        config.ops().httpBindAddress(),
                        server.port());
            }
            http = server;
            streams = ks;
            progress =
                    new ProgressLogger(
                            metrics,
                            config.ops().progressIntervalMs(),
                            () -> streams.state().toString(),
                            scheduler::queuedTokens);
            streams.start();
        } catch (IOException e) {
            cleanupFailedStart(server, ks);
            throw new UncheckedIOException(
                    "cannot open the HTTP port "
                            + config.ops().httpPort()
                            + " (http.port): "
                            + e.getMessage(),
                    e);
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

    /**
     * A sticky device fault: the device cannot go on, so this process gives its partitions to
     * another instance. Health and readiness fail at once; with {@code device.fault.exit=true} the
     * service closes (buffered records are committed in the store and resubmitted by the next
     * owner) and the process exits with status 70.
     */
    private void onStickyFault(Throwable cause) {
        log.error(
                "sticky device fault; /health and /ready now fail{}",
                config.ops().deviceFaultExit() ? "; closing and exiting" : "",
                cause);
        if (!config.ops().deviceFaultExit()) return;
        Thread.ofPlatform()
                .name("streambert-fatal")
                .daemon(false)
                .start(
                        () -> {
                            try {
                                close();
                            } finally {
                                System.exit(70);
                            }
                        });
    }

    /** Liveness as {@code /health} reports it. */
    public OpsHttpServer.Status health() {
        return health.liveness();
    }

    /** Readiness as {@code /ready} reports it. */
    public OpsHttpServer.Status readiness() {
        return health.readiness();
    }

    /** The process's scheduler (tests read its counters). */
    public InferenceScheduler scheduler() {
        return scheduler;
    }

    // ---- what tests, the demo and the CLI use ----

    public ServiceConfig config() {
        return config;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** True once the streams client is RUNNING (partitions assigned, restoration done). */
    public boolean isReady() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

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
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    public ServiceMetrics metrics() {
        return metrics;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public ModelInfo model() {
        return encoder.info();
    }

    /** Closes the service when the JVM is asked to stop (SIGTERM, Ctrl-C). */
    public StreamBertService closeOnShutdown() {
        Runtime.getRuntime()
                .addShutdownHook(
                        Thread.ofPlatform().name("streambert-shutdown").unstarted(this::close));
        return this;
    }

    /**
     * Graceful shutdown: (1) stop submitting new records (they stay in the changelogged store), (2)
     * close the streams client: punctuations still forward what is complete, the rest stays
     * buffered and committed, each task cancels its outstanding tickets, (3) stop the scheduler
     * (the batch on the device finishes), (4) close the encoder, HTTP server and metrics.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        log.info(
                "shutting down: no new submissions; buffered records stay in the store for the next owner");
        draining.set(true);
        try {
            if (!streams.close(Duration.ofSeconds(60)))
                log.warn("kafka streams did not close within 60 s");
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

    /** The {@link InputPausedException} behind a stream thread's failure, or null. */
    static InputPausedException inputPaused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause())
            if (t instanceof InputPausedException p) return p;
        return null;
    }
}
