package io.streambert.serde;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The Kafka face of a codec pair: null is a tombstone both ways, empty bytes are an error (a
 * zero-length value is not a tombstone in Kafka, and no encoding of an event is empty), everything
 * else goes to the codecs.
 */
final class CodecSerde<T> implements Serde<T> {
    private final String typeName;
    private final EventCodec<T> writer;
    private final AnyEncodingDecoder<T> reader;

    CodecSerde(String typeName, EventCodec<T> writer, AnyEncodingDecoder<T> reader) {
        this.typeName = typeName;
        this.writer = writer;
        this.reader = reader;
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, event) -> event == null ? null : writer.encode(topic, event);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            if (bytes.length == 0) {
                throw new RejectedFieldException(
                        RejectedFieldException.VALUE,
                        typeName
                                + ": empty "
                                + RejectedFieldException.VALUE
                                + " (0 bytes) on topic "
                                + topic
                                + "; expected an encoded "
                                + typeName
                                + " (a null value is a tombstone, an empty one is not)");
            }
            return reader.decode(topic, bytes);
        };
    }
}
