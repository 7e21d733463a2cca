package io.streambert.service.topology;

import io.streambert.schemas.DeadLetter;
import io.streambert.schemas.EmbeddingEvent;
import io.streambert.schemas.ModerationEvent;
import io.streambert.schemas.TextEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** TEMPORARY: Avro single-object serdes until the schemas branch's EventSerdes is merged. */
final class InterimSerdes {
    private InterimSerdes() {}

    static ServiceSerdes avro() {
        return new ServiceSerdes(serde(TextEvent.getEncoder(), TextEvent.getDecoder()),
                serde(ModerationEvent.getEncoder(), ModerationEvent.getDecoder()),
                serde(EmbeddingEvent.getEncoder(), EmbeddingEvent.getDecoder()),
                serde(DeadLetter.getEncoder(), DeadLetter.getDecoder()));
    }

    private static <T> Serde<T> serde(BinaryMessageEncoder<T> enc, BinaryMessageDecoder<T> dec) {
        return Serdes.serdeFrom((topic, v) -> {
            try {
                ByteBuffer b = enc.encode(v);
                byte[] out = new byte[b.remaining()];
                b.get(out);
                return out;
            } catch (IOException e) {
                throw new SerializationException(e);
            }
        }, (topic, bytes) -> {
            try {
                return bytes == null ? null : dec.decode(bytes);
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("cannot decode: " + e, e);
            }
        });
    }
}
