package io.streambert.serde;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding, the registry-free default: {@code C3 01}, the writer schema's 8-byte
 * little-endian CRC-64-AVRO fingerprint, then the Avro binary body. Byte-for-byte what Avro's
 * {@code BinaryMessageEncoder} writes and {@code BinaryMessageDecoder} reads (tests check both
 * directions). The header is parsed here rather than by {@code BinaryMessageDecoder} so each
 * failure gets its own message and the body is read by {@link AvroBodies}. Old writers' data
 * decodes because the {@link SchemaStore} holds every released version ({@link BundledSchemas}).
 */
final class SingleObjectCodec<T extends SpecificRecord> implements EventCodec<T> {
    static final byte MAGIC_0 = (byte) 0xC3;
    static final byte MAGIC_1 = (byte) 0x01;
    static final int HEADER_LENGTH = 10;

    private final AvroBodies<T> bodies;
    private final SchemaStore store;
    private final byte[] header;
    private final UnknownFingerprintPolicy unknownFingerprints;

    SingleObjectCodec(AvroBodies<T> bodies, UnknownFingerprintPolicy unknownFingerprints) {
        this.bodies = bodies;
        this.unknownFingerprints = unknownFingerprints;
        Schema current = bodies.type().schema();
        this.store = BundledSchemas.storeFor(current);
        this.header =
                ByteBuffer.allocate(HEADER_LENGTH)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .put(MAGIC_0)
                        .put(MAGIC_1)
                        .putLong(SchemaNormalization.parsingFingerprint64(current))
                        .array();
    }

    static boolean looksLikeSingleObject(byte[] bytes) {
        return bytes.length >= 2 && bytes[0] == MAGIC_0 && bytes[1] == MAGIC_1;
    }

    @Override
    public byte[] encode(String topic, T event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        out.writeBytes(header);
        bodies.write(event, out, topic);
        return out.toByteArray();
    }

    @Override
    public T decode(String topic, byte[] bytes) {
        String what = "Avro single-object " + bodies.type().name();
        if (!looksLikeSingleObject(bytes)) {
            throw new RejectedFieldException(
                    RejectedFieldException.MAGIC,
                    what
                            + ": wrong magic bytes "
                            + ByteDescriptions.head(bytes)
                            + ", expected 0xc301 in "
                            + RejectedFieldException.MAGIC);
        }
        if (bytes.length < HEADER_LENGTH) {
            throw new RejectedFieldException(
                    RejectedFieldException.HEADER,
                    what
                            + ": truncated header, "
                            + bytes.length
                            + " bytes where the magic and 8-byte schema fingerprint need "
                            + HEADER_LENGTH);
        }
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Schema writer = store.findByFingerprint(fingerprint);
        String hex = String.format("0x%016x", fingerprint);
        if (writer == null) {
            var otherType = BundledSchemas.recordWithFingerprint(fingerprint);
            if (otherType.isEmpty() && unknownFingerprints == UnknownFingerprintPolicy.PAUSE) {
                throw new UnknownFingerprintException(
                        what
                                + ": unknown schema fingerprint "
                                + hex
                                + " in "
                                + RejectedFieldException.FINGERPRINT
                                + " (not "
                                + bodies.type().name()
                                + " or any released"
                                + " version of it: a producer on a newer schema? Deploy the release that has it, or set "
                                + UnknownFingerprintPolicy.CONFIG
                                + "=dead-letter)",
                        fingerprint);
            }
            String other =
                    otherType
                            .map(r -> "it is the fingerprint of " + r + ": wrong topic or serde?")
                            .orElse(
                                    "not "
                                            + bodies.type().name()
                                            + " or any released version of it;"
                                            + " written by a newer release, or not StreamBERT data?");
            throw new RejectedFieldException(
                    RejectedFieldException.FINGERPRINT,
                    what
                            + ": unknown schema fingerprint "
                            + hex
                            + " in "
                            + RejectedFieldException.FINGERPRINT
                            + " ("
                            + other
                            + ")");
        }
        return bodies.read(
                writer,
                bytes,
                HEADER_LENGTH,
                what + " (fingerprint " + hex + ")",
                RejectedFieldException.FINGERPRINT);
    }
}
