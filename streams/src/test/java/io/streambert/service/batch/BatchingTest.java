package io.streambert.service.batch;

import static org.junit.jupiter.api.Assertions.*;

import io.streambert.engine.DeviceException;
import io.streambert.engine.ModelInfo;
import io.streambert.engine.Prediction;
import io.streambert.schemas.ModerationEvent;
import io.streambert.service.testing.TestEncoder;
import io.streambert.service.testing.TopologyHarness;
import io.streambert.service.topology.StreamBertTopology;
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
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The buffer as the in-flight log: process() and the punctuator never wait on the device, results
 * are forwarded in arrival order with their store entries deleted, the store is resubmitted after a
 * restart (re-tokenized when the revision changed), and nothing is submitted while shutting down.
 */
class BatchingTest {
    @TempDir Path state;
    private final TestEncoder encoder = new TestEncoder();

    private static List<String> ids(List<TestRecord<byte[], ModerationEvent>> records) {
        return records.stream().map(r -> r.value().getId()).toList();
    }

    private static KeyValueStore<Long, BufferedRecord> buffer(TopologyHarness h) {
        return h.driver.getKeyValueStore(StreamBertTopology.BUFFER_STORE);
    }

    private static int count(KeyValueStore<Long, BufferedRecord> store) {
        int n = 0;
        try (var it = store.all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    @Test
    void neitherProcessNorThePunctuatorWaitsOnTheDevice() {
        var config = TopologyHarness.config().build();
        try (var h = new TopologyHarness(config, encoder, state)) {
            var out = h.moderation("moderation");
            encoder.hold(); // the device is stuck until open()
            long t0 = System.nanoTime();
            for (int i = 1; i <= 5; i++) h.pipe("k" + i, String.valueOf(i), "text " + i);
            h.advanceWallClock(1000);
            h.advanceWallClock(1000);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(
                    ms < 5000,
                    "process() and punctuations returned while the device was stuck ("
                            + ms
                            + " ms)");
            assertTrue(out.isEmpty());
            assertEquals(5, count(buffer(h)), "every record is in the in-flight log");
            encoder.open();
            h.settle();
            assertEquals(List.of("1", "2", "3", "4", "5"), ids(out.readRecordsToList()));
            assertEquals(
                    0,
                    count(buffer(h)),
                    "forwarded records leave the store in the same punctuation");
        }
    }

    @Test
    void resultsAreForwardedInArrivalOrderEvenWhenTheyCompleteOutOfOrder() throws Exception {
        // One launch [2, 1, 3] (longest first) runs out of device memory and is split: [2]
        // completes, then [1, 3] is
        // held on the "device" until released. 2 is done before 1 but must wait for it.
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        TestEncoder device =
                new TestEncoder() {
                    @Override
                    public List<Prediction> encode(List<int[]> sequences) {
                        int tokens = sequences.stream().mapToInt(x -> x.length).sum();
                        if (tokens > 20)
                            throw new DeviceException(
                                    "cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY (test)");
                        if (sequences.size() == 2) {
                            try {
                                release.await(30, java.util.concurrent.TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                        return super.encode(sequences);
                    }
                };
        var config = TopologyHarness.config().set("scheduler.max.delay.ms", 300).build();
        try (var h = new TopologyHarness(config, device, state)) {
            var out = h.moderation("moderation");
            h.pipe("a", "1", "w w w w w w w w"); // 10 tokens
            h.pipe("b", "2", "w w w w w w w w w w w w w"); // 15 tokens
            h.pipe("c", "3", "w w w"); // 5 tokens
            for (int i = 0; i < 1000 && h.scheduler.inflightTokens() != 15; i++) sleep(5);
            assertEquals(
                    15, h.scheduler.inflightTokens(), "2 is computed, 1 and 3 are on the device");
            h.advanceWallClock(50);
            assertTrue(out.isEmpty(), "2 is done but waits for 1");
            assertEquals(3, count(buffer(h)));
            release.countDown();
            h.settle();
            assertEquals(List.of("1", "2", "3"), ids(out.readRecordsToList()));
            assertEquals(
                    List.of(List.of(15), List.of(10, 5)),
                    device.calls,
                    "the halves of the split launch (calls that threw are not recorded)");
        }
    }

    @Test
    void keysAreKeptAndPerKeyOrderIsTheInputOrder() {
        var config = TopologyHarness.config().set("scheduler.max.batch.tokens", 20).build();
        Map<String, List<String>> sent = new LinkedHashMap<>();
        try (var h = new TopologyHarness(config, encoder, state)) {
            for (int i = 0; i < 37; i++) {
                String key = "key-" + (i * 7 % 5);
                String id = "e" + i;
                sent.computeIfAbsent(key, k -> new ArrayList<>()).add(id);
                h.pipe(key, id, "text number " + i + (i % 3 == 0 ? " bad" : ""));
                if (i % 10 == 9) h.advanceWallClock(5);
            }
            h.settle();
            Map<String, List<String>> moderation = new LinkedHashMap<>(),
                    embedding = new LinkedHashMap<>();
            for (var r : h.moderation("moderation").readRecordsToList())
                moderation
                        .computeIfAbsent(
                                new String(r.key(), StandardCharsets.UTF_8), k -> new ArrayList<>())
                        .add(r.value().getId());
            for (var r : h.embedding("embedding").readRecordsToList())
                embedding
                        .computeIfAbsent(
                                new String(r.key(), StandardCharsets.UTF_8), k -> new ArrayList<>())
                        .add(r.value().getId());
            assertEquals(sent, moderation);
            assertEquals(sent, embedding);
        }
    }

    @Test
    void duringShutdownNothingNewIsSubmittedAndRecordsStayBuffered() {
        var config = TopologyHarness.config().build();
        try (var h = new TopologyHarness(config, encoder, state)) {
            var out = h.moderation("moderation");
            h.draining.set(true);
            h.pipe("a", "1", "one");
            h.pipe("b", "2", "two");
            h.advanceWallClock(500);
            assertTrue(out.isEmpty());
            assertTrue(encoder.calls.isEmpty(), "draining: nothing goes to the device");
            assertEquals(2, count(buffer(h)));
            h.draining.set(false); // (in the service the next owner resubmits them from the store)
            h.advanceWallClock(10);
            h.settle();
            assertEquals(
                    List.of("1", "2"), ids(out.readRecordsToList()), "nothing was lost meanwhile");
        }
    }

    @Test
    void bufferedRecordsSurviveARestartAndAreResubmittedFromTheStore() throws Exception {
        var config = TopologyHarness.config().set("scheduler.max.delay.ms", 200).build();
        Path copy = Files.createTempDirectory(state, "after-crash");
        try (var h = new TopologyHarness(config, encoder, state.resolve("run1"))) {
            encoder.hold(); // the batch is on the device when the "crash" happens
            h.pipe("a", "1", "first");
            h.pipe("b", "2", "second bad");
            assertTrue(h.moderation("moderation").isEmpty());
            copyTree(
                    state.resolve("run1"),
                    copy); // the state as a crash leaves it (the driver committed after each
            // record)
            encoder.open();
        }
        TestEncoder second = new TestEncoder();
        try (var h = new TopologyHarness(config, second, copy)) {
            var out = h.moderation("moderation");
            h.settle(); // init() resubmitted both records
            List<TestRecord<byte[], ModerationEvent>> records = out.readRecordsToList();
            assertEquals(List.of("1", "2"), ids(records));
            assertEquals("flagged", records.get(1).value().getLabel());
            assertArrayEquals("b".getBytes(StandardCharsets.UTF_8), records.get(1).key());
            assertEquals(1, records.get(1).value().getSourceOffset());
            assertEquals(
                    List.of(List.of(4, 3)),
                    second.calls,
                    "resubmitted from the store, with the stored ids, in one batch");
            assertEquals(0, count(buffer(h)));
        }
    }

    @Test
    void aRecordBufferedUnderAnotherRevisionIsReTokenizedNeverFedWithTheOldIds() throws Exception {
        var config = TopologyHarness.config().build();
        Path copy = Files.createTempDirectory(state, "after-upgrade");
        try (var h = new TopologyHarness(config, encoder, state.resolve("run1"))) {
            encoder.hold();
            h.pipe("a", "1", "first words here");
            copyTree(state.resolve("run1"), copy);
            encoder.open();
        }
        // The upgraded tokenizer makes two ids per word, and the model has a new revision.
        TestEncoder upgraded =
                new TestEncoder() {
                    @Override
                    public ModelInfo info() {
                        ModelInfo i = super.info();
                        return new ModelInfo(
                                i.name(),
                                "rev2",
                                i.labels(),
                                i.multiLabel(),
                                i.hiddenSize(),
                                i.embeddingDim(),
                                i.maxTokens(),
                                i.device());
                    }

                    @Override
                    public int[] tokenize(String text) {
                        int[] one = super.tokenize(text);
                        int[] two = new int[2 + 2 * (one.length - 2)];
                        two[0] = 1;
                        for (int i = 1; i < one.length - 1; i++) {
                            two[2 * i - 1] = one[i];
                            two[2 * i] = one[i];
                        }
                        two[two.length - 1] = 2;
                        return two;
                    }
                };
        try (var h = new TopologyHarness(config, upgraded, copy)) {
            h.settle();
            assertEquals(List.of("1"), ids(h.moderation("moderation").readRecordsToList()));
            assertEquals(
                    List.of(List.of(8)),
                    upgraded.calls,
                    "re-tokenized by the new tokenizer (8 ids), not the stored 5");
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.sorted(Comparator.naturalOrder()).toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else if (!p.getFileName().toString().equals("LOCK"))
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
