package io.streambert.service.validate;

import static io.streambert.service.testing.TopologyHarness.bytes;
import static org.junit.jupiter.api.Assertions.*;

import io.streambert.engine.ModelInfo;
import io.streambert.schemas.DeadLetter;
import io.streambert.schemas.TextEvent;
import io.streambert.service.config.ConfigException;
import io.streambert.service.config.ServiceConfig;
import io.streambert.service.ops.SizeCheck;
import io.streambert.service.testing.TestEncoder;
import io.streambert.service.testing.TopologyHarness;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing that passes validation can fail later because of its size or its values: the four inputs
 * that used to stall a partition become dead letters that are themselves small enough for any
 * broker, and the start-up check refuses limits that do not fit the producer.
 */
class SizeAndTimestampBoundsTest {
    @TempDir Path state;

    /** What the default producer and broker accept (max.request.size). */
    static final int KAFKA_DEFAULT_MAX = 1_048_576;

    private static byte[] serialized(DeadLetter d) {
        return TopologyHarness.SERDES.deadLetters().serializer().serialize("dead", d);
    }

    static Map<String, String> attributes(int totalBytes) {
        Map<String, String> a = new HashMap<>();
        a.put("blob", "a".repeat(totalBytes));
        return a;
    }

    @Test
    void theFourInputsThatStalledAPartitionBecomeBoundedDeadLettersAndGoodEventsFlow() {
        var config = TopologyHarness.config().build();
        try (var h = new TopologyHarness(config, new TestEncoder(), state)) {
            String bigKey530 = "k".repeat(530_000);
            String key520 = "q".repeat(520_000);
            h.send("good-1", "g1", "hello one");
            h.send(bigKey530, bytes("definitely not an event")); // bad value with a 530 KB key
            h.send("good-2", "g2", "hello two");
            h.send(
                    "far-future",
                    bytes(
                            "{\"id\": \"t1\", \"text\": \"fine\", \"event_time\": \"+1000000000-12-31T23:59:59Z\"}"));
            h.send("good-3", "g3", "hello three");
            h.send("attrs", TopologyHarness.textEvent("a1", "valid text", attributes(600_000)));
            h.send("good-4", "g4", "hello four");
            h.send(key520, TopologyHarness.textEvent("i".repeat(520_000), "valid text"));
            h.send("good-5", "g5", "hello five");

            assertEquals(
                    List.of("g1", "g2", "g3", "g4", "g5"),
                    h.moderation("moderation").readValuesToList().stream()
                            .map(m -> m.getId())
                            .toList());
            List<TestRecord<byte[], DeadLetter>> dead = h.deadLetters().readRecordsToList();
            assertEquals(
                    List.of("TOO_LARGE", "BAD_TIMESTAMP", "TOO_LARGE", "TOO_LARGE"),
                    dead.stream().map(r -> r.value().getErrorClass()).toList());
            long[] offsets = {1, 3, 5, 7};
            for (int i = 0; i < 4; i++) {
                DeadLetter d = dead.get(i).value();
                assertEquals(offsets[i], d.getOffset(), "position kept");
                assertEquals("text", d.getTopic());
                int size =
                        serialized(d).length
                                + (dead.get(i).key() == null ? 0 : dead.get(i).key().length);
                assertTrue(
                        size < KAFKA_DEFAULT_MAX / 4,
                        "dead letter "
                                + i
                                + " is "
                                + size
                                + " bytes: the broker must never refuse it");
            }
            assertTrue(
                    dead.get(0).value().getErrorMessage().contains("input.max.key.bytes"),
                    dead.get(0).value().getErrorMessage());
            assertTrue(
                    dead.get(0).value().getErrorMessage().contains("key cut from 530000"),
                    dead.get(0).value().getErrorMessage());
            assertTrue(
                    dead.get(1).value().getErrorMessage().contains("event_time"),
                    dead.get(1).value().getErrorMessage());
            assertTrue(
                    dead.get(2).value().getErrorMessage().contains("input.max.value.bytes"),
                    dead.get(2).value().getErrorMessage());
            assertTrue(
                    dead.get(2).value().getErrorMessage().contains("value cut from"),
                    dead.get(2).value().getErrorMessage());
            assertTrue(
                    dead.get(3).value().getErrorMessage().contains("input.max.key.bytes"),
                    dead.get(3).value().getErrorMessage());
            // The cut payload is the start of the original bytes.
            byte[] keptKey = new byte[dead.get(0).value().getKey().remaining()];
            dead.get(0).value().getKey().duplicate().get(keptKey);
            assertEquals(
                    bigKey530.substring(0, keptKey.length),
                    new String(keptKey, StandardCharsets.UTF_8));
        }
    }

    @Test
    void idAttributeCountAndAttributeBytesAreBoundedEachOnItsOwn() {
        var config =
                TopologyHarness.config()
                        .set("input.max.id.bytes", 10)
                        .set("input.max.attributes", 2)
                        .set("input.max.attributes.bytes", 20)
                        .build();
        try (var h = new TopologyHarness(config, new TestEncoder(), state)) {
            h.send("a", "id-that-is-too-long", "text");
            h.send(
                    "b",
                    TopologyHarness.textEvent("ok1", "text", Map.of("a", "1", "b", "2", "c", "3")));
            h.send("c", TopologyHarness.textEvent("ok2", "text", Map.of("a", "x".repeat(20))));
            h.send(
                    "d",
                    TopologyHarness.textEvent(
                            "ok3", "text", Map.of("a", "x".repeat(19)))); // 1 + 19 = 20 bytes: fits
            h.send(
                    "e",
                    TopologyHarness.textEvent("é".repeat(5), "text")); // 10 bytes of UTF-8: fits
            List<String> messages =
                    h.deadLetters().readValuesToList().stream()
                            .map(DeadLetter::getErrorMessage)
                            .toList();
            assertEquals(3, messages.size(), messages.toString());
            assertTrue(messages.get(0).contains("input.max.id.bytes=10"), messages.get(0));
            assertTrue(
                    messages.get(1).contains("3 attributes, more than input.max.attributes=2"),
                    messages.get(1));
            assertTrue(
                    messages.get(2)
                            .contains("21 bytes of UTF-8, more than input.max.attributes.bytes=20"),
                    messages.get(2));
            assertEquals(
                    List.of("ok3", "ééééé"),
                    h.moderation("moderation").readValuesToList().stream()
                            .map(m -> m.getId())
                            .toList());
        }
    }

    @Test
    void
            recordTimestampsAndEventTimesOutsideYearsOneToNineThousandNineHundredNinetyNineAreDeadLettered() {
        var config = TopologyHarness.config().build();
        try (var h = new TopologyHarness(config, new TestEncoder(), state)) {
            TextEvent year10000 =
                    TextEvent.newBuilder()
                            .setId("y")
                            .setText("t")
                            .setEventTime(Instant.parse("+10000-01-01T00:00:00Z"))
                            .build();
            TextEvent year9999 =
                    TextEvent.newBuilder()
                            .setId("z")
                            .setText("t")
                            .setEventTime(Instant.parse("9999-12-31T23:59:59Z"))
                            .build();
            h.send(
                    "a",
                    TopologyHarness.SERDES.textEvents().serializer().serialize("text", year10000));
            h.send(
                    "b",
                    TopologyHarness.SERDES.textEvents().serializer().serialize("text", year9999));
            h.input.pipeInput(
                    bytes("c"),
                    TopologyHarness.textEvent("w", "t"),
                    Instant.parse("+10000-06-01T00:00:00Z").toEpochMilli());
            h.settle();
            List<DeadLetter> dead = h.deadLetters().readValuesToList();
            assertEquals(
                    List.of("BAD_TIMESTAMP", "BAD_TIMESTAMP"),
                    dead.stream().map(DeadLetter::getErrorClass).toList());
            assertTrue(
                    dead.get(1).getErrorMessage().contains("record timestamp"),
                    dead.get(1).getErrorMessage());
            assertEquals(
                    List.of("z"),
                    h.moderation("moderation").readValuesToList().stream()
                            .map(m -> m.getId())
                            .toList());
        }
    }

    @Test
    void startUpRefusesLimitsWhoseRecordsCouldExceedTheProducerLimit() {
        ModelInfo model = new TestEncoder().info();
        SizeCheck.checkProducer(ServiceConfig.builder().build(), model); // the defaults fit
        ServiceConfig tooBig =
                ServiceConfig.builder().set("input.max.value.bytes", 1_040_000).build();
        ConfigException e =
                assertThrows(ConfigException.class, () -> SizeCheck.checkProducer(tooBig, model));
        assertTrue(
                e.getMessage().contains("buffered record (changelog) can reach")
                        && e.getMessage().contains("max.request.size 1048576"),
                e.getMessage());
        ServiceConfig raised =
                ServiceConfig.builder()
                        .set("input.max.value.bytes", 1_040_000)
                        .set("kafka.max.request.size", 4_000_000)
                        .build();
        SizeCheck.checkProducer(raised, model);
    }
}
