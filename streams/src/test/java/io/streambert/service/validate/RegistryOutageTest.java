package io.streambert.service.validate;

import static org.junit.jupiter.api.Assertions.*;

import io.streambert.schemas.DeadLetter;
import io.streambert.service.config.ServiceConfig;
import io.streambert.service.deadletter.Reason;
import io.streambert.service.testing.FakeRegistry;
import io.streambert.service.testing.TestEncoder;
import io.streambert.service.testing.TopologyHarness;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Only "this schema id does not exist" makes a Confluent-wire record bad. Every other registry
 * answer (3xx, 401, 403, 429, 5xx, a 404 without a registry error code, no answer in time) and an
 * unknown single-object schema under the pause policy are retried, and the record is never
 * dead-lettered: in place while {@link ValidationOptions#pauseRetryMs()} lasts, then the task fails
 * with {@link InputPausedException} so the record is read again.
 */
class RegistryOutageTest {
    @TempDir Path state;
    private final TestEncoder encoder = new TestEncoder();

    private static ServiceConfig config(FakeRegistry registry) {
        return TopologyHarness.config()
                .set("schema.registry.url", registry.url())
                .set("registry.schema.registry.request.timeout.ms", 300)
                .set("registry.schema.registry.retry.backoff.ms", 10)
                .set("registry.schema.registry.retry.backoff.max.ms", 40)
                .build();
    }

    private static InputPausedException paused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause())
            if (t instanceof InputPausedException p) return p;
        return null;
    }

    @ParameterizedTest
    @ValueSource(ints = {301, 302, 307, 400, 401, 403, 404, 408, 429, 500, 502, 503, 504})
    void anyRegistryAnswerButNotFoundFailsTheTaskAndDeadLettersNothing(int status)
            throws Exception {
        try (var registry = new FakeRegistry(n -> new FakeRegistry.Status(status));
                var h =
                        new TopologyHarness(
                                config(registry),
                                encoder,
                                state,
                                ValidationOptions.defaults().withPauseRetryMs(0))) {
            byte[] value = FakeRegistry.confluentTextEvent(7, "a", "hello");
            StreamsException e = assertThrows(StreamsException.class, () -> h.send("k", value));
            InputPausedException p = paused(e);
            assertNotNull(p, "the task fails with InputPausedException: " + e);
            assertEquals("registry-unavailable", p.pauseCause());
            assertTrue(
                    h.deadLetters().isEmpty(), "status " + status + " is not the record's fault");
            assertTrue(h.moderation("moderation").isEmpty());
            assertTrue(h.metrics.inputPausedTotal() >= 1);
            assertTrue(registry.requests() >= 1, "the registry was asked");
        }
    }

    @Test
    void thePauseRetryIsReadFromTheConfiguration() throws Exception {
        try (var registry = new FakeRegistry(n -> new FakeRegistry.Status(503))) {
            var config =
                    TopologyHarness.config()
                            .set("schema.registry.url", registry.url())
                            .set("registry.schema.registry.retry.backoff.ms", 10)
                            .set("registry.schema.registry.retry.backoff.max.ms", 20)
                            .set("input.pause.retry.ms", 600)
                            .build();
            try (var h = new TopologyHarness(config, encoder, state)) {
                long t0 = System.nanoTime();
                assertThrows(
                        StreamsException.class,
                        () -> h.send("k", FakeRegistry.confluentTextEvent(7, "a", "hello")));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(ms >= 500, "retried in place for about 600 ms, took " + ms);
                assertTrue(registry.requests() >= 5, "retried: " + registry.requests());
                assertTrue(h.deadLetters().isEmpty());
            }
        }
    }

    @Test
    void noAnswerInTimeIsAnOutageToo() throws Exception {
        try (var registry = new FakeRegistry(n -> new FakeRegistry.Hang(2_000));
                var h =
                        new TopologyHarness(
                                config(registry),
                                encoder,
                                state,
                                ValidationOptions.defaults().withPauseRetryMs(0))) {
            byte[] value = FakeRegistry.confluentTextEvent(7, "a", "hello");
            assertNotNull(paused(assertThrows(StreamsException.class, () -> h.send("k", value))));
            assertTrue(h.deadLetters().isEmpty());
        }
    }

    @Test
    void aShortOutageIsRetriedInPlaceAndTheRecordComesOutOnce() throws Exception {
        // 503, 429, 401, then the schema: within the default pause retry (5 s) with a 10-40 ms
        // backoff.
        int[] statuses = {503, 429, 401};
        try (var registry =
                        new FakeRegistry(
                                n ->
                                        n <= statuses.length
                                                ? new FakeRegistry.Status(statuses[n - 1])
                                                : new FakeRegistry.Schema());
                var h = new TopologyHarness(config(registry), encoder, state)) {
            h.send("k", FakeRegistry.confluentTextEvent(7, "a", "hello"));
            assertTrue(h.deadLetters().isEmpty());
            var out = h.moderation("moderation").readValuesToList();
            assertEquals(1, out.size());
            assertEquals("a", out.get(0).getId());
            assertEquals(4, registry.requests(), "three failures and the answer");
            assertEquals(3, h.metrics.inputPausedTotal());
        }
    }

    @Test
    void afterTheTaskFailedTheSameRecordIsProcessedOnceTheRegistryIsBack() throws Exception {
        // What a replaced stream thread does: the aborted transaction's record is read again.
        try (var registry = new FakeRegistry(n -> new FakeRegistry.Status(503))) {
            byte[] value = FakeRegistry.confluentTextEvent(7, "a", "hello");
            try (var h =
                    new TopologyHarness(
                            config(registry),
                            encoder,
                            state.resolve("1"),
                            ValidationOptions.defaults().withPauseRetryMs(0))) {
                assertThrows(StreamsException.class, () -> h.send("k", value));
                assertTrue(h.deadLetters().isEmpty());
            }
            registry.answers(n -> new FakeRegistry.Schema());
            try (var h = new TopologyHarness(config(registry), encoder, state.resolve("2"))) {
                h.send("k", value);
                assertEquals(1, h.moderation("moderation").readValuesToList().size());
                assertTrue(h.deadLetters().isEmpty());
            }
        }
    }

    @Test
    void onlyThisIdDoesNotExistDeadLettersTheRecordNamingTheSchemaId() throws Exception {
        try (var registry = new FakeRegistry(n -> new FakeRegistry.NotFound());
                var h = new TopologyHarness(config(registry), encoder, state)) {
            h.send("k", FakeRegistry.confluentTextEvent(12345, "a", "hello"));
            DeadLetter d = h.deadLetters().readValue();
            assertEquals(Reason.BAD_SCHEMA.name(), d.getErrorClass());
            assertTrue(d.getErrorMessage().contains("header.schema_id"), d.getErrorMessage());
            assertTrue(d.getErrorMessage().contains("12345"), d.getErrorMessage());
        }
    }

    /** A producer already on a newer TextEvent schema: a deployment-order problem, not bad data. */
    @Test
    void anUnknownFingerprintPausesByDefaultAndDeadLettersOnlyUnderThatPolicy() {
        byte[] value = TopologyHarness.textEvent("a", "hello");
        Arrays.fill(value, 2, 10, (byte) 0x5A); // a fingerprint no release has
        try (var h =
                new TopologyHarness(
                        TopologyHarness.config().build(),
                        encoder,
                        state.resolve("pause"),
                        ValidationOptions.defaults().withPauseRetryMs(0))) {
            StreamsException e = assertThrows(StreamsException.class, () -> h.send("k", value));
            assertEquals("unknown-fingerprint", paused(e).pauseCause());
            assertTrue(h.deadLetters().isEmpty());
        }
        var deadLetterPolicy =
                TopologyHarness.config()
                        .set("registry.unknown.fingerprint.policy", "dead-letter")
                        .build();
        try (var h = new TopologyHarness(deadLetterPolicy, encoder, state.resolve("dl"))) {
            h.send("k", value);
            DeadLetter d = h.deadLetters().readValue();
            assertEquals(Reason.BAD_SCHEMA.name(), d.getErrorClass());
            assertTrue(d.getErrorMessage().contains("header.fingerprint"), d.getErrorMessage());
        }
    }
}
