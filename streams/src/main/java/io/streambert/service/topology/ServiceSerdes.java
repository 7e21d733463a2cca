package io.streambert.service.topology;

import io.streambert.schemas.DeadLetter;
import io.streambert.schemas.EmbeddingEvent;
import io.streambert.schemas.ModerationEvent;
import io.streambert.schemas.TextEvent;
import io.streambert.service.config.ServiceConfig;
import org.apache.kafka.common.serialization.Serde;

/**
 * The one place that decides how events are (de)serialised: the text deserializer (accepts any
 * supported encoding) and the output serializers (the configured format.output).
 */
public record ServiceSerdes(Serde<TextEvent> text, Serde<ModerationEvent> moderation,
                            Serde<EmbeddingEvent> embedding, Serde<DeadLetter> deadLetter) {

    public static ServiceSerdes forConfig(ServiceConfig c) {
        return InterimSerdes.avro();
    }
}
