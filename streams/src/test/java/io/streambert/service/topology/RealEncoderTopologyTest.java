package io.streambert.service.topology;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streambert.engine.Encoder;
import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Encoders;
import io.streambert.engine.Prediction;
import io.streambert.schemas.DeadLetter;
import io.streambert.schemas.EmbeddingEvent;
import io.streambert.schemas.ModerationEvent;
import io.streambert.service.deadletter.Reason;
import io.streambert.service.testing.TopologyHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole topology with the real CpuEncoder on the golden tiny-a checkpoint: what comes out of
 * the moderation and embedding topics equals {@code Encoder.encode} run on each input alone (so
 * micro-batching, merging and packing change nothing), and the labels match the reference
 * implementation's golden labels.
 */
class RealEncoderTopologyTest {
    @TempDir Path state;

    /**
     * @param expectedLabel golden label from the float64 reference, or null for extra texts without
     *     one
     */
    record Case(String id, String text, String expectedLabel) {}

    private static final List<String> EXTRA =
            List.of(
                    "the weather is nice today",
                    "Buy cheap watches now!!!",
                    "I will find you and hurt you",
                    "Kafka Streams commits offsets and state in one transaction.",
                    "a",
                    "ok ok ok ok ok ok ok ok",
                    "Ceci n'est pas une pipe.",
                    "1234567890 0987654321",
                    "WIN WIN WIN click here http://x.example",
                    "Packed sequences need no padding at all, just cumulative lengths.",
                    "you are an idiot",
                    "The quick brown fox jumps over the lazy dog. ".repeat(6).trim());

    @Test
    void resultsThroughTheTopologyEqualTheEncoderOnEachInputAlone() throws Exception {
        Path model =
                Path.of(getClass().getResource("/golden/tiny-a/config.json").toURI()).getParent();
        List<Case> cases = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(model.resolve("cases.jsonl"))) {
            if (line.isBlank()) continue;
            JsonNode n = json.readTree(line);
            if (n.has("text"))
                cases.add(
                        new Case(
                                n.get("id").asText(),
                                n.get("text").asText(),
                                n.get("expected_label").asText()));
        }
        assertTrue(cases.size() >= 4, "golden text cases");
        for (int i = 0; i < EXTRA.size(); i++) cases.add(new Case("x" + i, EXTRA.get(i), null));

        try (Encoder reference =
                Encoders.open(model, EncoderOptions.defaults().withDevice("cpu"))) {
            var config =
                    TopologyHarness.config()
                            .set(
                                    "scheduler.max.batch.tokens",
                                    120) // everything pending is merged, then cut by tokens
                            .set("scheduler.max.delay.ms", 200)
                            .set("model.max.tokens", 1024)
                            .set("threshold.toxic", 0.5)
                            .build();
            Encoder served = Encoders.open(model, EncoderOptions.defaults().withDevice("cpu"));
            try (var h = new TopologyHarness(config, served, state)) {
                for (Case c : cases) h.pipe("key-" + c.id(), c.id(), c.text());
                h.settle();

                List<ModerationEvent> mod = h.moderation("moderation").readValuesToList();
                List<EmbeddingEvent> emb = h.embedding("embedding").readValuesToList();
                List<DeadLetter> dead = h.deadLetters().readValuesToList();
                List<Case> valid = cases.stream().filter(c -> !c.text().isBlank()).toList();
                assertEquals(valid.size(), mod.size());
                assertEquals(valid.size(), emb.size());
                assertEquals(cases.size() - valid.size(), dead.size());
                dead.forEach(d -> assertEquals(Reason.EMPTY_TEXT.name(), d.getErrorClass()));
                List<String> labels = reference.info().labels();
                for (int i = 0; i < valid.size(); i++) {
                    Case c = valid.get(i);
                    Prediction alone =
                            reference.encode(List.of(reference.tokenize(c.text()))).get(0);
                    ModerationEvent m = mod.get(i);
                    assertEquals(c.id(), m.getId());
                    assertEquals(alone.label(), m.getLabel(), c.id());
                    if (c.expectedLabel() != null)
                        assertEquals(
                                c.expectedLabel(),
                                m.getLabel(),
                                c.id() + ": golden label from the float64 reference");
                    assertEquals(alone.tokens(), m.getTokens());
                    for (int l = 0; l < labels.size(); l++)
                        assertEquals(
                                alone.scores()[l],
                                m.getScores().get(labels.get(l)),
                                1e-5,
                                c.id() + " score " + labels.get(l));
                    assertEquals(
                            alone.scores()[labels.indexOf("toxic")] >= 0.5
                                    || alone.scores()[labels.indexOf("spam")] >= 0.5,
                            m.getFlagged(),
                            c.id() + " flagged");
                    EmbeddingEvent e = emb.get(i);
                    assertEquals(c.id(), e.getId());
                    assertEquals(alone.embedding().length, e.getDim());
                    for (int d = 0; d < e.getDim(); d++)
                        assertEquals(
                                alone.embedding()[d],
                                e.getVector().get(d),
                                1e-5,
                                c.id() + " embedding[" + d + "]");
                    assertEquals(reference.info().revision(), m.getModelRevision());
                }
                assertTrue(
                        h.metrics.deviceBatchesTotal() > 1,
                        "several device batches were merged and cut");
            }
        }
    }
}
