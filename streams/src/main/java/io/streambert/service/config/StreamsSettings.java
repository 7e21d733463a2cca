package io.streambert.service.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The Kafka Streams properties for a {@link ServiceConfig}: our own keys, then every {@code
 * kafka.*} setting as given (security, client tuning; Streams routes plain client keys to all its
 * clients and {@code consumer.}/{@code producer.}/{@code admin.} prefixed ones to one), then the
 * timeout budget enforced.
 */
public final class StreamsSettings {
    private StreamsSettings() {}

    public record Result(Properties properties, List<String> adjustments) {}

    public static Result build(ServiceConfig c) {
        Map<String, Object> p = new LinkedHashMap<>();
        ServiceConfig.Kafka k = c.kafka();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, k.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, k.bootstrapServers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, k.processingGuarantee());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, k.numStreamThreads());
        if (!k.stateDir().isEmpty()) p.put(StreamsConfig.STATE_DIR_CONFIG, k.stateDir());
        // The topology reads and writes bytes and (de)serialises itself, so decode failures become
        // dead letters.
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        p.put(
                StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG,
                Serdes.ByteArraySerde.class.getName());
        p.putAll(k.clients());
        // A negative record timestamp is marked for the dead letters, never a dead thread or a
        // silently dropped record.
        p.put(
                StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG,
                InvalidTimestampExtractor.class.getName());
        // A user's production exception handler is wrapped: changelog writes and serialization
        // errors stay fatal.
        Object userHandler = p.remove(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG);
        Object oldName = p.remove("default.production.exception.handler");
        if (userHandler == null) userHandler = oldName;
        if (userHandler != null) p.put(FatalProductionErrors.DELEGATE, userHandler);
        p.put(
                StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
                FatalProductionErrors.class.getName());
        Properties props = new Properties();
        props.putAll(p);
        return new Result(props, List.of());
    }
}
