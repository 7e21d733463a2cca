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
        return serde.deserializer().deserialize("changelog", serde.serializer().serialize("changelog", r));
    }

    @Test
    void everyFieldSurvivesTheChangelog() {
        ValidatedText t = new ValidatedText(new byte[] {1, 2}, new byte[] {(byte) 0xC3, 1, 9}, "in", 3, 12345L, 99L,
                "id-ü", "tenant", Instant.ofEpochMilli(777), Map.of("k", "v", "ключ", "значение"), "ab12", new int[] {657, 5, 658});
        BufferedRecord back = roundTrip(new BufferedRecord(42, 1000, t));
        assertEquals(42, back.seq());
        assertEquals(1000, back.arrivalMs());
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
        ValidatedText t = new ValidatedText(null, null, "in", 0, 0, 0, "id", null, null, Map.of(), "h", new int[] {1, 2});
        ValidatedText b = roundTrip(new BufferedRecord(0, 0, t)).text();
        assertNull(b.key());
        assertNull(b.value());
        assertNull(b.tenant());
        assertNull(b.eventTime());
        assertNull(serde.serializer().serialize("x", null));
        assertNull(serde.deserializer().deserialize("x", null));
    }

    @Test
    void anUnknownLayoutVersionIsACleanError() {
        byte[] bytes = serde.serializer().serialize("x", new BufferedRecord(0, 0,
                new ValidatedText(null, null, "in", 0, 0, 0, "id", null, null, Map.of(), "h", new int[] {1})));
        bytes[0] = 9;
        SerializationException e = assertThrows(SerializationException.class, () -> serde.deserializer().deserialize("x", bytes));
        assertTrue(e.getMessage().contains("layout version 9"), e.getMessage());
    }
}
