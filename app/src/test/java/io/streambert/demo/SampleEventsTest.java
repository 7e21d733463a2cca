package io.streambert.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.schemas.DeadLetter;
import io.streambert.schemas.EmbeddingEvent;
import io.streambert.schemas.ModerationEvent;
import io.streambert.schemas.TextEvent;
import io.streambert.schemas.Timings;
import io.streambert.serde.EventSerdes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleEventsTest {
    private static final EventSerdes SERDES = EventSerdes.registryFree();

    @Test
    void shortMessagesAndHeldOutEmailsThenAnEmptyTextAndAPoisonPill() {
        List<DemoInput> all = SampleEvents.all("text-events");
        int good = all.size() - 2;
        assertEquals(
                12 + 11,
                good,
                "12 short messages and the 11 held-out emails shipped with the model");
        assertEquals(good, all.stream().filter(DemoInput::goodEvent).count());
        assertEquals(
                all.size(), all.stream().map(DemoInput::id).distinct().count(), "ids are unique");
        for (DemoInput in : all.subList(0, good)) {
            TextEvent ev =
                    SERDES.textEvents().deserializer().deserialize("text-events", in.value());
            assertEquals(in.id(), ev.getId());
            assertFalse(ev.getText().isBlank(), in.id());
        }
        List<DemoInput> emails = all.stream().filter(d -> d.id().startsWith("email-")).toList();
        assertEquals(11, emails.size());
        assertTrue(
                emails.stream().anyMatch(d -> d.description().startsWith("held-out spam email: ")),
                "some held-out spam");
        assertTrue(
                emails.stream()
                        .anyMatch(d -> d.description().startsWith("held-out hard ham email: ")),
                "some hard ham");
        DemoInput empty = all.get(good);
        assertFalse(empty.goodEvent());
        assertEquals(
                "",
                SERDES.textEvents()
                        .deserializer()
                        .deserialize("text-events", empty.value())
                        .getText());
        DemoInput poison = all.get(good + 1);
        assertFalse(poison.goodEvent());
        assertThrows(
                RuntimeException.class,
                () ->
                        SERDES.textEvents()
                                .deserializer()
                                .deserialize("text-events", poison.value()));
    }

    @Test
    void nearestEarlierRanksByCosineAndOnlyLooksBack() {
        NearestEarlier n = new NearestEarlier();
        assertTrue(n.addAndFind("a", List.of(1f, 0f, 0f), 2).isEmpty(), "nothing earlier");
        assertEquals(
                List.of(new NearestEarlier.Match("a", 0.6)),
                round(n.addAndFind("b", List.of(0.6f, 0.8f, 0f), 2)));
        List<NearestEarlier.Match> m = round(n.addAndFind("c", List.of(0f, 1f, 0f), 2));
        assertEquals(
                List.of(new NearestEarlier.Match("b", 0.8), new NearestEarlier.Match("a", 0.0)), m);
        String line =
                NearestEarlier.line("c", m, Map.of("b", "the second message", "a", "x".repeat(80)));
        assertTrue(
                line.contains("[nearest]")
                        && line.contains("b (cos 0.80) \"the second message\"")
                        && line.contains("xxx..."),
                line);
    }

    private static List<NearestEarlier.Match> round(List<NearestEarlier.Match> ms) {
        return ms.stream()
                .map(x -> new NearestEarlier.Match(x.id(), Math.round(x.cosine() * 1e6) / 1e6))
                .toList();
    }

    @Test
    void resultLinesShowWhatPeopleLookFor() {
        ModerationEvent m =
                ModerationEvent.newBuilder()
                        .setId("msg-01")
                        .setLabel("spam")
                        .setScores(Map.of("safe", 0.1f, "spam", 0.85f, "toxic", 0.05f))
                        .setFlagged(true)
                        .setFlaggedLabels(List.of("spam"))
                        .setModel("tiny-a")
                        .setModelRevision("r")
                        .setTokens(34)
                        .setTimings(new Timings(1.0, 12.5, 6, 200))
                        .setSourceTopic("text-events")
                        .setSourcePartition(0)
                        .setSourceOffset(3)
                        .setProcessedTime(Instant.EPOCH)
                        .build();
        String line = ResultFormat.moderation(m);
        assertTrue(
                line.contains("msg-01")
                        && line.contains("label=spam")
                        && line.contains("spam=0.850")
                        && line.contains("FLAGGED [spam]")
                        && line.contains("batch of 6"),
                line);

        EmbeddingEvent e =
                EmbeddingEvent.newBuilder()
                        .setId("msg-01")
                        .setVector(List.of(0.5f, -0.25f, 0.125f, 0f, 1f))
                        .setDim(5)
                        .setNormalized(true)
                        .setModel("tiny-a")
                        .setModelRevision("r")
                        .setTextSha256("00")
                        .build();
        String eline = ResultFormat.embedding(e);
        assertTrue(
                eline.contains("dim=5")
                        && eline.contains("+0.5000, -0.2500, +0.1250, +0.0000, ..."),
                eline);

        DeadLetter d =
                DeadLetter.newBuilder()
                        .setKey(ByteBuffer.wrap("poison-01".getBytes(StandardCharsets.UTF_8)))
                        .setValue(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                        .setTopic("text-events")
                        .setPartition(1)
                        .setOffset(4)
                        .setErrorClass("UNDECODABLE")
                        .setErrorMessage("unrecognised encoding")
                        .setTime(Instant.EPOCH)
                        .build();
        String dline = ResultFormat.deadLetter(d);
        assertTrue(
                dline.contains("key=poison-01")
                        && dline.contains("reason=UNDECODABLE: unrecognised encoding")
                        && dline.contains("text-events-1@4")
                        && dline.contains("3 value bytes kept"),
                dline);
    }

    @Test
    void summaryIsCompleteOnlyWithEveryOutput() {
        Set<String> good = Set.of("a", "b");
        Set<String> bad = Set.of("x");
        DemoSummary done =
                new DemoSummary(good, good, good, bad, bad, 5, Map.of(), 0, Map.of(), 1, 2);
        assertTrue(done.complete());
        assertFalse(
                new DemoSummary(good, Set.of("a"), good, bad, bad, 4, Map.of(), 0, Map.of(), 1, 2)
                        .complete());
        assertFalse(
                new DemoSummary(good, good, Set.of("b"), bad, bad, 4, Map.of(), 0, Map.of(), 1, 2)
                        .complete());
        assertFalse(
                new DemoSummary(good, good, good, Set.of(), bad, 4, Map.of(), 0, Map.of(), 1, 2)
                        .complete());
    }

    @Test
    void theBundledModelIsOnTheClassPathAndExtracts(@TempDir Path dir) throws Exception {
        Path model = BundledModel.extractTo(dir.resolve("m"));
        for (String f :
                List.of(
                        "config.json",
                        "model.safetensors",
                        "tokenizer.json",
                        "modules.json",
                        "1_Pooling/config.json")) {
            assertTrue(Files.size(model.resolve(f)) > 0, f);
        }
        assertTrue(Files.readString(model.resolve("config.json")).contains("\"modernbert\""));
        assertTrue(
                Files.readString(model.resolve("config.json")).contains("\"spam\""),
                "the bundled model is the ham/spam one");
    }
}
