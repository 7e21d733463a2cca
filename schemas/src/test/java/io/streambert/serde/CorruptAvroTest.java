package io.streambert.serde;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/**
 * Poison pills with valid headers and corrupt bodies: each must become a SerializationException
 * with a reason, never an OutOfMemoryError from a huge length or count read out of garbage (one
 * such record would take the service down).
 */
class CorruptAvroTest {
    private final EventSerdes serdes = EventSerdes.registryFree();

    /** The single-object header of the current TextEvent followed by {@code body}. */
    private byte[] textEventWithBody(byte[] body) {
        byte[] ok = serdes.textEvents().serializer().serialize("t", Samples.minimalText());
        byte[] out = Arrays.copyOf(ok, 10 + body.length);
        System.arraycopy(body, 0, out, 10, body.length);
        return out;
    }

    private static byte[] longs(long... values) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
        for (long v : values) {
            enc.writeLong(v);
        }
        enc.flush();
        return out.toByteArray();
    }

    private String failure(Serde<?> serde, byte[] bytes) {
        return assertThrows(
                        SerializationException.class,
                        () -> serde.deserializer().deserialize("t", bytes))
                .getMessage();
    }

    @Test
    void hugeStringLengthIsRejectedWithoutAllocatingIt() throws Exception {
        String msg = failure(serdes.textEvents(), textEventWithBody(longs(2_000_000_000L)));
        assertTrue(msg.contains("TextEvent"), msg);
        assertTrue(msg.contains("length 2000000000") && msg.contains("only"), msg);
    }

    @Test
    void negativeStringLengthIsRejected() throws Exception {
        String msg = failure(serdes.textEvents(), textEventWithBody(longs(-5)));
        assertTrue(msg.contains("negative"), msg);
    }

    @Test
    void hugeMapCountIsRejectedWithoutAllocatingIt() throws Exception {
        // id "a", text "b", tenant null (branch 0), source null, event_time null, attributes: block
        // of 2^30 entries.
        byte[] body =
                concat(
                        longs(1),
                        new byte[] {'a'},
                        longs(1),
                        new byte[] {'b'},
                        longs(0, 0, 0, 1L << 30));
        String msg = failure(serdes.textEvents(), textEventWithBody(body));
        assertTrue(msg.contains("1073741824"), msg);
    }

    @Test
    void hugeArrayCountIsRejectedWithoutAllocatingIt() throws Exception {
        byte[] ok = serdes.embeddingEvents().serializer().serialize("t", Samples.embedding());
        // id "evt-1" = length 5 + 5 bytes, then the vector's block count.
        byte[] body = concat(longs(5), "evt-1".getBytes(UTF_8), longs(Integer.MAX_VALUE - 16));
        byte[] bytes = Arrays.copyOf(ok, 10 + body.length);
        System.arraycopy(body, 0, bytes, 10, body.length);
        String msg = failure(serdes.embeddingEvents(), bytes);
        assertTrue(msg.contains(String.valueOf(Integer.MAX_VALUE - 16)), msg);
    }

    @Test
    void invalidUtf8InAnAvroStringIsRejected() throws Exception {
        byte[] body =
                concat(
                        longs(1),
                        new byte[] {'a'},
                        longs(3),
                        new byte[] {'o', (byte) 0xC3, 'k'},
                        longs(0, 0, 0, 0));
        String msg = failure(serdes.textEvents(), textEventWithBody(body));
        assertTrue(msg.contains("string of 3 bytes is not valid UTF-8 at its byte 1"), msg);
        byte[] good =
                concat(
                        longs(1),
                        new byte[] {'a'},
                        longs(3),
                        new byte[] {'o', (byte) 0xC3, (byte) 0xA9},
                        longs(0, 0, 0, 0));
        assertEquals(
                "oé",
                serdes.textEvents()
                        .deserializer()
                        .deserialize("t", textEventWithBody(good))
                        .getText());
    }

    @Test
    void badUnionBranchIsRejected() throws Exception {
        byte[] body = concat(longs(1), new byte[] {'a'}, longs(1), new byte[] {'b'}, longs(7));
        String msg = failure(serdes.textEvents(), textEventWithBody(body));
        assertTrue(msg.contains("corrupt Avro body for TextEvent"), msg);
    }

    @Test
    void randomBodiesNeverEscapeAsAnythingButSerializationException() {
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            byte[] body = new byte[random.nextInt(40)];
            random.nextBytes(body);
            byte[] bytes = textEventWithBody(body);
            try {
                serdes.textEvents().deserializer().deserialize("t", bytes);
            } catch (SerializationException expected) {
                // fine: a reason for the dead letter
            }
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
