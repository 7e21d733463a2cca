package io.streambert.serde;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.schemas.DeadLetter;
import io.streambert.schemas.EmbeddingEvent;
import io.streambert.schemas.ModerationEvent;
import io.streambert.schemas.TextEvent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class RegistryFreeSerdesTest {
    private final EventSerdes serdes = EventSerdes.registryFree();

    private static <T> T roundTrip(Serde<T> serde, T event) {
        byte[] bytes = serde.serializer().serialize("topic", event);
        return serde.deserializer().deserialize("topic", bytes);
    }

    @Test
    void everyRecordRoundTrips() {
        assertEquals("avro", serdes.format());
        assertEquals(Samples.text(), roundTrip(serdes.textEvents(), Samples.text()));
        assertEquals(Samples.minimalText(), roundTrip(serdes.textEvents(), Samples.minimalText()));
        assertEquals(
                Samples.moderation(), roundTrip(serdes.moderationEvents(), Samples.moderation()));
        assertEquals(Samples.embedding(), roundTrip(serdes.embeddingEvents(), Samples.embedding()));
        assertEquals(Samples.deadLetter(), roundTrip(serdes.deadLetters(), Samples.deadLetter()));
    }

    @Test
    void writesExactlyWhatAvrosBinaryMessageEncoderWrites() throws Exception {
        byte[] ours = serdes.textEvents().serializer().serialize("t", Samples.text());
        ByteBuffer avros = TextEvent.getEncoder().encode(Samples.text());
        byte[] theirs = new byte[avros.remaining()];
        avros.get(theirs);
        assertArrayEquals(theirs, ours);
        assertEquals((byte) 0xC3, ours[0]);
        assertEquals((byte) 0x01, ours[1]);
        // And Avro's own decoder reads ours.
        assertEquals(Samples.text(), TextEvent.getDecoder().decode(ours));
        BinaryMessageDecoder<ModerationEvent> d = ModerationEvent.getDecoder();
        assertEquals(
                Samples.moderation(),
                d.decode(
                        serdes.moderationEvents()
                                .serializer()
                                .serialize("t", Samples.moderation())));
        BinaryMessageEncoder<EmbeddingEvent> e = EmbeddingEvent.getEncoder();
        assertEquals(
                Samples.embedding(),
                serdes.embeddingEvents()
                        .deserializer()
                        .deserialize("t", e.encode(Samples.embedding()).array()));
    }

    @Test
    void nullIsATombstoneBothWays() {
        assertNull(serdes.textEvents().serializer().serialize("t", null));
        assertNull(serdes.textEvents().deserializer().deserialize("t", null));
        assertNull(serdes.deadLetters().deserializer().deserialize("t", null));
    }

    private String failure(Serde<?> serde, byte[] bytes) {
        return assertThrows(
                        SerializationException.class,
                        () -> serde.deserializer().deserialize("texts", bytes))
                .getMessage();
    }

    @Test
    void emptyBytesAreRejectedNotTreatedAsTombstone() {
        String msg = failure(serdes.textEvents(), new byte[0]);
        assertTrue(msg.contains("empty value (0 bytes)"), msg);
        assertTrue(msg.contains("texts"), msg);
    }

    @Test
    void unknownFingerprintPausesByDefaultAndDeadLettersOnRequest() {
        byte[] ok = serdes.textEvents().serializer().serialize("t", Samples.text());
        ok[5] ^= 0x55;
        UnknownFingerprintException pause =
                assertThrows(
                        UnknownFingerprintException.class,
                        () -> serdes.textEvents().deserializer().deserialize("texts", ok));
        assertTrue(
                pause.getMessage().contains("unknown schema fingerprint 0x"), pause.getMessage());
        assertTrue(
                pause.getMessage().contains("unknown.fingerprint.policy=dead-letter"),
                pause.getMessage());
        assertTrue(
                !SerializationException.class.isAssignableFrom(pause.getClass()),
                "pause must not look like a bad record");

        for (Serde<TextEvent> deadLetter :
                List.of(
                        EventSerdes.registryFree(UnknownFingerprintPolicy.DEAD_LETTER).textEvents(),
                        EventSerdes.forFormat(
                                        "json", Map.of("unknown.fingerprint.policy", "dead-letter"))
                                .textEvents())) {
            RejectedFieldException e =
                    assertThrows(
                            RejectedFieldException.class,
                            () -> deadLetter.deserializer().deserialize("texts", ok));
            assertEquals("header.fingerprint", e.field());
            assertTrue(e.getMessage().contains("unknown schema fingerprint 0x"), e.getMessage());
        }
        assertThrows(
                ConfigException.class,
                () -> EventSerdes.forFormat("avro", Map.of("unknown.fingerprint.policy", "drop")));
    }

    @Test
    void anotherRecordTypesBytesAreAnUnknownFingerprint() {
        byte[] moderation =
                serdes.moderationEvents().serializer().serialize("t", Samples.moderation());
        String msg = failure(serdes.textEvents(), moderation);
        assertTrue(msg.contains("unknown schema fingerprint"), msg);
        assertTrue(
                msg.contains("it is the fingerprint of ModerationEvent v2: wrong topic or serde?"),
                msg);
    }

    @Test
    void truncatedHeaderAndBodyAreReported() {
        byte[] ok = serdes.textEvents().serializer().serialize("t", Samples.text());
        String header = failure(serdes.textEvents(), Arrays.copyOf(ok, 6));
        assertTrue(header.contains("truncated header, 6 bytes"), header);
        String body = failure(serdes.textEvents(), Arrays.copyOf(ok, ok.length - 3));
        assertTrue(
                body.contains("truncated or corrupt Avro body for TextEvent: string length"), body);
        // Cut inside the fixed-size tail (event_time's long, attribute count): the decoder runs out
        // of bytes.
        byte[] timed = serdes.textEvents().serializer().serialize("t", Samples.minimalText());
        String eof = failure(serdes.textEvents(), Arrays.copyOf(timed, timed.length - 1));
        assertTrue(eof.contains("truncated Avro body: the"), eof);
    }

    @Test
    void trailingBytesAreReported() {
        byte[] ok = serdes.textEvents().serializer().serialize("t", Samples.minimalText());
        byte[] longer = Arrays.copyOf(ok, ok.length + 2);
        String msg = failure(serdes.textEvents(), longer);
        assertTrue(msg.contains("2 unexpected bytes after the TextEvent record"), msg);
    }

    @Test
    void unrecognisedLeadingBytesListTheAcceptedEncodings() {
        String msg = failure(serdes.textEvents(), new byte[] {(byte) 0xC3, 0x02, 1, 2});
        assertTrue(msg.contains("unrecognised encoding, first bytes 0xc3020102"), msg);
        String text = failure(serdes.textEvents(), "hello world".getBytes(UTF_8));
        assertTrue(text.contains("looks like plain text"), text);
    }

    @Test
    void confluentBytesWithoutRegistryNameTheMissingSetting() {
        String msg = failure(serdes.textEvents(), new byte[] {0, 0, 0, 0, 7, 2, 'a'});
        assertTrue(msg.contains("schema id 7"), msg);
        assertTrue(msg.contains("no schema.registry.url"), msg);
    }

    @Test
    void jsonTextEventsAreAcceptedByTheAvroSerde() {
        TextEvent e =
                serdes.textEvents()
                        .deserializer()
                        .deserialize("t", "{\"id\":\"x\",\"text\":\"hello\"}".getBytes(UTF_8));
        assertEquals("x", e.getId());
        assertEquals("hello", e.getText());
        assertNull(e.getTenant());
        assertTrue(e.getAttributes().isEmpty());
    }

    @Test
    void everyRecordTypeAcceptsJsonToo() {
        EventSerdes json = EventSerdes.json();
        assertEquals(
                Samples.moderation(),
                serdes.moderationEvents()
                        .deserializer()
                        .deserialize(
                                "t",
                                json.moderationEvents()
                                        .serializer()
                                        .serialize("t", Samples.moderation())));
        assertEquals(
                Samples.embedding(),
                serdes.embeddingEvents()
                        .deserializer()
                        .deserialize(
                                "t",
                                json.embeddingEvents()
                                        .serializer()
                                        .serialize("t", Samples.embedding())));
        assertEquals(
                Samples.deadLetter(),
                serdes.deadLetters()
                        .deserializer()
                        .deserialize(
                                "t",
                                json.deadLetters()
                                        .serializer()
                                        .serialize("t", Samples.deadLetter())));
    }

    @Test
    void oneSerdeIsSafeToShareBetweenThreads() throws Exception {
        byte[] text = serdes.textEvents().serializer().serialize("t", Samples.text());
        byte[] moderation =
                serdes.moderationEvents().serializer().serialize("t", Samples.moderation());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(
                        pool.submit(
                                () -> {
                                    for (int i = 0; i < 2000; i++) {
                                        if (!Samples.text()
                                                        .equals(
                                                                serdes.textEvents()
                                                                        .deserializer()
                                                                        .deserialize("t", text))
                                                || !Samples.moderation()
                                                        .equals(
                                                                serdes.moderationEvents()
                                                                        .deserializer()
                                                                        .deserialize(
                                                                                "t", moderation))
                                                || !Arrays.equals(
                                                        text,
                                                        serdes.textEvents()
                                                                .serializer()
                                                                .serialize("t", Samples.text()))) {
                                            return false;
                                        }
                                    }
                                    return true;
                                }));
            }
            for (Future<Boolean> r : results) {
                assertTrue(r.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void serializingARecordWithAMissingRequiredFieldNamesTheRecord() {
        DeadLetter bad = Samples.deadLetter();
        bad.setTopic(null);
        SerializationException e =
                assertThrows(
                        SerializationException.class,
                        () -> serdes.deadLetters().serializer().serialize("dlq", bad));
        assertTrue(
                e.getMessage().contains("cannot write DeadLetter for topic dlq"), e.getMessage());
    }
}
