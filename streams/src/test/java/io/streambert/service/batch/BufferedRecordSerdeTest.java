package io.streambert.service.batch;

import static org.junit.jupiter.api.Assertions.*;

import io.streambert.service.validate.ValidatedText;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class BufferedRecordSerdeTest {
    private final BufferedRecordSerde serde = new BufferedRecordSerde();

    private BufferedRecord roundTrip(BufferedRecord r) {
        return serde.deserializer()
                .deserialize("changelog", serde.serializer().serialize("changelog", r));
    }

    /** A record with only the required fields: no key, value, tenant or attributes. */
    private static ValidatedText minimal(
            Instant eventTime, int[] ids, org.apache.kafka.common.header.Headers headers) {
        return new ValidatedText(
                null, null, "in", 0, 0, 0, "id", null, eventTime, Map.of(), "h", ids, headers);
    }

    @Test
    void everyFieldSurvivesTheChangelog() {
        ValidatedText t =
                new ValidatedText(
                        new byte[] {1, 2},
                        new byte[] {(byte) 0xC3, 1, 9},
                        "in",
                        3,
                        12345L,
                        99L,
                        "id-ü",
                        "tenant",
                        Instant.ofEpochMilli(777),
                        Map.of("k", "v", "ключ", "значение"),
                        "ab12",
                        new int[] {657, 5, 658},
                        null);
        BufferedRecord back = roundTrip(new BufferedRecord(42, 1000, "m@r1/tok", t));
        assertEquals(42, back.seq());
        assertEquals(1000, back.arrivalMs());
        assertEquals("m@r1/tok", back.revision());
        ValidatedText b = back.text();
        assertArrayEquals(t.key(), b.key());
        assertArrayEquals(t.value(), b.value());
        assertEquals("in", b.topic());
        assertEquals(3, b.partition());
        assertEquals(12345L, b.offset());
        assertEquals(99L, b.timestamp());
        assertEquals("id-ü", b.id());
        assertEquals("tenant", b.tenant());
        assertEquals(Instant.ofEpochMilli(777), b.eventTime());
        assertEquals(t.attributes(), b.attributes());
        assertEquals("ab12", b.textSha256());
        assertArrayEquals(t.tokenIds(), b.tokenIds());
    }

    @Test
    void nullsStayNull() {
        ValidatedText t = minimal(null, new int[] {1, 2}, null);
        ValidatedText b = roundTrip(new BufferedRecord(0, 0, "r", t)).text();
        assertNull(b.key());
        assertNull(b.value());
        assertNull(b.tenant());
        assertNull(b.eventTime());
        assertNull(serde.serializer().serialize("x", null));
        assertNull(serde.deserializer().deserialize("x", null));
    }

    @Test
    void anyInstantSurvivesEvenWhereEpochMillisOverflow() {
        Instant far = Instant.parse("+1000000000-12-31T23:59:59Z");
        ValidatedText t = minimal(far, new int[] {1, 2}, null);
        assertEquals(far, roundTrip(new BufferedRecord(0, 0, "r", t)).text().eventTime());
    }

    @Test
    void aVersionOneRecordReadsBackWithAnEmptyRevision() throws Exception {
        // Layout 1 as the previous release wrote it: no revision, event_time in epoch milliseconds.
        var bytes = new java.io.ByteArrayOutputStream();
        var out = new java.io.DataOutputStream(bytes);
        out.writeByte(1);
        out.writeLong(7);
        out.writeLong(100);
        out.writeInt(-1); // key
        out.writeInt(2); // value
        out.write(new byte[] {4, 5});
        writeString(out, "in");
        out.writeInt(1);
        out.writeLong(55);
        out.writeLong(99);
        writeString(out, "id1");
        out.writeInt(-1); // tenant
        out.writeBoolean(true);
        out.writeLong(777);
        out.writeInt(0); // attributes
        writeString(out, "sha");
        out.writeInt(2);
        out.writeInt(1);
        out.writeInt(2);
        BufferedRecord r = serde.deserializer().deserialize("x", bytes.toByteArray());
        assertEquals("", r.revision());
        assertEquals(7, r.seq());
        assertEquals(Instant.ofEpochMilli(777), r.text().eventTime());
        assertArrayEquals(new int[] {1, 2}, r.text().tokenIds());
    }

    @Test
    void headersSurviveTheChangelogInOrderWithNullAndBinaryValues() {
        var headers = new org.apache.kafka.common.header.internals.RecordHeaders();
        headers.add(
                "traceparent",
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        headers.add("bin", new byte[] {0, (byte) 0xFF, (byte) 0x80});
        headers.add("empty", null);
        headers.add("bin", new byte[] {});
        ValidatedText t = minimal(null, new int[] {1, 2}, headers);
        var back = roundTrip(new BufferedRecord(0, 0, "r", t)).text().headers().toArray();
        assertEquals(4, back.length);
        assertEquals("traceparent", back[0].key());
        assertArrayEquals(
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                back[0].value());
        assertEquals("bin", back[1].key());
        assertArrayEquals(new byte[] {0, (byte) 0xFF, (byte) 0x80}, back[1].value());
        assertEquals("empty", back[2].key());
        assertNull(back[2].value());
        assertArrayEquals(new byte[] {}, back[3].value());
    }

    @Test
    void aVersionTwoRecordReadsBackWithoutHeaders() throws Exception {
        // Layout 2 as the previous release wrote it: a revision, event_time as seconds + nanos, no
        // headers after the token ids.
        var bytes = new java.io.ByteArrayOutputStream();
        var out = new java.io.DataOutputStream(bytes);
        out.writeByte(2);
        out.writeLong(8);
        out.writeLong(100);
        writeString(out, "m@r1/tok");
        out.writeInt(1); // key
        out.write(new byte[] {'k'});
        out.writeInt(2); // value
        out.write(new byte[] {4, 5});
        writeString(out, "in");
        out.writeInt(1);
        out.writeLong(55);
        out.writeLong(99);
        writeString(out, "id2");
        writeString(out, "acme");
        out.writeBoolean(true);
        out.writeLong(12);
        out.writeInt(345);
        out.writeInt(1); // attributes
        writeString(out, "lang");
        writeString(out, "en");
        writeString(out, "sha");
        out.writeInt(3);
        out.writeInt(1);
        out.writeInt(77);
        out.writeInt(2);
        BufferedRecord r = serde.deserializer().deserialize("x", bytes.toByteArray());
        assertEquals("m@r1/tok", r.revision());
        assertEquals("id2", r.text().id());
        assertEquals("acme", r.text().tenant());
        assertEquals(Instant.ofEpochSecond(12, 345), r.text().eventTime());
        assertEquals(Map.of("lang", "en"), r.text().attributes());
        assertArrayEquals(new int[] {1, 77, 2}, r.text().tokenIds());
        assertEquals(0, r.text().headers().toArray().length);
    }

    @Test
    void aCorruptLengthIsACleanErrorNotAHugeAllocation() throws Exception {
        var bytes = new java.io.ByteArrayOutputStream();
        var out = new java.io.DataOutputStream(bytes);
        out.writeByte(3);
        out.writeLong(0);
        out.writeLong(0);
        out.writeInt(Integer.MAX_VALUE); // revision "length"
        assertThrows(
                SerializationException.class,
                () -> serde.deserializer().deserialize("x", bytes.toByteArray()));
    }

    private static void writeString(java.io.DataOutputStream out, String s)
            throws java.io.IOException {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    @Test
    void anUnknownLayoutVersionIsACleanError() {
        byte[] bytes =
                serde.serializer()
                        .serialize(
                                "x",
                                new BufferedRecord(0, 0, "r", minimal(null, new int[] {1}, null)));
        bytes[0] = 9;
        SerializationException e =
                assertThrows(
                        SerializationException.class,
                        () -> serde.deserializer().deserialize("x", bytes));
        assertTrue(e.getMessage().contains("layout version 9"), e.getMessage());
    }
}
