package io.streambert.service.topology;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streambert.service.batch.BufferedRecordSerde;
import io.streambert.service.batch.InFlightProcessor;
import io.streambert.service.batch.ModelRevision;
import io.streambert.service.config.ServiceConfig;
import io.streambert.service.config.Topics;
import io.streambert.service.ops.BufferAges;
import io.streambert.service.ops.ServiceMetrics;
import io.streambert.service.output.OutputMapper;
import io.streambert.service.schedule.InferenceScheduler;
import io.streambert.service.validate.DeadLetterPolicy;
import io.streambert.service.validate.TextHasher;
import io.streambert.service.validate.ValidateProcessor;
import io.streambert.service.validate.ValidationOptions;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The data path, as a Processor API topology:
 *
 * <pre>
 *   source (input topics, bytes)
 *     -> validate  --bad--> sink(dead-letter topic)
 *     -> batch [store: streambert-batch-buffer, changelogged: the in-flight log]
 *          (submits to the process-wide scheduler; a punctuator forwards completed results in arrival order)
 *          --> sink(moderation), sink(review), sink(route per label)   (moderation events)
 *          --> sink(embedding)                                           (embedding events)
 *          --> sink(dead-letter)                                         (inference failures)
 * </pre>
 *
 * Keys pass through unchanged (bytes), so every output lands in the same partition number as its
 * input when topics have equal partition counts, and per-key order is the input order.
 */
public final class StreamBertTopology {
    private StreamBertTopology() {}

    public static final String SOURCE = "source";
    public static final String VALIDATE = "validate";
    public static final String BATCH = "batch";
    public static final String BUFFER_STORE = "streambert-batch-buffer";

    /** The topology with its own metrics registry and serdes from the config (tests). */
    public static Topology build(ServiceConfig config, InferenceScheduler scheduler) {
        return build(
                config,
                scheduler,
                ServiceSerdes.forConfig(config),
                new ServiceMetrics(new SimpleMeterRegistry()),
                () -> false);
    }

    /**
     * Builds the service topology.
     *
     * @param scheduler the process's one inference scheduler (its encoder also tokenizes)
     * @param draining true once shutdown began (flushes stop; buffered records stay in the store)
     */
    public static Topology build(
            ServiceConfig config,
            InferenceScheduler scheduler,
            ServiceSerdes serdes,
            ServiceMetrics metrics,
            BooleanSupplier draining) {
        return build(config, scheduler, serdes, metrics, new BufferAges(), draining);
    }

    /**
     * Builds the service topology, reporting buffer ages to {@code ages}.
     *
     * @param ages where the buffers report their oldest record (health, metrics)
     */
    public static Topology build(
            ServiceConfig config,
            InferenceScheduler scheduler,
            ServiceSerdes serdes,
            ServiceMetrics metrics,
            BufferAges ages,
            BooleanSupplier draining) {
        return build(
                config,
                scheduler,
                serdes,
                metrics,
                ages,
                draining,
                ValidationOptions.from(config.validation()));
    }

    /**
     * The topology with validation options of the caller's own.
     *
     * @param validation normalization, header copying, dead-letter text and the pause retry (from
     *     {@code config.validation()} in the other overloads; tests pass their own)
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Topology build(
            ServiceConfig config,
            InferenceScheduler scheduler,
            ServiceSerdes serdes,
            ServiceMetrics metrics,
            BufferAges ages,
            BooleanSupplier draining,
            ValidationOptions validation) {
        Topics topics = config.topics();
        InFlightProcessor.Settings buffer =
                new InFlightProcessor.Settings(
                        BUFFER_STORE,
                        ModelRevision.of(scheduler.encoder().info(), config.model().dir()),
                        config.buffer().forwardIntervalMs(),
                        config.scheduler().admissionWaitMs(),
                        validation.normalizeText());
        TextHasher hasher = TextHasher.keyed(config.output().textHashKey().value());
        DeadLetterPolicy deadLetters =
                new DeadLetterPolicy(
                        config.inputLimits().deadLetterPayload(),
                        validation.deadLetterText(),
                        hasher);
        OutputMapper mapper =
                new OutputMapper(scheduler.encoder().info(), config.thresholds()::threshold);
        String deadSink = Topics.sinkName(topics.deadLetter());

        Topology t = new Topology();
        t.addSource(
                SOURCE,
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer(),
                topics.inputs().toArray(String[]::new));
        t.addProcessor(
                VALIDATE,
                () ->
                        new ValidateProcessor(
                                serdes.text().deserializer(),
                                scheduler.encoder(),
                                config.inputLimits(),
                                BATCH,
                                deadSink,
                                metrics,
                                hasher,
                                validation),
                SOURCE);
        t.addProcessor(
                BATCH,
                () ->
                        new InFlightProcessor(
                                buffer,
                                scheduler,
                                mapper,
                                topics,
                                deadLetters,
                                serdes.text().deserializer(),
                                metrics,
                                ages,
                                draining),
                VALIDATE);
        t.addStateStore(
                Stores.keyValueStoreBuilder(
                                Stores.persistentKeyValueStore(BUFFER_STORE),
                                Serdes.Long(),
                                new BufferedRecordSerde())
                        // No cache: each buffered record goes to the changelog in the current
                        // transaction, not at some later flush.
                        .withCachingDisabled(),
                BATCH);

        for (String topic : topics.moderationTopics())
            t.addSink(
                    Topics.sinkName(topic),
                    topic,
                    new ByteArraySerializer(),
                    (Serializer) serdes.moderation().serializer(),
                    BATCH);
        if (topics.embeddingOn())
            t.addSink(
                    Topics.sinkName(topics.embedding()),
                    topics.embedding(),
                    new ByteArraySerializer(),
                    (Serializer) serdes.embedding().serializer(),
                    BATCH);
        t.addSink(
                deadSink,
                topics.deadLetter(),
                new ByteArraySerializer(),
                (Serializer) serdes.deadLetter().serializer(),
                VALIDATE,
                BATCH);
        return t;
    }
}
