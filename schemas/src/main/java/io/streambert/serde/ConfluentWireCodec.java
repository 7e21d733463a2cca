package io.streambert.serde;

import io.streambert.serde.registry.RegistryErrorException;
import io.streambert.serde.registry.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The Confluent wire format: magic byte 0, the 4-byte big-endian global schema id, then the Avro binary body.
 * Subjects follow TopicNameStrategy: the value schema of topic {@code t} lives under {@code t-value}.
 */
final class ConfluentWireCodec<T extends SpecificRecord> implements EventCodec<T> {
    static final byte MAGIC = 0;
    static final int HEADER_LENGTH = 5;

    private final AvroBodies<T> bodies;
    private final SchemaRegistryClient registry;

    ConfluentWireCodec(AvroBodies<T> bodies, SchemaRegistryClient registry) {
        this.bodies = bodies;
        this.registry = registry;
    }

    static boolean looksLikeConfluent(byte[] bytes) {
        return bytes.length >= 1 && bytes[0] == MAGIC;
    }

    static String subjectFor(String topic) {
        return topic + "-value";
    }

    @Override
    public byte[] encode(String topic, T event) {
        if (topic == null || topic.isEmpty()) {
            throw new SerializationException("cannot write " + bodies.type().name()
                    + " in the Confluent wire format without a topic: the subject is <topic>-value");
        }
        int id;
        try {
            id = registry.idFor(subjectFor(topic), bodies.type().published());
        } catch (RegistryErrorException e) {
            throw new SerializationException("cannot register " + bodies.type().name() + " under subject "
                    + subjectFor(topic) + ": " + e.getMessage(), e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        out.write(MAGIC);
        out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
        bodies.write(event, out, topic);
        return out.toByteArray();
    }

    @Override
    public T decode(String topic, byte[] bytes) {
        String what = "Confluent wire " + bodies.type().name();
        if (!looksLikeConfluent(bytes)) {
            throw new SerializationException(what + ": wrong magic byte " + ByteDescriptions.head(bytes)
                    + ", expected 0x00");
        }
        if (bytes.length < HEADER_LENGTH) {
            throw new SerializationException(what + ": truncated header, " + bytes.length
                    + " bytes where the magic byte and 4-byte schema id need " + HEADER_LENGTH);
        }
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        Schema writer;
        try {
            writer = registry.schemaById(id);
        } catch (RegistryErrorException e) {
            if (e.status() == 404) {
                throw new SerializationException(what + ": unknown schema id " + id + ": " + e.getMessage(), e);
            }
            if (e.status() / 100 == 2) {
                // The registry answered, but the schema is not one we can use (Protobuf, JSON Schema, broken Avro):
                // the producer of this record used the wrong serializer, so the record goes to the dead letters.
                throw new SerializationException(what + ": " + e.getMessage(), e);
            }
            throw e;
        }
        return bodies.read(writer, bytes, HEADER_LENGTH, what + " (schema id " + id + ")");
    }
}
