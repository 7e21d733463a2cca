package io.streambert.it;

import io.streambert.schemas.DeadLetter;
import io.streambert.schemas.EmbeddingEvent;
import io.streambert.schemas.ModerationEvent;
import io.streambert.schemas.TextEvent;
import io.streambert.serde.EventSerdes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Encoding inputs and decoding outputs the way a client of the service does (registry-free Avro).
 */
final class Outputs {
    static final EventSerdes SERDES = EventSerdes.registryFree();

    private Outputs() {}

    static byte[] textEvent(String topic, String id, String text) {
        TextEvent ev =
                TextEvent.newBuilder()
                        .setId(id)
                        .setText(text)
                        .setSource("it")
                        .setEventTime(Instant.now())
                        .build();
        return SERDES.textEvents().serializer().serialize(topic, ev);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String utf8(ByteBuffer b) {
        if (b == null) return null;
        ByteBuffer d = b.duplicate();
        byte[] bytes = new byte[d.remaining()];
        d.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static ModerationEvent moderation(ConsumerRecord<byte[], byte[]> r) {
        return SERDES.moderationEvents().deserializer().deserialize(r.topic(), r.value());
    }

    static EmbeddingEvent embedding(ConsumerRecord<byte[], byte[]> r) {
        return SERDES.embeddingEvents().deserializer().deserialize(r.topic(), r.value());
    }

    static DeadLetter deadLetter(ConsumerRecord<byte[], byte[]> r) {
        return SERDES.deadLetters().deserializer().deserialize(r.topic(), r.value());
    }

    /** How many times each id occurs. */
    static Map<String, Integer> idCounts(List<String> ids) {
        Map<String, Integer> counts = new HashMap<>();
        for (String id : ids) counts.merge(id, 1, Integer::sum);
        return counts;
    }
}
