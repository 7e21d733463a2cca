package io.streambert.service.batch;

import io.streambert.service.validate.ValidatedText;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Bytes of a {@link BufferedRecord} in the buffer store and its changelog. Internal to one
 * application (only this code reads it back), so a plain versioned binary layout is enough; the
 * leading version byte lets a later release read buffers an older one left behind. Version 2 adds
 * the revision and stores event_time as seconds + nanoseconds (any Instant fits, where epoch
 * milliseconds overflow); version 1 records read back with an empty revision, so they are
 * re-tokenized before inference. Version 3 adds the input headers that every output carries (after
 * the token ids: a count, then name and value bytes per header, in order; a null value stays null);
 * version 1 and 2 records read back without headers.
 */
public final class BufferedRecordSerde implements Serde<BufferedRecord> {
    private static final byte VERSION = 3;

    @Override
    public Serializer<BufferedRecord> serializer() {
        return (topic, r) -> {
            if (r == null) return null;
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + r.tokens() * 4);
                DataOutputStream out = new DataOutputStream(bytes);
                ValidatedText t = r.text();
                out.writeByte(VERSION);
                out.writeLong(r.seq());
                out.writeLong(r.arrivalMs());
                writeString(out, r.revision() == null ? "" : r.revision());
                writeBytes(out, t.key());
                writeBytes(out, t.value());
                writeString(out, t.topic());
                out.writeInt(t.partition());
                out.writeLong(t.offset());
                out.writeLong(t.timestamp());
                writeString(out, t.id());
                writeString(out, t.tenant());
                Instant eventTime = t.eventTime();
                out.writeBoolean(eventTime != null);
                if (eventTime != null) {
                    out.writeLong(eventTime.getEpochSecond());
                    out.writeInt(eventTime.getNano());
                }
                out.writeInt(t.attributes().size());
                for (Map.Entry<String, String> e : t.attributes().entrySet()) {
                    writeString(out, e.getKey());
                    writeString(out, e.getValue());
                }
                writeString(out, t.textSha256());
                out.writeInt(t.tokenIds().length);
                for (int id : t.tokenIds()) out.writeInt(id);
                Header[] headers = t.headers().toArray();
                out.writeInt(headers.length);
                for (Header h : headers) {
                    writeString(out, h.key());
                    writeBytes(out, h.value());
                }
                out.flush();
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new SerializationException("cannot write buffered record " + r.seq(), e);
            }
        };
    }

    @Override
    public Deserializer<BufferedRecord> deserializer() {
        return (topic, data) -> {
            if (data == null) return null;
            try {
                DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
                byte version = in.readByte();
                if (version < 1 || version > VERSION)
                    throw new SerializationException(
                            "buffered record has layout version "
                                    + version
                                    + ", this release reads 1 to "
                                    + VERSION);
                long seq = in.readLong();
                long arrival = in.readLong();
                String revision = version >= 2 ? readString(in) : "";
                byte[] key = readBytes(in);
                byte[] value = readBytes(in);
                String srcTopic = readString(in);
                int partition = in.readInt();
                long offset = in.readLong();
                long timestamp = in.readLong();
                String id = readString(in);
                String tenant = readString(in);
                Instant eventTime =
                        !in.readBoolean()
                                ? null
                                : version >= 2
                                        ? Instant.ofEpochSecond(in.readLong(), in.readInt())
                                        : Instant.ofEpochMilli(in.readLong());
                int n = in.readInt();
                Map<String, String> attributes = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) attributes.put(readString(in), readString(in));
                String sha = readString(in);
                int count = in.readInt();
                if (count < 0 || count > in.available() / 4)
                    throw new IOException(
                            count + " token ids but " + in.available() + " bytes left");
                int[] ids = new int[count];
                for (int i = 0; i < ids.length; i++) ids[i] = in.readInt();
                RecordHeaders headers = new RecordHeaders();
                if (version >= 3) {
                    int h = in.readInt();
                    for (int i = 0; i < h; i++) headers.add(readString(in), readBytes(in));
                }
                return new BufferedRecord(
                        seq,
                        arrival,
                        revision,
                        new ValidatedText(
                                key,
                                value,
                                srcTopic,
                                partition,
                                offset,
                                timestamp,
                                id,
                                tenant,
                                eventTime,
                                Map.copyOf(attributes),
                                sha,
                                ids,
                                headers));
            } catch (SerializationException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw new SerializationException(
                        "corrupt buffered record (" + data.length + " bytes)", e);
            }
        };
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b == null ? -1 : b.length);
        if (b != null) out.write(b);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) return null;
        if (n > in.available()) // a corrupt length must not allocate gigabytes
        throw new IOException("length " + n + " but " + in.available() + " bytes left");
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        writeBytes(out, s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] b = readBytes(in);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
