package io.streambert.service.batch;

import static org.junit.jupiter.api.Assertions.*;

import io.streambert.schemas.ModerationEvent;
import io.streambert.service.testing.TestEncoder;
import io.streambert.service.testing.TopologyHarness;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each flush trigger on its own, per-key order, and buffered records surviving a restart. */
class BatchingTest {
    @TempDir Path state;
    private final TestEncoder encoder = new TestEncoder();

    private static List<String> ids(List<TestRecord<byte[], ModerationEvent>> records) {
        return records.stream().map(r -> r.value().getId()).toList();
    }

    @Test
    void flushesWhenTheRecordCountIsReached() {
        var config = TopologyHarness.config().set("batch.max.records", 3).build();
        try (var h = new TopologyHarness(config, encoder, state)) {
            var out = h.moderation("moderation");
            h.send("a", "1", "one");
            h.send("b", "2", "two");
            assertTrue(out.isEmpty(), "two of three records: still buffered");
            assertTrue(encoder.calls.isEmpty());
            h.send("c", "3", "three");
            assertEquals(List.of("1", "2", "3"), ids(out.readRecordsToList()));
            assertEquals(List.of(List.of(3, 3, 3)), encoder.calls, "one micro-batch of three 3-token sequences");
            h.send("d", "4", "four");
            assertTrue(out.isEmpty(), "the buffer starts over after a flush");
        }
    }

    @Test
    void flushesWhenTheTokenBudgetIsReached() {
        // "w w" is 4 tokens with [CLS] and [SEP]; a budget of 10 is reached by the third record (12 tokens).
        var config = TopologyHarness.config().set("batch.max.tokens", 10).build();
        try (var h = new TopologyHarness(config, encoder, state)) {
            var out = h.moderation("moderation");
            h.send("a", "1", "w w");
            h.send("b", "2", "w w");
            assertTrue(out.isEmpty(), "8 of 10 tokens: still buffered");
            h.send("c", "3", "w w");
            assertEquals(List.of("1", "2", "3"), ids(out.readRecordsToList()));
            assertEquals(List.of(List.of(4, 4, 4)), encoder.calls);
        }
    }

    @Test
    void flushesWhenTheOldestRecordHasWaitedMaxWait() {
        var config = TopologyHarness.config().set("batch.max.wait.ms", 1000).build();
        try (var h = new TopologyHarness(config, encoder, state)) {
            var out = h.moderation("moderation");
            h.send("a", "1", "one");
            h.advanceWallClock(400);
            h.send("b", "2", "two");
            h.advanceWallClock(400);
            assertTrue(out.isEmpty(), "oldest has waited 800 of 1000 ms");
            h.advanceWallClock(300);
            assertEquals(List.of("1", "2"), ids(out.readRecordsToList()), "the whole buffer goes when the oldest is due");
            h.advanceWallClock(5000);
            assertTrue(out.isEmpty(), "nothing buffered, nothing sent");
        }
    }

    @Test
    void keysAreKeptAndPerKeyOrderIsTheInputOrderAcrossManyFlushes() {
        var config = TopologyHarness.config().set("batch.max.records", 4).set("batch.max.wait.ms", 100).build();
        Map<String, List<String>> sent = new LinkedHashMap<>();
        try (var h = new TopologyHarness(config, encoder, state)) {
            for (int i = 0; i < 37; i++) {
                String key = "key-" + (i * 7 % 5);
                String id = "e" + i;
                sent.computeIfAbsent(key, k -> new ArrayList<>()).add(id);
                h.send(key, id, "text number " + i + (i % 3 == 0 ? " bad" : ""));
                if (i % 10 == 9) h.advanceWallClock(150); // mix max-wait flushes with count flushes
            }
            h.advanceWallClock(150);
            Map<String, List<String>> moderation = new LinkedHashMap<>(), embedding = new LinkedHashMap<>();
            for (var r : h.moderation("moderation").readRecordsToList())
                moderation.computeIfAbsent(new String(r.key(), StandardCharsets.UTF_8), k -> new ArrayList<>()).add(r.value().getId());
            for (var r : h.embedding("embedding").readRecordsToList())
                embedding.computeIfAbsent(new String(r.key(), StandardCharsets.UTF_8), k -> new ArrayList<>()).add(r.value().getId());
            assertEquals(sent, moderation);
            assertEquals(sent, embedding);
        }
    }

    @Test
    void duringShutdownNoNewFlushStartsAndRecordsStayBuffered() {
        var config = TopologyHarness.config().set("batch.max.records", 2).set("batch.max.wait.ms", 100).build();
        try (var h = new TopologyHarness(config, encoder, state)) {
            var out = h.moderation("moderation");
            h.draining.set(true);
            h.send("a", "1", "one");
            h.send("b", "2", "two");
            h.advanceWallClock(500);
            assertTrue(out.isEmpty(), "draining: neither the count nor the max-wait trigger starts a flush");
            assertTrue(encoder.calls.isEmpty());
            h.draining.set(false); // (in the service they would be flushed by the next run, from the store)
            h.advanceWallClock(500);
            assertEquals(List.of("1", "2"), ids(out.readRecordsToList()), "nothing was lost meanwhile");
            assertEquals(List.of(List.of(3, 3)), encoder.calls);
        }
    }

    @Test
    void aBufferHoldingSeveralMicroBatchesIsFlushedOneMicroBatchAtATimeOldestFirst() {
        var config = TopologyHarness.config().set("batch.max.records", 2).set("batch.max.wait.ms", 100).build();
        try (var h = new TopologyHarness(config, encoder, state)) {
            var out = h.moderation("moderation");
            h.draining.set(true);
            for (int i = 1; i <= 5; i++) h.send("k" + i, String.valueOf(i), "text " + i);
            assertTrue(out.isEmpty());
            h.draining.set(false);
            h.advanceWallClock(500);
            assertEquals(List.of("1", "2"), ids(out.readRecordsToList()), "one micro-batch per trigger");
            h.advanceWallClock(500);
            assertEquals(List.of("3", "4"), ids(out.readRecordsToList()));
            h.send("k6", "6", "text 6"); // the count trigger empties the rest, still micro-batch by micro-batch
            assertEquals(List.of("5", "6"), ids(out.readRecordsToList()));
            assertEquals(List.of(List.of(4, 4), List.of(4, 4), List.of(4, 4)), encoder.calls);
        }
    }

    @Test
    void bufferedRecordsSurviveARestartAndAreFlushedFirstThing() throws Exception {
        var config = TopologyHarness.config().build(); // nothing triggers: records stay buffered
        Path copy = Files.createTempDirectory(state, "after-crash");
        try (var h = new TopologyHarness(config, encoder, state.resolve("run1"))) {
            h.send("a", "1", "first");
            h.send("b", "2", "second bad");
            assertTrue(h.moderation("moderation").isEmpty());
            // The driver committed after each record; keep the state directory as a crash would leave it
            // (closing the driver cleans it up, as a clean shutdown's cleanup would).
            copyTree(state.resolve("run1"), copy);
        }
        TestEncoder second = new TestEncoder();
        try (var h = new TopologyHarness(config, second, copy)) {
            var out = h.moderation("moderation");
            assertTrue(out.isEmpty());
            h.advanceWallClock(300); // first punctuation after the restart
            List<TestRecord<byte[], ModerationEvent>> records = out.readRecordsToList();
            assertEquals(List.of("1", "2"), ids(records));
            assertEquals("flagged", records.get(1).value().getLabel());
            assertArrayEquals("b".getBytes(StandardCharsets.UTF_8), records.get(1).key());
            assertEquals(1, records.get(1).value().getSourceOffset());
            h.advanceWallClock(300);
            h.send("c", "3", "third");
            h.advanceWallClock(300);
            assertTrue(out.isEmpty(), "restored records were flushed once; a new record waits for its own trigger again");
        }
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.sorted(Comparator.naturalOrder()).toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else if (!p.getFileName().toString().equals("LOCK")) Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
