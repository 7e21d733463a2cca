package io.streambert.service.validate;

import static io.streambert.service.testing.TopologyHarness.bytes;
import static org.junit.jupiter.api.Assertions.*;

import io.streambert.schemas.DeadLetter;
import io.streambert.schemas.ModerationEvent;
import io.streambert.service.deadletter.Reason;
import io.streambert.service.testing.TestEncoder;
import io.streambert.service.testing.TopologyHarness;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad input reaches the dead-letter topic whole (key, value, position) with its
 * reason; none is dropped.
 */
class DeadLetterTest {
    @TempDir Path state;
    private final TestEncoder encoder = new TestEncoder(16);

    private static byte[] array(ByteBuffer b) {
        if (b == null) return null;
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static void assertDeadLetter(
            TestRecord<byte[], DeadLetter> r,
            String key,
            byte[] value,
            long offset,
            Reason reason,
            String messagePart) {
        DeadLetter d = r.value();
        assertArrayEquals(bytes(key), r.key(), "dead letter keeps the input key");
        assertArrayEquals(bytes(key), array(d.getKey()));
        assertArrayEquals(value, array(d.getValue()), "dead letter keeps the original value bytes");
        assertEquals("text", d.getTopic());
        assertEquals(0, d.getPartition());
        assertEquals(offset, d.getOffset());
        assertEquals(reason.name(), d.getErrorClass());
        assertTrue(
                d.getErrorMessage().contains(messagePart),
                "message '" + d.getErrorMessage() + "' should mention '" + messagePart + "'");
    }

    @Test
    void badInputsGoToTheDeadLetterTopicWithReasonsAndOriginalBytes() {
        var config = TopologyHarness.config().set("text.max.bytes", 40).build();
        try (var h = new TopologyHarness(config, encoder, state)) {
            byte[] empty = TopologyHarness.textEvent("e1", "   ");
            byte[] tooLong = TopologyHarness.textEvent("e2", "x".repeat(41));
            byte[] garbage = {(byte) 0xff, 0x13, 0x37, 0x00, 0x42};
            byte[] plainText = bytes("just some text, not an event");
            byte[] wrongJson = bytes("{\"id\": \"e5\", \"body\": \"no text field\"}");
            byte[] brokenJson = bytes("{\"id\": \"e6\", \"text\": ");
            byte[] good = TopologyHarness.textEvent("ok", "fine");
            h.send("k0", empty);
            h.send("k1", tooLong);
            h.send("k2", garbage);
            h.send("k3", plainText);
            h.send("k4", wrongJson);
            h.send("k5", brokenJson);
            h.send("k6", good);
            h.send("k7", (byte[]) null);

            List<TestRecord<byte[], DeadLetter>> dead = h.deadLetters().readRecordsToList();
            assertEquals(7, dead.size());
            assertDeadLetter(dead.get(0), "k0", empty, 0, Reason.EMPTY_TEXT, "empty");
            assertDeadLetter(dead.get(1), "k1", tooLong, 1, Reason.TEXT_TOO_LONG, "41 bytes");
            assertDeadLetter(dead.get(2), "k2", garbage, 2, Reason.UNDECODABLE, "TextEvent");
            assertDeadLetter(dead.get(3), "k3", plainText, 3, Reason.UNDECODABLE, "plain text");
            assertDeadLetter(dead.get(4), "k4", wrongJson, 4, Reason.BAD_SCHEMA, "text");
            assertDeadLetter(dead.get(5), "k5", brokenJson, 5, Reason.UNDECODABLE, "TextEvent");
            assertDeadLetter(dead.get(6), "k7", null, 7, Reason.UNDECODABLE, "no value");

            List<ModerationEvent> mod = h.moderation("moderation").readValuesToList();
            assertEquals(1, mod.size(), "the one good record still goes through");
            assertEquals("ok", mod.get(0).getId());
            assertEquals(7, h.metrics.deadLettersTotal());
        }
    }

    @Test
    void aRecordOfAnotherSchemaIsBadSchema() {
        var config = TopologyHarness.config().build();
        try (var h = new TopologyHarness(config, encoder, state)) {
            // A valid Avro single-object record, but a ModerationEvent's schema, not a TextEvent's.
            ModerationEvent other =
                    ModerationEvent.newBuilder()
                            .setId("m")
                            .setLabel("x")
                            .setScores(java.util.Map.of())
                            .setFlagged(false)
                            .setModel("m")
                            .setModelRevision("r")
                            .setTokens(1)
                            .setTimings(
                                    io.streambert.schemas.Timings.newBuilder()
                                            .setQueuedMs(0)
                                            .setInferenceMs(0)
                                            .setBatchSequences(1)
                                            .setBatchTokens(1)
                                            .build())
                            .setSourceTopic("t")
                            .setSourcePartition(0)
                            .setSourceOffset(0)
                            .setProcessedTime(java.time.Instant.EPOCH)
                            .build();
            byte[] value =
                    TopologyHarness.SERDES.moderationEvents().serializer().serialize("x", other);
            h.send("k", value);
            assertDeadLetter(
                    h.deadLetters().readRecord(), "k", value, 0, Reason.BAD_SCHEMA, "TextEvent");
        }
    }

    @Test
    void anUnreachableSchemaRegistryFailsTheTaskInsteadOfDeadLetteringGoodRecords() {
        var config =
                TopologyHarness.config()
                        .set("schema.registry.url", "http://127.0.0.1:1")
                        .set("registry.schema.registry.request.timeout.ms", 500)
                        .build();
        try (var h = new TopologyHarness(config, encoder, state)) {
            // Confluent wire format: magic 0, schema id 7, then an Avro body the registry would
            // describe.
            byte[] value = {0, 0, 0, 0, 7, 2, 'a', 2, 'b'};
            var e =
                    assertThrows(
                            org.apache.kafka.streams.errors.StreamsException.class,
                            () -> h.send("k", value));
            boolean outage = false;
            for (Throwable t = e; t != null; t = t.getCause())
                outage |= t instanceof io.streambert.serde.registry.RegistryUnavailableException;
            assertTrue(outage, "the cause is the registry outage: " + e);
            assertTrue(h.deadLetters().isEmpty(), "a registry outage is not the record's fault");
        }
    }

    @Test
    void tooManyTokensUnderTheRejectPolicy() {
        var config = TopologyHarness.config().build();
        try (var h = new TopologyHarness(config, encoder, state)) {
            // The test encoder rejects (as Encoder.tokenize does under truncation=reject) texts
            // marked REJECT_LONG.
            byte[] value = TopologyHarness.textEvent("long", "REJECT_LONG " + "word ".repeat(30));
            h.send("k", value);
            assertDeadLetter(
                    h.deadLetters().readRecord(),
                    "k",
                    value,
                    0,
                    Reason.TOO_MANY_TOKENS,
                    "limit 16");
            assertTrue(h.moderation("moderation").isEmpty());
        }
    }

    @Test
    void aDeviceFailureDeadLettersNothingAndKeepsTheRecordsBufferedForTheRetry() {
        var config =
                TopologyHarness.config()
                        .set("scheduler.retry.backoff.ms", 20)
                        .set("scheduler.retry.backoff.max.ms", 50)
                        .build();
        java.util.concurrent.atomic.AtomicBoolean broken =
                new java.util.concurrent.atomic.AtomicBoolean(true);
        TestEncoder flaky =
                new TestEncoder() {
                    @Override
                    public List<io.streambert.engine.Prediction> encode(List<int[]> sequences) {
                        if (broken.get())
                            throw new io.streambert.engine.DeviceException("device lost");
                        return super.encode(sequences);
                    }
                };
        try (var h = new TopologyHarness(config, flaky, state)) {
            // Device errors stay in the scheduler: no exception reaches the stream thread, nothing
            // is dead-lettered.
            h.pipe("a", "1", "one");
            h.pipe("b", "2", "two");
            for (int i = 0; i < 100 && h.scheduler.retries() < 4; i++) h.advanceWallClock(20);
            assertTrue(
                    h.scheduler.retries() >= 4, "retried with backoff: " + h.scheduler.retries());
            assertTrue(h.scheduler.faultSinceMillis() > 0, "the fault is visible while it lasts");
            assertTrue(h.deadLetters().isEmpty(), "a broken device is not the records' fault");
            assertTrue(h.moderation("moderation").isEmpty());
            broken.set(false);
            h.pipe("c", "3", "three");
            h.settle();
            var out = h.moderation("moderation");
            assertEquals(
                    List.of("1", "2", "3"),
                    out.readValuesToList().stream().map(ModerationEvent::getId).toList());
            assertEquals(0, h.scheduler.faultSinceMillis());
        }
    }

    @Test
    void anInferenceFailureDeadLettersThatRecordAloneAndItsBatchMatesGoThrough() {
        var config = TopologyHarness.config().build();
        try (var h = new TopologyHarness(config, encoder, state)) {
            byte[] poison = TopologyHarness.textEvent("p", "some poison here");
            h.send("a", "1", "before");
            h.send("b", poison);
            h.send("c", "3", "after");
            assertEquals(
                    List.of("1", "3"),
                    h.moderation("moderation").readValuesToList().stream()
                            .map(ModerationEvent::getId)
                            .toList());
            assertEquals(2, h.embedding("embedding").readValuesToList().size());
            assertDeadLetter(
                    h.deadLetters().readRecord(),
                    "b",
                    poison,
                    1,
                    Reason.INFERENCE_FAILED,
                    "poison");
            assertTrue(h.deadLetters().isEmpty());
        }
    }
}
