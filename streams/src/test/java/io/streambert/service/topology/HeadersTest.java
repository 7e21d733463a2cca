package io.streambert.service.topology;

import static io.streambert.service.testing.TopologyHarness.bytes;
import static org.junit.jupiter.api.Assertions.*;

import io.streambert.service.testing.TestEncoder;
import io.streambert.service.testing.TopologyHarness;
import io.streambert.service.validate.HeaderPolicy;
import io.streambert.service.validate.ValidationOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input record headers (trace context, correlation ids) reach every output record, byte for byte
 * and in order: moderation, review, routed copies, embedding, and dead letters of both validation
 * and inference; also for records that were in the buffer when the process crashed.
 */
class HeadersTest {
    @TempDir Path state;

    static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    /** Headers as (name, value) pairs, to compare with assertEquals. */
    record H(String key, List<Byte> value) {}

    static List<H> list(Headers headers) {
        List<H> out = new ArrayList<>();
        for (Header h : headers) {
            List<Byte> v = null;
            if (h.value() != null) {
                v = new ArrayList<>();
                for (byte b : h.value()) v.add(b);
            }
            out.add(new H(h.key(), v));
        }
        return out;
    }

    static Headers input() {
        RecordHeaders h = new RecordHeaders();
        h.add("traceparent", TRACEPARENT.getBytes(StandardCharsets.US_ASCII));
        h.add(
                "tracestate",
                "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        h.add("X-Request-Id", "req-42".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        h.add("binary", new byte[] {0, (byte) 0xFF, 7, (byte) 0x80});
        h.add("no-value", null);
        h.add(
                "X-Request-Id",
                "second-value-same-name".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return h;
    }

    private static void pipe(TopologyHarness h, String key, byte[] value, Headers headers) {
        h.input.pipeInput(new TestRecord<>(bytes(key), value, headers));
    }

    @Test
    void everyOutputCarriesTheInputHeadersByteForByte() {
        var config =
                TopologyHarness.config()
                        .set("topic.review", "review")
                        .set("topic.route.flagged", "flagged-events")
                        .build();
        try (var h = new TopologyHarness(config, new TestEncoder(), state)) {
            pipe(h, "k", TopologyHarness.textEvent("1", "this is bad"), input());
            h.settle();
            List<H> expected = list(input());
            List<TestRecord<byte[], ?>> outputs = new ArrayList<>();
            outputs.addAll(h.moderation("moderation").readRecordsToList());
            outputs.addAll(h.moderation("review").readRecordsToList());
            outputs.addAll(h.moderation("flagged-events").readRecordsToList());
            outputs.addAll(h.embedding("embedding").readRecordsToList());
            assertEquals(4, outputs.size(), "moderation, review, route and embedding");
            for (TestRecord<byte[], ?> r : outputs) assertEquals(expected, list(r.headers()));
            assertArrayEquals(
                    TRACEPARENT.getBytes(StandardCharsets.US_ASCII),
                    outputs.get(0).headers().lastHeader("traceparent").value());
        }
    }

    @Test
    void deadLettersOfValidationAndOfInferenceCarryTheHeadersToo() {
        try (var h =
                new TopologyHarness(TopologyHarness.config().build(), new TestEncoder(), state)) {
            pipe(h, "a", TopologyHarness.textEvent("empty", " \u200B "), input());
            pipe(h, "b", bytes("not an event"), input());
            pipe(h, "c", TopologyHarness.textEvent("p", "some poison"), input()); // fails on device
            h.settle();
            var dead = h.deadLetters().readRecordsToList();
            assertEquals(3, dead.size());
            for (var d : dead) assertEquals(list(input()), list(d.headers()), d.value().toString());
        }
    }

    @Test
    void theDenyListIsReadFromTheConfiguration() {
        var config =
                TopologyHarness.config().set("output.headers.deny", "X-REQUEST-ID, binary").build();
        try (var h = new TopologyHarness(config, new TestEncoder(), state)) {
            pipe(h, "k", TopologyHarness.textEvent("1", "hello"), input());
            h.settle();
            assertEquals(
                    List.of("traceparent", "tracestate", "no-value"),
                    list(h.moderation("moderation").readRecord().headers()).stream()
                            .map(H::key)
                            .toList());
        }
    }

    @Test
    void aDenyListDropsThoseNamesWhateverTheirCaseAndKeepsTheRest() {
        var options =
                ValidationOptions.defaults()
                        .withHeaders(new HeaderPolicy(true, Set.of("x-request-id", "BINARY")));
        try (var h =
                new TopologyHarness(
                        TopologyHarness.config().build(), new TestEncoder(), state, options)) {
            pipe(h, "k", TopologyHarness.textEvent("1", "hello"), input());
            pipe(h, "k", TopologyHarness.textEvent("2", ""), input());
            h.settle();
            List<String> names =
                    list(h.moderation("moderation").readRecord().headers()).stream()
                            .map(H::key)
                            .toList();
            assertEquals(List.of("traceparent", "tracestate", "no-value"), names);
            assertEquals(
                    names,
                    list(h.deadLetters().readRecord().headers()).stream().map(H::key).toList());
        }
    }

    @Test
    void copyingCanBeSwitchedOff() {
        var config = TopologyHarness.config().set("output.headers.copy", false).build();
        try (var h = new TopologyHarness(config, new TestEncoder(), state)) {
            pipe(h, "k", TopologyHarness.textEvent("1", "hello"), input());
            pipe(h, "k", TopologyHarness.textEvent("2", ""), input());
            h.settle();
            assertEquals(0, h.moderation("moderation").readRecord().headers().toArray().length);
            assertEquals(0, h.embedding("embedding").readRecord().headers().toArray().length);
            assertEquals(0, h.deadLetters().readRecord().headers().toArray().length);
        }
    }

    /**
     * Every output copies the headers, so their size is bounded like the value's: more than
     * input.max.headers.bytes is a TOO_LARGE dead letter (without the headers), never an output the
     * producer or the topic refuses.
     */
    @Test
    void headersLargerThanTheLimitAreATooLargeDeadLetter() {
        var config = TopologyHarness.config().set("input.max.headers.bytes", 100).build();
        try (var h = new TopologyHarness(config, new TestEncoder(), state)) {
            RecordHeaders big = new RecordHeaders();
            big.add("traceparent", TRACEPARENT.getBytes(StandardCharsets.US_ASCII));
            big.add("blob", new byte[90]); // 8 + 11 + 55 and 8 + 4 + 90: 176 bytes
            pipe(h, "k", TopologyHarness.textEvent("big", "hello"), big);
            RecordHeaders small = new RecordHeaders();
            small.add("blob", new byte[88]); // 8 + 4 + 88 = 100 bytes: at the limit
            pipe(h, "k", TopologyHarness.textEvent("small", "hello"), small);
            h.settle();
            var dead = h.deadLetters().readRecord();
            assertEquals("TOO_LARGE", dead.value().getErrorClass());
            assertTrue(
                    dead.value().getErrorMessage().contains("input.max.headers.bytes=100"),
                    dead.value().getErrorMessage());
            assertEquals(0, dead.headers().toArray().length);
            var out = h.moderation("moderation").readRecord();
            assertEquals("small", out.value().getId());
            assertEquals(1, out.headers().toArray().length);
            // Headers the deny list drops do not count.
        }
        var deny =
                TopologyHarness.config()
                        .set("input.max.headers.bytes", 100)
                        .set("output.headers.deny", "blob")
                        .build();
        try (var h = new TopologyHarness(deny, new TestEncoder(), state.resolve("deny"))) {
            RecordHeaders big = new RecordHeaders();
            big.add("blob", new byte[500]);
            pipe(h, "k", TopologyHarness.textEvent("denied", "hello"), big);
            h.settle();
            assertTrue(h.deadLetters().isEmpty());
            assertEquals("denied", h.moderation("moderation").readValue().getId());
        }
    }

    /** The buffer is the in-flight log: a record buffered at a crash keeps its headers. */
    @Test
    void headersSurviveACrashWithTheRecordInTheBuffer() throws Exception {
        var config = TopologyHarness.config().set("scheduler.max.delay.ms", 200).build();
        Path copy = Files.createTempDirectory(state, "after-crash");
        TestEncoder encoder = new TestEncoder();
        try (var h = new TopologyHarness(config, encoder, state.resolve("run1"))) {
            encoder.hold(); // on the device when the crash happens
            pipe(h, "k", TopologyHarness.textEvent("1", "hello"), input());
            assertTrue(h.moderation("moderation").isEmpty());
            copyTree(state.resolve("run1"), copy);
            encoder.open();
        }
        try (var h = new TopologyHarness(config, new TestEncoder(), copy)) {
            var out = h.moderation("moderation");
            h.settle(); // init() resubmits the buffered record
            var r = out.readRecord();
            assertEquals("1", r.value().getId());
            assertEquals(list(input()), list(r.headers()));
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
