package io.streambert.service.topology;

import static io.streambert.service.testing.TopologyHarness.bytes;
import static org.junit.jupiter.api.Assertions.*;

import io.streambert.engine.Prediction;
import io.streambert.schemas.EmbeddingEvent;
import io.streambert.schemas.ModerationEvent;
import io.streambert.service.testing.TestEncoder;
import io.streambert.service.testing.TopologyHarness;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutingTest {
    @TempDir Path state;
    private final TestEncoder encoder = new TestEncoder();

    @Test
    void everyRecordYieldsModerationAndEmbeddingAndFlaggedOnesAlsoGoToReview() throws Exception {
        var config =
                TopologyHarness.config()
                        .set("topic.review", "review")
                        .set("scheduler.max.delay.ms", 200)
                        .build();
        try (var h = new TopologyHarness(config, encoder, state)) {
            h.pipe(
                    "k1",
                    io.streambert.serde.EventSerdes.registryFree()
                            .textEvents()
                            .serializer()
                            .serialize(
                                    "text",
                                    io.streambert.schemas.TextEvent.newBuilder()
                                            .setId("id-1")
                                            .setText("hello there world")
                                            .setTenant("acme")
                                            .setEventTime(java.time.Instant.ofEpochMilli(1234))
                                            .setAttributes(Map.of("lang", "en"))
                                            .build()));
            h.pipe("k2", "id-2", "this is bad");
            h.settle(); // both in one device batch

            List<TestRecord<byte[], ModerationEvent>> mod =
                    h.moderation("moderation").readRecordsToList();
            assertEquals(2, mod.size());
            assertArrayEquals(bytes("k1"), mod.get(0).key());
            assertArrayEquals(bytes("k2"), mod.get(1).key());
            ModerationEvent ok = mod.get(0).value(), bad = mod.get(1).value();
            assertEquals("id-1", ok.getId());
            assertEquals("ok", ok.getLabel());
            assertEquals("acme", ok.getTenant());
            assertEquals(java.time.Instant.ofEpochMilli(1234), ok.getEventTime());
            assertFalse(ok.getFlagged(), "'ok' is a safe label and never flags by default");
            assertEquals("flagged", bad.getLabel());
            assertTrue(bad.getFlagged());
            assertEquals(List.of("flagged"), bad.getFlaggedLabels());
            Prediction expected = TestEncoder.predict(encoder.tokenize("this is bad"));
            assertEquals(expected.scores()[1], bad.getScores().get("flagged"), 1e-6);
            assertEquals(expected.tokens(), bad.getTokens());
            assertEquals("text", bad.getSourceTopic());
            assertEquals(1, bad.getSourceOffset());
            assertEquals("test-encoder", bad.getModel());
            assertEquals("rev1", bad.getModelRevision());
            assertEquals(2, bad.getTimings().getBatchSequences());

            List<TestRecord<byte[], ModerationEvent>> review =
                    h.moderation("review").readRecordsToList();
            assertEquals(1, review.size());
            assertEquals("id-2", review.get(0).value().getId());
            assertArrayEquals(bytes("k2"), review.get(0).key());

            List<TestRecord<byte[], EmbeddingEvent>> emb =
                    h.embedding("embedding").readRecordsToList();
            assertEquals(2, emb.size());
            EmbeddingEvent e1 = emb.get(0).value();
            assertEquals("id-1", e1.getId());
            assertArrayEquals(bytes("k1"), emb.get(0).key());
            float[] want = TestEncoder.predict(encoder.tokenize("hello there world")).embedding();
            assertEquals(want.length, e1.getDim());
            for (int i = 0; i < want.length; i++)
                assertEquals(want[i], e1.getVector().get(i), 1e-6);
            assertTrue(e1.getNormalized());
            assertEquals(Map.of("lang", "en"), e1.getAttributes());
            assertEquals("acme", e1.getTenant());
            String sha =
                    HexFormat.of()
                            .formatHex(
                                    MessageDigest.getInstance("SHA-256")
                                            .digest(
                                                    "hello there world"
                                                            .getBytes(StandardCharsets.UTF_8)));
            assertEquals(sha, e1.getTextSha256());
            assertTrue(h.deadLetters().isEmpty());
        }
    }

    @Test
    void jsonInAndJsonOut() throws Exception {
        var config =
                TopologyHarness.config()
                        .set("format.output", "json")
                        .set("format.json.collection.name", "texts")
                        .build();
        try (var h = new TopologyHarness(config, encoder, state)) {
            h.send(
                    "k1",
                    bytes(
                            "{\"id\": \"j1\", \"text\": \"plain json text\", \"attributes\": {\"src\": \"web\"}}"));
            h.send(
                    "k2",
                    TopologyHarness.textEvent("a2", "avro input is still read")); // any encoding in
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            var emb =
                    h.driver
                            .createOutputTopic(
                                    "embedding",
                                    new org.apache.kafka.common.serialization
                                            .ByteArrayDeserializer(),
                                    new org.apache.kafka.common.serialization
                                            .ByteArrayDeserializer())
                            .readRecordsToList();
            assertEquals(2, emb.size());
            var e1 = json.readTree(emb.get(0).value());
            assertEquals("j1", e1.get("id").asText());
            assertEquals("texts", e1.get("collection_name").asText());
            float[] want = TestEncoder.predict(encoder.tokenize("plain json text")).embedding();
            assertEquals(want.length, e1.get("vector").size());
            assertEquals(want[0], e1.get("vector").get(0).floatValue(), 1e-6);
            assertEquals("web", e1.get("payload").get("src").asText(), e1.toString());
            assertEquals(want.length, e1.get("payload").get("dim").asInt());
            var mod =
                    h.driver
                            .createOutputTopic(
                                    "moderation",
                                    new org.apache.kafka.common.serialization
                                            .ByteArrayDeserializer(),
                                    new org.apache.kafka.common.serialization
                                            .ByteArrayDeserializer())
                            .readRecordsToList();
            assertEquals("a2", json.readTree(mod.get(1).value()).get("id").asText());
            assertEquals("ok", json.readTree(mod.get(1).value()).get("label").asText());
        }
    }

    @Test
    void perLabelThresholdsDecideFlagging() {
        var config = TopologyHarness.config().set("threshold.flagged", "0.95").build();
        try (var h = new TopologyHarness(config, encoder, state)) {
            h.send("k", "id", "bad"); // flagged score 0.9 < 0.95
            ModerationEvent m = h.moderation("moderation").readValue();
            assertEquals("flagged", m.getLabel());
            assertFalse(m.getFlagged());
        }
    }

    @Test
    void moderationCanBeTurnedOff() {
        var config = TopologyHarness.config().set("topic.moderation", "").build();
        try (var h = new TopologyHarness(config, encoder, state)) {
            h.send("k", "id", "bad words");
            assertEquals(1, h.embedding("embedding").readRecordsToList().size());
            assertTrue(h.moderation("moderation").isEmpty());
            assertFalse(h.driver.producedTopicNames().contains("moderation"));
        }
    }

    @Test
    void embeddingCanBeTurnedOff() {
        var config = TopologyHarness.config().set("topic.embedding", "").build();
        try (var h = new TopologyHarness(config, encoder, state)) {
            h.send("k", "id", "fine words");
            assertEquals(1, h.moderation("moderation").readRecordsToList().size());
            assertFalse(h.driver.producedTopicNames().contains("embedding"));
        }
    }

    @Test
    void labelRoutesSendTopLabelsToTheirOwnTopic() {
        var config = TopologyHarness.config().set("topic.route.flagged", "flagged-events").build();
        try (var h = new TopologyHarness(config, encoder, state)) {
            h.send("a", "1", "good");
            h.send("b", "2", "bad");
            h.send("c", "3", "also bad");
            assertEquals(3, h.moderation("moderation").readRecordsToList().size());
            List<String> routed =
                    h.moderation("flagged-events").readValuesToList().stream()
                            .map(ModerationEvent::getId)
                            .toList();
            assertEquals(List.of("2", "3"), routed);
        }
    }
}
