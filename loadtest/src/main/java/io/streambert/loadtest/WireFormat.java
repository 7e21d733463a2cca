package io.streambert.loadtest;

import io.streambert.schemas.ModerationEvent;
import io.streambert.schemas.TextEvent;
import io.streambert.serde.EventSerdes;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The wire format the load generator speaks: the service's default, registry-free Avro
 * single-object encoding of the bundled schemas ({@link EventSerdes#registryFree()}); results in
 * any format the service can write are readable (the deserializer accepts Avro, JSON and Confluent
 * framing).
 */
final class WireFormat {
    private static final EventSerdes SERDES = EventSerdes.registryFree();
    private static final Serializer<TextEvent> TEXT = SERDES.textEvents().serializer();
    private static final Deserializer<ModerationEvent> MODERATION =
            SERDES.moderationEvents().deserializer();

    private WireFormat() {}

    static byte[] encode(String topic, TextEvent event) {
        return TEXT.serialize(topic, event);
    }

    /** Null when the bytes are not a ModerationEvent (counted as undecodable, not fatal). */
    static ModerationEvent decodeModeration(String topic, byte[] bytes) {
        try {
            return MODERATION.deserialize(topic, bytes);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
