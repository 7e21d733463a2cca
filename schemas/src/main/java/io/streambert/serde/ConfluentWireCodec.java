package io.streambert.serde;

import io.streambert.serde.registry.RegistryErrorException;
import io.streambert.serde.registry.RegistryUnavailableException;
import io.streambert.serde.registry.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The Confluent wire format: magic byte 0, the 4-byte big-endian global schema id, then the Avro
 * binary body. Subjects follow TopicNameStrategy: the value schema of topic {@code t} lives under
 * {@code t-value}.
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
            throw new SerializationException(
                    "cannot write "
                            + bodies.type().name()
                            + " in the Confluent wire format without a topic: the subject is <topic>-value");
        }
        int id;
        try {
            id = registry.idFor(subjectFor(topic), bodies.type().published());
        } catch (RegistryErrorException e) {
            throw new SerializationException(
                    "cannot register "
                            + bodies.type().name()
                            + " under subject "
                            + subjectFor(topic)
                            + ": "
                            + e.getMessage(),
                    e);
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
            throw new RejectedFieldException(
                    RejectedFieldException.MAGIC,
                    what
                            + ": wrong magic byte "
                            + ByteDescriptions.head(bytes)
                            + ", expected 0x00 in "
                            + RejectedFieldException.MAGIC);
        }
        if (bytes.length < HEADER_LENGTH) {
            throw new RejectedFieldException(
                    RejectedFieldException.HEADER,
                    what
                            + ": truncated header, "
                            + bytes.length
                            + " bytes where the magic byte and 4-byte schema id need "
                            + HEADER_LENGTH);
        }
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        Schema writer;
        try {
            writer = registry.schemaById(id);
        } catch (RegistryErrorException e) {
            // A definitive answer about this id: it does not exist, or names a schema we cannot
            // read (Protobuf,
            // JSON Schema, broken Avro): the record is bad. Every other answer is a
            // RegistryUnavailableException,
            // which passes through: not the record's fault, never a dead letter.
            if (!e.schemaNotFound() && e.status() / 100 != 2) {
                throw new RegistryUnavailableException(
                        what
                                + ": the registry's answer about schema id "
                                + id
                                + " is neither the schema nor \"not found\": "
                                + e.getMessage(),
                        e);
            }
            String problem =
                    e.schemaNotFound()
                            ? "unknown schema id " + id
                            : "schema id " + id + " unusable";
            throw new RejectedFieldException(
                    RejectedFieldException.SCHEMA_ID,
                    what
                            + ": "
                            + problem
                            + " in "
                            + RejectedFieldException.SCHEMA_ID
                            + ": "
                            + e.getMessage(),
                    e);
        }
        return bodies.read(
                writer,
                bytes,
                HEADER_LENGTH,
                what + " (schema id " + id + ")",
                RejectedFieldException.SCHEMA_ID);
    }
}
