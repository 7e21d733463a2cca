package io.streambert.serde;

import io.streambert.schemas.DeadLetter;
import io.streambert.schemas.EmbeddingEvent;
import io.streambert.schemas.ModerationEvent;
import io.streambert.schemas.TextEvent;
import io.streambert.serde.json.EmbeddingJsonLayout;
import io.streambert.serde.json.JsonLayout;
import io.streambert.serde.registry.RegistryConfig;
import io.streambert.serde.registry.SchemaRegistryClient;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * The serdes of StreamBERT's four event types in one chosen output format. Serializers write that
 * format; deserializers accept Avro single-object, JSON and (when a registry is configured)
 * Confluent wire bytes whatever the format, and throw {@link
 * org.apache.kafka.common.errors.SerializationException} with a specific message on bad bytes (the
 * service's dead-letter reason): always a {@link RejectedFieldException} naming the field or header
 * part. Two failures are not the record's fault and are never SerializationExceptions, both Kafka
 * {@link org.apache.kafka.common.errors.RetriableException}s the caller should pause and retry on:
 * a registry that gives no usable answer ({@link
 * io.streambert.serde.registry.RegistryUnavailableException}) and, under the default policy, an
 * Avro single-object fingerprint this release does not know ({@link UnknownFingerprintException}).
 * Instances are immutable and thread-safe; build one per process and share it.
 */
public final class EventSerdes {
    /** Config key of {@link #forFormat}: "avro" (default), "confluent" or "json". */
    public static final String FORMAT = "format";

    /**
     * Optional config of {@link #forFormat}: the Qdrant collection written as "collection_name" in
     * embedding JSON.
     */
    public static final String JSON_COLLECTION_NAME = "json.collection.name";

    private final EventFormat format;
    private final SchemaRegistryClient registry; // null when none configured
    private final Serde<TextEvent> textEvents;
    private final Serde<ModerationEvent> moderationEvents;
    private final Serde<EmbeddingEvent> embeddingEvents;
    private final Serde<DeadLetter> deadLetters;

    private final UnknownFingerprintPolicy unknownFingerprints;

    private EventSerdes(EventFormat format, SchemaRegistryClient registry) {
        this(format, registry, null, UnknownFingerprintPolicy.PAUSE);
    }

    private EventSerdes(
            EventFormat format,
            SchemaRegistryClient registry,
            String collection,
            UnknownFingerprintPolicy unknownFingerprints) {
        this.format = format;
        this.registry = registry;
        this.unknownFingerprints = unknownFingerprints;
        this.textEvents = serde(TextEvent.class, JsonLayout.plain(TextEvent.getClassSchema()));
        this.moderationEvents =
                serde(ModerationEvent.class, JsonLayout.plain(ModerationEvent.getClassSchema()));
        this.embeddingEvents = serde(EmbeddingEvent.class, new EmbeddingJsonLayout(collection));
        this.deadLetters = serde(DeadLetter.class, JsonLayout.plain(DeadLetter.getClassSchema()));
    }

    /** Avro single-object encoding with the bundled schemas; no registry. The default. */
    public static EventSerdes registryFree() {
        return new EventSerdes(EventFormat.AVRO, null);
    }

    /**
     * As {@link #registryFree()}, with the given handling of unknown writer-schema fingerprints.
     */
    public static EventSerdes registryFree(UnknownFingerprintPolicy unknownFingerprints) {
        return new EventSerdes(EventFormat.AVRO, null, null, unknownFingerprints);
    }

    /**
     * Confluent wire format against the registry at {@code registryUrl}; {@code clientConfig} may
     * add auth etc.
     */
    public static EventSerdes confluent(String registryUrl, Map<String, ?> clientConfig) {
        Map<String, Object> config = new HashMap<>(clientConfig == null ? Map.of() : clientConfig);
        config.put(RegistryConfig.URL, registryUrl);
        return new EventSerdes(
                EventFormat.CONFLUENT, new SchemaRegistryClient(RegistryConfig.from(config)));
    }

    /**
     * {@code format} with an existing registry client (shared by several serde sets, or built with
     * a test clock); {@code config} as for {@link #forFormat}, without the registry settings.
     */
    public static EventSerdes withRegistry(
            EventFormat format, SchemaRegistryClient registry, Map<String, ?> config) {
        Map<String, ?> c = config == null ? Map.of() : config;
        Object collection = c.get(JSON_COLLECTION_NAME);
        return new EventSerdes(
                format,
                registry,
                collection == null ? null : collection.toString(),
                UnknownFingerprintPolicy.parse(c.get(UnknownFingerprintPolicy.CONFIG)));
    }

    /** Plain JSON everywhere (embedding events as {"id", "vector", "payload"}). */
    public static EventSerdes json() {
        return new EventSerdes(EventFormat.JSON, null);
    }

    /**
     * {@code format} is "avro", "confluent" or "json". {@code config} holds the registry settings
     * ({@code schema.registry.url}, auth; see {@link RegistryConfig}): required for "confluent",
     * optional otherwise (then Confluent-framed input is still readable). {@value
     * #JSON_COLLECTION_NAME} adds Qdrant's "collection_name" to embedding JSON. {@value
     * UnknownFingerprintPolicy#CONFIG} is "pause" (default) or "dead-letter" (see {@link
     * UnknownFingerprintPolicy}).
     */
    public static EventSerdes forFormat(String format, Map<String, ?> config) {
        EventFormat f = EventFormat.parse(format);
        Map<String, ?> c = config == null ? Map.of() : config;
        SchemaRegistryClient registry =
                f == EventFormat.CONFLUENT || RegistryConfig.present(c)
                        ? new SchemaRegistryClient(RegistryConfig.from(c))
                        : null;
        Object collection = c.get(JSON_COLLECTION_NAME);
        return new EventSerdes(
                f,
                registry,
                collection == null ? null : collection.toString(),
                UnknownFingerprintPolicy.parse(c.get(UnknownFingerprintPolicy.CONFIG)));
    }

    public Serde<TextEvent> textEvents() {
        return textEvents;
    }

    public Serde<ModerationEvent> moderationEvents() {
        return moderationEvents;
    }

    public Serde<EmbeddingEvent> embeddingEvents() {
        return embeddingEvents;
    }

    public Serde<DeadLetter> deadLetters() {
        return deadLetters;
    }

    /** "avro", "confluent" or "json". */
    public String format() {
        return format.configName();
    }

    private <T extends SpecificRecord> Serde<T> serde(Class<T> cls, JsonLayout<T> layout) {
        EventType<T> type = EventType.of(cls);
        AvroBodies<T> bodies = new AvroBodies<>(type);
        EventCodec<T> singleObject = new SingleObjectCodec<>(bodies, unknownFingerprints);
        EventCodec<T> confluent =
                registry == null ? null : new ConfluentWireCodec<>(bodies, registry);
        EventCodec<T> json = new JsonCodec<>(type, layout);
        EventCodec<T> writer =
                switch (format) {
                    case AVRO -> singleObject;
                    case CONFLUENT -> confluent;
                    case JSON -> json;
                };
        return new CodecSerde<>(
                type.name(),
                writer,
                new AnyEncodingDecoder<>(type.name(), singleObject, confluent, json));
    }
}
