package io.streambert.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.serde.registry.RegistryConfig;
import io.streambert.serde.registry.RegistryUnavailableException;
import io.streambert.serde.registry.SchemaRegistryClient;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Only "this id does not exist" makes a record bad. Every other registry answer (3xx, 401, 403,
 * 429, a 404 that is not the registry's, 5xx, a page that is not JSON) is unavailable: retried with
 * backoff, never a dead letter.
 */
class RegistryAnswersTest {
    private static final byte[] RECORD_WITH_ID_1 = {0, 0, 0, 0, 1, 2, 'a', 2, 'b', 0, 0, 0, 0};

    private FakeSchemaRegistry registry;
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @BeforeEach
    void start() throws IOException {
        registry = new FakeSchemaRegistry();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private EventSerdes serdesWithClock(Map<String, Object> extra) {
        Map<String, Object> config = new java.util.HashMap<>(extra);
        config.put("schema.registry.url", registry.url());
        SchemaRegistryClient client =
                new SchemaRegistryClient(RegistryConfig.from(config), nanos::get);
        return EventSerdes.withRegistry(EventFormat.CONFLUENT, client, Map.of());
    }

    @ParameterizedTest(name = "HTTP {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "301|",
                "307|",
                "401|{\"error_code\": 40101, \"message\": \"Unauthorized\"}",
                "403|{\"error_code\": 40301, \"message\": \"User cannot access the resource\"}",
                "429|{\"error_code\": 42901, \"message\": \"Too many requests\"}",
                "404|<html>nginx: not found</html>",
                "400|{\"error_code\": 400, \"message\": \"bad request\"}",
                "503|{\"error_code\": 50301, \"message\": \"unavailable\"}",
                "200|<html>please log in</html>"
            })
    void everyAnswerButNotFoundIsUnavailableNeverABadRecord(int status, String body) {
        registry.cannedStatus = status;
        registry.cannedBody = body == null ? "" : body;
        if (status / 100 == 3) {
            registry.cannedHeaders = Map.of("Location", "https://user:secret@elsewhere:8081/x");
        }
        EventSerdes serdes = serdesWithClock(Map.of());
        RuntimeException e =
                assertThrows(
                        RuntimeException.class,
                        () ->
                                serdes.textEvents()
                                        .deserializer()
                                        .deserialize("texts", RECORD_WITH_ID_1));
        RegistryUnavailableException u =
                assertInstanceOf(RegistryUnavailableException.class, e, e.toString());
        assertFalse(e instanceof SerializationException, "must never be dead-lettered");
        assertTrue(e instanceof RetriableException);
        assertEquals(status, u.status());
        assertTrue(u.getMessage().contains("HTTP " + status), u.getMessage());
        assertTrue(u.retryAfter().toMillis() >= 250, "backs off: " + u.retryAfter());
        assertFalse(u.getMessage().contains("secret"), u.getMessage());
        // Also on the write side: not a serialization error of our output.
        assertThrows(
                RegistryUnavailableException.class,
                () ->
                        serdesWithClock(Map.of())
                                .textEvents()
                                .serializer()
                                .serialize("texts", Samples.text()));
    }

    @Test
    void notFoundIsABadRecordNamingTheSchemaIdField() {
        EventSerdes serdes = serdesWithClock(Map.of());
        RejectedFieldException e =
                assertThrows(
                        RejectedFieldException.class,
                        () ->
                                serdes.textEvents()
                                        .deserializer()
                                        .deserialize("texts", RECORD_WITH_ID_1));
        assertEquals("header.schema_id", e.field());
        assertTrue(e.getMessage().contains("unknown schema id 1"), e.getMessage());
    }

    @Test
    void unknownIdsAreRememberedForTheirTtlSoAFloodCannotHammerTheRegistry() {
        EventSerdes serdes =
                serdesWithClock(Map.of("schema.registry.missing.id.cache.ttl.ms", "60000"));
        for (int i = 0; i < 1000; i++) {
            assertThrows(
                    RejectedFieldException.class,
                    () ->
                            serdes.textEvents()
                                    .deserializer()
                                    .deserialize("texts", RECORD_WITH_ID_1));
        }
        assertEquals(
                1,
                registry.count("GET /schemas/ids/1"),
                "one request for 1000 records with the same id");
        nanos.addAndGet(Duration.ofSeconds(61).toNanos());
        assertThrows(
                RejectedFieldException.class,
                () -> serdes.textEvents().deserializer().deserialize("texts", RECORD_WITH_ID_1));
        assertEquals(2, registry.count("GET /schemas/ids/1"), "asked again after the TTL");
    }

    @Test
    void theMissingIdCacheIsBounded() {
        EventSerdes serdes = serdesWithClock(Map.of("schema.registry.missing.id.cache.size", "2"));
        for (int id : new int[] {1, 2, 3, 1}) {
            byte[] bytes = RECORD_WITH_ID_1.clone();
            bytes[4] = (byte) id;
            assertThrows(
                    RejectedFieldException.class,
                    () -> serdes.textEvents().deserializer().deserialize("texts", bytes));
        }
        assertEquals(2, registry.count("GET /schemas/ids/1"), "id 1 was evicted by 2 and 3");
    }

    @Test
    void afterAFailureTheClientBacksOffDoublingAndThenRecovers() {
        registry.failWith500 = true;
        EventSerdes serdes =
                serdesWithClock(
                        Map.of(
                                "schema.registry.retry.backoff.ms",
                                "100",
                                "schema.registry.retry.backoff.max.ms",
                                "350"));
        var deserializer = serdes.textEvents().deserializer();
        RegistryUnavailableException first =
                assertThrows(
                        RegistryUnavailableException.class,
                        () -> deserializer.deserialize("texts", RECORD_WITH_ID_1));
        assertEquals(Duration.ofMillis(100), first.retryAfter());
        for (int i = 0; i < 50; i++) {
            assertThrows(
                    RegistryUnavailableException.class,
                    () -> deserializer.deserialize("texts", RECORD_WITH_ID_1));
        }
        assertEquals(1, registry.count("GET"), "no request while backing off");

        nanos.addAndGet(Duration.ofMillis(101).toNanos());
        RegistryUnavailableException second =
                assertThrows(
                        RegistryUnavailableException.class,
                        () -> deserializer.deserialize("texts", RECORD_WITH_ID_1));
        assertEquals(2, registry.count("GET"));
        assertEquals(Duration.ofMillis(200), second.retryAfter(), "doubled");
        nanos.addAndGet(Duration.ofMillis(201).toNanos());
        RegistryUnavailableException third =
                assertThrows(
                        RegistryUnavailableException.class,
                        () -> deserializer.deserialize("texts", RECORD_WITH_ID_1));
        assertEquals(Duration.ofMillis(350), third.retryAfter(), "capped at the maximum");

        registry.failWith500 = false;
        nanos.addAndGet(Duration.ofMillis(351).toNanos());
        int id = registry.preRegister("texts-value", BundledSchemas.current("TextEvent"));
        byte[] good =
                EventSerdes.confluent(registry.url(), Map.of())
                        .textEvents()
                        .serializer()
                        .serialize("texts", Samples.text());
        assertEquals(id, java.nio.ByteBuffer.wrap(good, 1, 4).getInt());
        assertEquals(Samples.text(), deserializer.deserialize("texts", good));
    }

    @Test
    void retryAfterFromA429IsHonoured() {
        registry.cannedStatus = 429;
        registry.cannedHeaders = Map.of("Retry-After", "7");
        EventSerdes serdes = serdesWithClock(Map.of());
        RegistryUnavailableException e =
                assertThrows(
                        RegistryUnavailableException.class,
                        () ->
                                serdes.textEvents()
                                        .deserializer()
                                        .deserialize("texts", RECORD_WITH_ID_1));
        assertEquals(Duration.ofSeconds(7), e.retryAfter());
        assertTrue(e.getMessage().contains("rate limited"), e.getMessage());
    }
}
