package io.streambert.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streambert.schemas.EmbeddingEvent;
import io.streambert.schemas.TextEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class JsonSerdesTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final EventSerdes serdes = EventSerdes.json();

    private static <T> T roundTrip(Serde<T> serde, T event) {
        return serde.deserializer()
                .deserialize("topic", serde.serializer().serialize("topic", event));
    }

    private static JsonNode written(Serde<?> serde, Object event) throws Exception {
        @SuppressWarnings("unchecked")
        byte[] bytes = ((Serde<Object>) serde).serializer().serialize("topic", event);
        return MAPPER.readTree(bytes);
    }

    private TextEvent text(String json) {
        return serdes.textEvents()
                .deserializer()
                .deserialize("texts", json.getBytes(StandardCharsets.UTF_8));
    }

    private String textFailure(byte[] bytes) {
        return assertThrows(
                        SerializationException.class,
                        () -> serdes.textEvents().deserializer().deserialize("texts", bytes))
                .getMessage();
    }

    private String textFailure(String json) {
        return textFailure(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyRecordRoundTrips() {
        assertEquals("json", serdes.format());
        assertEquals(Samples.text(), roundTrip(serdes.textEvents(), Samples.text()));
        assertEquals(Samples.minimalText(), roundTrip(serdes.textEvents(), Samples.minimalText()));
        assertEquals(
                Samples.moderation(), roundTrip(serdes.moderationEvents(), Samples.moderation()));
        assertEquals(Samples.embedding(), roundTrip(serdes.embeddingEvents(), Samples.embedding()));
        assertEquals(Samples.deadLetter(), roundTrip(serdes.deadLetters(), Samples.deadLetter()));
    }

    @Test
    void embeddingIsIdVectorPayloadForVectorStoreSinks() throws Exception {
        JsonNode n = written(serdes.embeddingEvents(), Samples.embedding());
        assertEquals(List.of("id", "vector", "payload"), iterableToList(n.fieldNames()));
        assertEquals("evt-1", n.get("id").asText());
        assertEquals(4, n.get("vector").size());
        assertEquals(-2.5, n.get("vector").get(1).asDouble());
        assertEquals(0.1f, n.get("vector").get(0).floatValue());
        JsonNode p = n.get("payload");
        assertEquals("de", p.get("lang").asText()); // attribute, flattened
        assertEquals("tiny-modernbert", p.get("model").asText());
        assertEquals("r1", p.get("model_revision").asText());
        assertEquals(4, p.get("dim").asInt());
        assertEquals(false, p.get("normalized").asBoolean());
        assertEquals("acme", p.get("tenant").asText());
        assertEquals(1_760_000_000_123L, p.get("event_time").asLong());
        assertEquals("ab".repeat(32), p.get("text_sha256").asText());
        assertTrue(p.get("attributes") == null, "attributes are flattened, not nested");
    }

    @Test
    void qdrantCollectionNameIsWrittenWhenConfiguredAndIgnoredOnReading() throws Exception {
        EventSerdes qdrant = EventSerdes.forFormat("json", Map.of("json.collection.name", "docs"));
        JsonNode n = written(qdrant.embeddingEvents(), Samples.embedding());
        assertEquals(
                List.of("collection_name", "id", "vector", "payload"),
                iterableToList(n.fieldNames()));
        assertEquals("docs", n.get("collection_name").asText());
        assertEquals(Samples.embedding(), roundTrip(qdrant.embeddingEvents(), Samples.embedding()));
        assertEquals(Samples.embedding(), roundTrip(serdes.embeddingEvents(), Samples.embedding()));
    }

    @Test
    void embeddingDimMustMatchVector() {
        String json =
                "{\"id\":\"a\",\"vector\":[1,2],\"payload\":{\"dim\":3,\"normalized\":true,\"model\":\"m\","
                        + "\"model_revision\":\"r\",\"text_sha256\":\"h\"}}";
        String msg =
                assertThrows(
                                SerializationException.class,
                                () ->
                                        serdes.embeddingEvents()
                                                .deserializer()
                                                .deserialize(
                                                        "e", json.getBytes(StandardCharsets.UTF_8)))
                        .getMessage();
        assertTrue(msg.contains("dim is 3 but the vector has 2 elements"), msg);
    }

    @Test
    void vectorValuesMustBeFiniteFloatsOnReading() {
        String json =
                "{\"id\":\"a\",\"vector\":[1,1e39],\"payload\":{\"dim\":2,\"normalized\":true,"
                        + "\"model\":\"m\",\"model_revision\":\"r\",\"text_sha256\":\"h\"}}";
        String msg =
                assertThrows(
                                SerializationException.class,
                                () ->
                                        serdes.embeddingEvents()
                                                .deserializer()
                                                .deserialize(
                                                        "e", json.getBytes(StandardCharsets.UTF_8)))
                        .getMessage();
        assertTrue(
                msg.contains(
                        "field EmbeddingEvent.vector[1] is 1.0E39, outside the range of a float"),
                msg);
        String str = json.replace("1e39", "\"x\"");
        String msg2 =
                assertThrows(
                                SerializationException.class,
                                () ->
                                        serdes.embeddingEvents()
                                                .deserializer()
                                                .deserialize(
                                                        "e", str.getBytes(StandardCharsets.UTF_8)))
                        .getMessage();
        assertTrue(
                msg2.contains("field EmbeddingEvent.vector[1] must be a number, got string \"x\""),
                msg2);
    }

    @Test
    void nonFiniteVectorValuesCannotBeWrittenAsJson() {
        EmbeddingEvent e = Samples.embedding();
        e.setVector(List.of(1f, Float.NaN, 0f, 0f));
        String msg =
                assertThrows(
                                SerializationException.class,
                                () -> serdes.embeddingEvents().serializer().serialize("emb", e))
                        .getMessage();
        assertTrue(msg.contains("EmbeddingEvent.vector[1] is NaN"), msg);
    }

    @Test
    void moderationAndDeadLetterArePlainObjects() throws Exception {
        JsonNode m = written(serdes.moderationEvents(), Samples.moderation());
        assertEquals(0.875, m.get("scores").get("toxic").asDouble());
        assertEquals(3.25, m.get("timings").get("inference_ms").asDouble());
        assertEquals(12345678901L, m.get("source_offset").asLong());
        assertEquals(1_760_000_000_130L, m.get("processed_time").asLong());
        JsonNode d = written(serdes.deadLetters(), Samples.deadLetter());
        assertEquals("AQID", d.get("key").asText()); // base64 of 01 02 03
        assertEquals("/wB4", d.get("value").asText()); // base64 of ff 00 'x'
        assertEquals("UNDECODABLE", d.get("error_class").asText());
    }

    @Test
    void textEventOptionalFieldsTakeDefaultsAndTimeAcceptsIso8601() {
        TextEvent e =
                text(
                        "  {\"id\":\"7\",\"text\":\"t\",\"event_time\":\"2025-10-09T08:53:20.123Z\","
                                + "\"attributes\":{\"k\":\"v\"},\"unknown_field\":[1,2]}\n");
        assertEquals(Instant.parse("2025-10-09T08:53:20.123Z"), e.getEventTime());
        assertEquals(Map.of("k", "v"), e.getAttributes());
        assertNull(e.getSource());
        TextEvent millis =
                text(
                        "{\"id\":\"7\",\"text\":\"t\",\"event_time\":1760000000123,\"attributes\":null}");
        assertEquals(Samples.T0, millis.getEventTime());
        assertTrue(millis.getAttributes().isEmpty());
    }

    @Test
    void missingAndMistypedFieldsAreNamed() {
        assertTrue(textFailure("{\"text\":\"t\"}").contains("field TextEvent.id is missing"));
        assertTrue(textFailure("{\"id\":\"1\"}").contains("field TextEvent.text is missing"));
        String num = textFailure("{\"id\":1,\"text\":\"t\"}");
        assertTrue(num.contains("field TextEvent.id must be a string, got number 1"), num);
        String nul = textFailure("{\"id\":\"1\",\"text\":null}");
        assertTrue(nul.contains("field TextEvent.text is null"), nul);
        String attr = textFailure("{\"id\":\"1\",\"text\":\"t\",\"attributes\":{\"n\":3}}");
        assertTrue(
                attr.contains("field TextEvent.attributes.n must be a string, got number 3"), attr);
        String time = textFailure("{\"id\":\"1\",\"text\":\"t\",\"event_time\":\"yesterday\"}");
        assertTrue(
                time.contains(
                        "field TextEvent.event_time is \"yesterday\", not an ISO-8601 instant"),
                time);
    }

    @Test
    void malformedJsonIsReportedWithPosition() {
        String msg = textFailure("{\"id\":\"1\",\"text\":\"t\"");
        assertTrue(msg.startsWith("JSON TextEvent: not valid JSON at line 1"), msg);
        assertTrue(msg.endsWith("(start marker at line 1 column 1)"), msg);
        String two = textFailure("{\"id\":\"1\",\"text\":\"t\"} {}");
        assertTrue(two.contains("not valid JSON"), two);
        String dup = textFailure("{\"id\":\"1\",\"id\":\"2\",\"text\":\"t\"}");
        assertTrue(dup.contains("Duplicate field 'id'"), dup);
    }

    @Test
    void invalidUtf8IsReportedWithOffset() {
        byte[] bytes = "{\"id\":\"1\",\"text\":\"ab\"}".getBytes(StandardCharsets.UTF_8);
        bytes[18] = (byte) 0xFF;
        String msg = textFailure(bytes);
        assertTrue(msg.contains("invalid UTF-8 at byte offset 18"), msg);
    }

    @Test
    void jsonThatIsNotAnObjectIsRejected() {
        String msg = textFailure("[1,2]");
        assertTrue(msg.contains("unrecognised encoding"), msg);
        assertTrue(
                msg.contains("looks like a JSON array, but a TextEvent must be a JSON object"),
                msg);
    }

    @Test
    void avroTextEventsAreAcceptedByTheJsonSerde() {
        byte[] avro =
                EventSerdes.registryFree().textEvents().serializer().serialize("t", Samples.text());
        assertEquals(Samples.text(), serdes.textEvents().deserializer().deserialize("t", avro));
    }

    private static List<String> iterableToList(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
