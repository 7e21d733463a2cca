package io.streambert.serde;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Plain Avro binary bodies of one event type: written with the current schema, read with whichever
 * writer schema the envelope (single-object header or Confluent schema id) names, resolved to the
 * current schema. Both envelopes share this so that truncation, trailing garbage and corrupt
 * lengths give the same messages.
 */
final class AvroBodies<T extends SpecificRecord> {
    private final EventType<T> type;
    private final SpecificDatumWriter<T> writer;

    /**
     * Resolving readers are costly to build; one per writer schema, shared by threads (Avro caches
     * per thread).
     */
    private final Map<Schema, DatumReader<T>> readers = new ConcurrentHashMap<>();

    /**
     * Readers that say which field failed; slower, so used only to explain a failure of the fast
     * one.
     */
    private final Map<Schema, DatumReader<T>> trackers = new ConcurrentHashMap<>();

    /**
     * The type's model without Avro's fast reader, which bypasses the readField hook that tracking
     * needs.
     */
    private final SpecificData trackingModel;

    AvroBodies(EventType<T> type) {
        this.type = type;
        this.writer = new SpecificDatumWriter<>(type.schema(), type.model());
        this.trackingModel = new SpecificData(type.type().getClassLoader());
        type.model().getConversions().forEach(trackingModel::addLogicalTypeConversion);
        trackingModel.setFastReaderEnabled(false);
    }

    EventType<T> type() {
        return type;
    }

    /** Appends the Avro binary of {@code event} (current schema) to {@code out}. */
    void write(T event, ByteArrayOutputStream out, String topic) {
        try {
            // Buffered: a direct encoder makes one (synchronized) ByteArrayOutputStream call per
            // float of a vector.
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            writer.write(event, enc);
            enc.flush();
        } catch (IOException | RuntimeException e) {
            // Typically a required field left null by the caller: name the record and the topic.
            throw new SerializationException(
                    "cannot write "
                            + type.name()
                            + " for topic "
                            + topic
                            + " as Avro: "
                            + ByteDescriptions.rootMessage(e),
                    e);
        }
    }

    /**
     * Reads one record written with {@code writerSchema} from {@code bytes[offset..]}, which must
     * hold exactly one record. {@code envelope} names the encoding and writer version for messages;
     * {@code envelopeField} is the part of the header that named the writer schema (blamed when
     * that schema cannot be read as the current one). Failures are {@link RejectedFieldException}s
     * naming the field whose bytes were bad.
     */
    T read(Schema writerSchema, byte[] bytes, int offset, String envelope, String envelopeField) {
        DatumReader<T> reader;
        try {
            reader =
                    readers.computeIfAbsent(
                            writerSchema,
                            w -> new SpecificDatumReader<>(w, type.schema(), type.model()));
        } catch (AvroTypeException e) {
            throw new RejectedFieldException(
                    envelopeField,
                    envelope
                            + ": writer schema "
                            + writerSchema.getFullName()
                            + " named by "
                            + envelopeField
                            + " cannot be read as the current "
                            + type.name()
                            + ": "
                            + e.getMessage(),
                    e);
        }
        BoundedDecoder dec = BoundedDecoder.over(bytes, offset, bytes.length - offset);
        T event;
        int trailing;
        try {
            event = reader.read(null, dec);
            trailing = dec.remaining();
        } catch (IOException | RuntimeException e) {
            String field = fieldThatFails(writerSchema, bytes, offset);
            Throwable cause = e;
            String in = " in field " + field;
            if (cause instanceof AvroTypeException) {
                throw new RejectedFieldException(
                        field,
                        envelope
                                + ": writer schema "
                                + writerSchema.getFullName()
                                + " cannot be read as the current "
                                + type.name()
                                + in
                                + ": "
                                + cause.getMessage(),
                        e);
            }
            if (ByteDescriptions.causedBy(cause, EOFException.class)) {
                throw new RejectedFieldException(
                        field,
                        envelope
                                + ": truncated Avro body: the "
                                + (bytes.length - offset)
                                + " bytes end before the "
                                + type.name()
                                + " record is complete"
                                + in,
                        e);
            }
            if (cause instanceof BoundedDecoder.CorruptAvroException) {
                // A length beyond the end is what truncation looks like from inside; garbage looks
                // the same.
                throw new RejectedFieldException(
                        field,
                        envelope
                                + ": truncated or corrupt Avro body for "
                                + type.name()
                                + ": "
                                + cause.getMessage()
                                + in,
                        e);
            }
            throw new RejectedFieldException(
                    field,
                    envelope
                            + ": corrupt Avro body for "
                            + type.name()
                            + in
                            + ": "
                            + ByteDescriptions.rootMessage(cause),
                    e);
        }
        if (trailing > 0) {
            throw new RejectedFieldException(
                    RejectedFieldException.BODY,
                    envelope
                            + ": "
                            + trailing
                            + " unexpected bytes after the "
                            + type.name()
                            + " record in the Avro "
                            + RejectedFieldException.BODY
                            + " (wrong schema, or two messages in one?)");
        }
        return event;
    }

    /**
     * Decodes again with a tracking reader to find the field whose bytes are bad; "body" when none
     * can be named.
     */
    private String fieldThatFails(Schema writerSchema, byte[] bytes, int offset) {
        try {
            DatumReader<T> tracker =
                    trackers.computeIfAbsent(
                            writerSchema,
                            w -> new FieldTrackingDatumReader<>(w, type.schema(), trackingModel));
            tracker.read(null, BoundedDecoder.over(bytes, offset, bytes.length - offset));
        } catch (FieldTrackingDatumReader.FieldFailure f) {
            return type.name() + "." + f.path;
        } catch (IOException | RuntimeException e) {
            return RejectedFieldException.BODY;
        }
        return RejectedFieldException.BODY;
    }
}
