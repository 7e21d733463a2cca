package io.streambert.service.topology;

import io.streambert.schemas.DeadLetter;
import io.streambert.schemas.EmbeddingEvent;
import io.streambert.schemas.ModerationEvent;
import io.streambert.schemas.TextEvent;
import io.streambert.serde.EventSerdes;
import io.streambert.service.config.ServiceConfig;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;

/**
 * The one place that decides how events are (de)serialised: the text deserializer (accepts Avro
 * single-object, Confluent wire and JSON, whatever format.output says) and the output serializers
 * (format.output). See docs/SCHEMAS.md for the encodings.
 */
public record ServiceSerdes(
        Serde<TextEvent> text,
        Serde<ModerationEvent> moderation,
        Serde<EmbeddingEvent> embedding,
        Serde<DeadLetter> deadLetter) {

    public static ServiceSerdes forConfig(ServiceConfig c) {
        ServiceConfig.Output o = c.output();
        Map<String, Object> registry = new HashMap<>(o.registry());
        if (!o.schemaRegistryUrl().isEmpty())
            registry.put("schema.registry.url", o.schemaRegistryUrl());
        if (!o.jsonCollectionName().isEmpty())
            registry.put(EventSerdes.JSON_COLLECTION_NAME, o.jsonCollectionName());
        return of(EventSerdes.forFormat(o.format().name().toLowerCase(Locale.ROOT), registry));
    }

    public static ServiceSerdes of(EventSerdes s) {
        return new ServiceSerdes(
                s.textEvents(), s.moderationEvents(), s.embeddingEvents(), s.deadLetters());
    }
}
