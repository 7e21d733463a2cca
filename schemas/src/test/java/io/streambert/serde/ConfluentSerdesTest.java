package io.streambert.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.schemas.DeadLetter;
import io.streambert.schemas.TextEvent;
import io.streambert.serde.registry.RegistryUnavailableException;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConfluentSerdesTest {
    private FakeSchemaRegistry registry;

    @BeforeEach
    void start() throws IOException {
        registry = new FakeSchemaRegistry();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private static <T> T roundTrip(Serde<T> serde, String topic, T event) {
        return serde.deserializer().deserialize(topic, serde.serializer().serialize(topic, event));
    }

    @Test
    void everyRecordRoundTripsInTheWireFormat() {
        EventSerdes serdes = EventSerdes.confluent(registry.url(), Map.of());
        assertEquals("confluent", serdes.format());
        assertEquals(Samples.text(), roundTrip(serdes.textEvents(), "texts", Samples.text()));
        assertEquals(
                Samples.moderation(),
                roundTrip(serdes.moderationEvents(), "moderation", Samples.moderation()));
        assertEquals(
                Samples.embedding(),
                roundTrip(serdes.embeddingEvents(), "embeddings", Samples.embedding()));
        assertEquals(
                Samples.deadLetter(), roundTrip(serdes.deadLetters(), "dlq", Samples.deadLetter()));
        assertEquals(1, registry.count("POST /subjects/texts-value/versions"));
        assertEquals(1, registry.count("POST /subjects/dlq-value/versions"));
    }

    @Test
    void framesMagicZeroAndTheRegisteredIdBigEndian() {
        EventSerdes serdes = EventSerdes.confluent(registry.url(), Map.of());
        byte[] bytes = serdes.textEvents().serializer().serialize("texts", Samples.text());
        int expectedId =
                registry.preRegister(
                        "texts-value", BundledSchemas.current("TextEvent")); // same schema: same id
        assertEquals(0, bytes[0]);
        assertEquals(expectedId, ByteBuffer.wrap(bytes, 1, 4).getInt());
    }

    @Test
    void idsAndSchemasAreCachedAfterTheFirstRequest() {
        EventSerdes producer = EventSerdes.confluent(registry.url(), Map.of());
        byte[] first = producer.textEvents().serializer().serialize("texts", Samples.text());
        for (int i = 0; i < 5; i++) {
            producer.textEvents().serializer().serialize("texts", Samples.minimalText());
        }
        assertEquals(1, registry.count("POST /subjects/texts-value/versions"));
        producer.textEvents().serializer().serialize("other", Samples.text());
        assertEquals(
                1,
                registry.count("POST /subjects/other-value/versions"),
                "one registration per subject");

        EventSerdes consumer =
                EventSerdes.confluent(registry.url(), Map.of()); // a separate process, cold cache
        for (int i = 0; i < 5; i++) {
            assertEquals(
                    Samples.text(),
                    consumer.textEvents().deserializer().deserialize("texts", first));
        }
        assertEquals(1, registry.count("GET /schemas/ids/"));
    }

    @Test
    void unknownSchemaIdIsASerializationErrorNamingTheId() {
        EventSerdes serdes = EventSerdes.confluent(registry.url(), Map.of());
        byte[] bytes = {0, 0, 0, 0x30, 0x39, 2, 'a'}; // id 12345
        String msg =
                assertThrows(
                                SerializationException.class,
                                () ->
                                        serdes.textEvents()
                                                .deserializer()
                                                .deserialize("texts", bytes))
                        .getMessage();
        assertTrue(msg.contains("unknown schema id 12345"), msg);
        assertTrue(msg.contains("Schema 12345 not found (error_code 40403)"), msg);
    }

    @Test
    void aProtobufSchemaIdIsABadRecord() {
        EventSerdes serdes = EventSerdes.confluent(registry.url(), Map.of());
        byte[] bytes = {0, 0, 0, 0, FakeSchemaRegistry.PROTOBUF_ID, 2, 'a'};
        String msg =
                assertThrows(
                                SerializationException.class,
                                () ->
                                        serdes.textEvents()
                                                .deserializer()
                                                .deserialize("texts", bytes))
                        .getMessage();
        assertTrue(
                msg.contains("schema id 77 is a PROTOBUF schema; StreamBERT reads only Avro"), msg);
    }

    @Test
    void truncatedWireHeaderIsReported() {
        EventSerdes serdes = EventSerdes.confluent(registry.url(), Map.of());
        String msg =
                assertThrows(
                                SerializationException.class,
                                () ->
                                        serdes.textEvents()
                                                .deserializer()
                                                .deserialize("texts", new byte[] {0, 0, 1}))
                        .getMessage();
        assertTrue(msg.contains("truncated header, 3 bytes"), msg);
    }

    @Test
    void aSchemaOfAnotherRecordCannotBeReadAsTextEvent() {
        EventSerdes serdes = EventSerdes.confluent(registry.url(), Map.of());
        byte[] moderation =
                serdes.moderationEvents().serializer().serialize("texts", Samples.moderation());
        String msg =
                assertThrows(
                                SerializationException.class,
                                () ->
                                        serdes.textEvents()
                                                .deserializer()
                                                .deserialize("texts", moderation))
                        .getMessage();
        assertTrue(
                msg.contains(
                        "writer schema io.streambert.schemas.ModerationEvent cannot be read as the current "
                                + "TextEvent"),
                msg);
    }

    @Test
    void basicAuthIsSent() {
        registry.requiredAuthorization = "Basic dXNlcjpwYXNz"; // base64("user:pass")
        EventSerdes serdes =
                EventSerdes.confluent(
                        registry.url(),
                        Map.of(
                                "basic.auth.credentials.source",
                                "USER_INFO",
                                "basic.auth.user.info",
                                "user:pass"));
        assertEquals(Samples.text(), roundTrip(serdes.textEvents(), "texts", Samples.text()));
        assertTrue(registry.authorizations.stream().allMatch("Basic dXNlcjpwYXNz"::equals));
    }

    @Test
    void bearerTokenIsSent() {
        registry.requiredAuthorization = "Bearer t0ken";
        EventSerdes serdes =
                EventSerdes.forFormat(
                        "confluent",
                        Map.of(
                                "schema.registry.url",
                                registry.url(),
                                "bearer.auth.credentials.source",
                                "STATIC_TOKEN",
                                "bearer.auth.token",
                                "t0ken"));
        assertEquals(Samples.text(), roundTrip(serdes.textEvents(), "texts", Samples.text()));
        assertEquals(1, registry.authorizations.size());
    }

    @Test
    void wrongCredentialsAreUnavailableNotABadRecordWithAHint() {
        registry.requiredAuthorization = "Basic something-else";
        EventSerdes serdes =
                EventSerdes.confluent(registry.url(), Map.of("basic.auth.user.info", "user:wrong"));
        RegistryUnavailableException onWrite =
                assertThrows(
                        RegistryUnavailableException.class,
                        () -> serdes.textEvents().serializer().serialize("texts", Samples.text()));
        assertTrue(
                onWrite.getMessage().contains("HTTP 401 (unauthorized: check basic.auth.user.info"),
                onWrite.getMessage());
        assertEquals(401, onWrite.status());
        // On read it is not the record's fault either, so it must not look like a bad record (no
        // dead letter).
        EventSerdes reader =
                EventSerdes.confluent(registry.url(), Map.of("basic.auth.user.info", "user:wrong"));
        RegistryUnavailableException onRead =
                assertThrows(
                        RegistryUnavailableException.class,
                        () ->
                                reader.textEvents()
                                        .deserializer()
                                        .deserialize("texts", new byte[] {0, 0, 0, 0, 1, 0}));
        assertEquals(401, onRead.status());
    }

    @Test
    void unreachableRegistryIsRetriableNotABadRecord() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        EventSerdes serdes = EventSerdes.confluent("http://127.0.0.1:" + closedPort, Map.of());
        RegistryUnavailableException e =
                assertThrows(
                        RegistryUnavailableException.class,
                        () ->
                                serdes.textEvents()
                                        .deserializer()
                                        .deserialize("texts", new byte[] {0, 0, 0, 0, 1, 0}));
        assertTrue(
                e.getMessage()
                        .contains(
                                "schema registry at http://127.0.0.1:"
                                        + closedPort
                                        + " unreachable"),
                e.getMessage());
        assertTrue(
                !SerializationException.class.isAssignableFrom(e.getClass()),
                "must not be dead-lettered");
    }

    @Test
    void serverErrorsFailOverToTheNextUrl() throws IOException {
        try (FakeSchemaRegistry healthy = new FakeSchemaRegistry()) {
            registry.failWith500 = true;
            EventSerdes serdes =
                    EventSerdes.confluent(registry.url() + "," + healthy.url(), Map.of());
            assertEquals(Samples.text(), roundTrip(serdes.textEvents(), "texts", Samples.text()));
            assertEquals(1, registry.count("POST"));
            assertEquals(1, healthy.count("POST /subjects/texts-value/versions"));

            EventSerdes onlyBroken = EventSerdes.confluent(registry.url(), Map.of());
            RegistryUnavailableException e =
                    assertThrows(
                            RegistryUnavailableException.class,
                            () ->
                                    onlyBroken
                                            .textEvents()
                                            .serializer()
                                            .serialize("texts", Samples.text()));
            assertTrue(
                    e.getMessage()
                            .contains(
                                    "HTTP 500: Error in the backend data store (error_code 50001)"),
                    e.getMessage());
        }
    }

    @Test
    void withoutAutoRegisterTheSchemaIsLookedUp() {
        Map<String, Object> config =
                Map.of("schema.registry.url", registry.url(), "auto.register.schemas", "false");
        EventSerdes serdes = EventSerdes.forFormat("confluent", config);
        SerializationException missing =
                assertThrows(
                        SerializationException.class,
                        () ->
                                serdes.moderationEvents()
                                        .serializer()
                                        .serialize("moderation", Samples.moderation()));
        assertTrue(
                missing.getMessage().contains("Subject 'moderation-value' not found"),
                missing.getMessage());

        int id =
                registry.preRegister("moderation-value", BundledSchemas.current("ModerationEvent"));
        byte[] bytes =
                serdes.moderationEvents()
                        .serializer()
                        .serialize("moderation", Samples.moderation());
        assertEquals(id, ByteBuffer.wrap(bytes, 1, 4).getInt());
        assertEquals(0, registry.count("POST /subjects/moderation-value/versions"));
    }

    @Test
    void thePublishedSchemaIsTheAvscWithoutJavaOnlyProperties() {
        EventSerdes.confluent(registry.url(), Map.of())
                .textEvents()
                .serializer()
                .serialize("texts", Samples.text());
        Schema published =
                registry.schemaOf(
                        registry.preRegister("texts-value", BundledSchemas.current("TextEvent")));
        assertTrue(!published.toString().contains("avro.java.string"), published.toString());
        assertEquals(
                1,
                registry.count("POST /subjects/texts-value/versions"),
                "same schema, same id, no second one");
    }

    @Test
    void textEventsInEveryEncodingAreReadWhateverTheFormat() {
        byte[] wire =
                EventSerdes.confluent(registry.url(), Map.of())
                        .textEvents()
                        .serializer()
                        .serialize("texts", Samples.text());
        byte[] single =
                EventSerdes.registryFree()
                        .textEvents()
                        .serializer()
                        .serialize("texts", Samples.text());
        byte[] json =
                EventSerdes.json().textEvents().serializer().serialize("texts", Samples.text());
        Map<String, Object> withRegistry = Map.of("schema.registry.url", registry.url());
        for (String format : new String[] {"avro", "json", "confluent"}) {
            Serde<TextEvent> serde = EventSerdes.forFormat(format, withRegistry).textEvents();
            for (byte[] bytes : new byte[][] {wire, single, json}) {
                assertEquals(
                        Samples.text(), serde.deserializer().deserialize("texts", bytes), format);
            }
        }
    }

    @Test
    void anOldWritersSchemaFromTheRegistryIsResolvedToTheCurrentOne() throws Exception {
        Schema v1 = BundledSchemas.history("DeadLetter").get(0);
        int id = registry.preRegister("dlq-value", v1);
        byte[] body = AvroTestWriter.write(v1, Samples.deadLetter());
        byte[] bytes =
                ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(id).put(body).array();
        DeadLetter back =
                EventSerdes.confluent(registry.url(), Map.of())
                        .deadLetters()
                        .deserializer()
                        .deserialize("dlq", bytes);
        assertEquals(Samples.deadLetter().getErrorMessage(), back.getErrorMessage());
        assertEquals(Samples.deadLetter().getKey(), back.getKey());
    }

    @Test
    void writingWithoutATopicIsRefusedBecauseTheSubjectNeedsIt() {
        EventSerdes serdes = EventSerdes.confluent(registry.url(), Map.of());
        String msg =
                assertThrows(
                                SerializationException.class,
                                () ->
                                        serdes.textEvents()
                                                .serializer()
                                                .serialize(null, Samples.text()))
                        .getMessage();
        assertTrue(msg.contains("without a topic: the subject is <topic>-value"), msg);
    }

    @Test
    void confluentFormatWithoutUrlIsAConfigError() {
        ConfigException e =
                assertThrows(
                        ConfigException.class, () -> EventSerdes.forFormat("confluent", Map.of()));
        assertTrue(e.getMessage().contains("schema.registry.url"), e.getMessage());
        assertThrows(ConfigException.class, () -> EventSerdes.forFormat("protobuf", Map.of()));
        assertThrows(
                ConfigException.class, () -> EventSerdes.confluent("localhost:8081", Map.of()));
    }
}
