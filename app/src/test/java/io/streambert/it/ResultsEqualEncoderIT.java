package io.streambert.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streambert.broker.EmbeddedKafkaBroker;
import io.streambert.broker.KafkaBrokerExtension;
import io.streambert.broker.TestClients;
import io.streambert.cli.StreamBertCli;
import io.streambert.engine.Encoder;
import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Encoders;
import io.streambert.engine.Prediction;
import io.streambert.schemas.EmbeddingEvent;
import io.streambert.schemas.ModerationEvent;
import io.streambert.service.config.ServiceConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What comes out of Kafka is what the encoder computes: the service (micro-batched, packed with
 * other events, through Avro and Kafka) gives every event the same label, token count, scores and
 * embedding as {@code Encoder.encode} on that text alone and as {@code streambert infer} on the
 * same texts, within 1e-5.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ResultsEqualEncoderIT {

    static final double TOLERANCE = 1e-5;

    /**
     * Golden texts plus ordinary ones of mixed lengths, so batches pack sequences of different
     * sizes.
     */
    static final List<String> TEXTS =
            List.of(
                    "Hello world",
                    "FREE!!! Click now to claim your prize: http://spam.example/win",
                    "Ünïcödé — emoji 🤖 and\ttabs",
                    "ModernBERT alternates global attention every third layer with a local sliding window on the others, "
                            + "so long inputs cost far less than full attention would, and unpadded batches waste nothing on padding tokens.",
                    "ok",
                    "Thanks for the quick delivery, the package arrived a day early!",
                    "You are an idiot and everyone in this channel hates you.",
                    "Meeting moved to 3pm tomorrow.",
                    "Buy 10k followers for $5!!! Limited offer, DM me now",
                    "a b c d e f g h i j k l m n o p q r s t u v w x y z 0 1 2 3 4 5 6 7 8 9 the end of a long list of tokens",
                    "The weather in Lisbon is lovely this week.",
                    "Shut up, nobody asked for your stupid opinion.");

    @Test
    void moderationAndEmbeddingEventsMatchTheEncoderAndInferOnTheSameTexts(
            EmbeddedKafkaBroker broker, @TempDir Path work) throws Exception {
        ServiceConfig config =
                ServiceUnderTest.config(
                                broker.bootstrapServers(), "equal-it", work.resolve("state"))
                        .build();
        String input = config.topics().inputs().get(0);
        broker.createTopics(
                Map.of(
                        input,
                        2,
                        config.topics().moderation(),
                        2,
                        config.topics().embedding(),
                        2,
                        config.topics().deadLetter(),
                        1));

        Map<String, String> textById = new LinkedHashMap<>();
        for (int i = 0; i < TEXTS.size(); i++) textById.put("eq-" + i, TEXTS.get(i));

        List<ConsumerRecord<byte[], byte[]>> moderation;
        List<ConsumerRecord<byte[], byte[]>> embedding;
        try (AutoCloseable service = ServiceUnderTest.start(config);
                KafkaProducer<byte[], byte[]> producer =
                        TestClients.producer(broker.bootstrapServers(), null)) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            textById.forEach(
                    (id, text) ->
                            sent.add(
                                    producer.send(
                                            new ProducerRecord<>(
                                                    input,
                                                    Outputs.utf8(id),
                                                    Outputs.textEvent(input, id, text)))));
            producer.flush();
            TestClients.awaitAcks(sent);
            moderation =
                    TestClients.readAtLeast(
                            broker.bootstrapServers(),
                            config.topics().moderation(),
                            TEXTS.size(),
                            Duration.ofSeconds(90));
            embedding =
                    TestClients.readAtLeast(
                            broker.bootstrapServers(),
                            config.topics().embedding(),
                            TEXTS.size(),
                            Duration.ofSeconds(30));
        }
        assertEquals(TEXTS.size(), moderation.size(), "moderation events");
        assertEquals(TEXTS.size(), embedding.size(), "embedding events");

        // Reference 1: the encoder itself, one text at a time.
        Map<String, Expected> fromEncoder = new HashMap<>();
        try (Encoder encoder =
                Encoders.open(
                        ServiceUnderTest.tinyModel(),
                        EncoderOptions.defaults().withDevice("cpu").withThreads(1))) {
            List<String> labels = encoder.info().labels();
            for (var e : textById.entrySet()) {
                Prediction p = encoder.encode(List.of(encoder.tokenize(e.getValue()))).get(0);
                Map<String, Double> scores = new HashMap<>();
                for (int i = 0; i < labels.size(); i++)
                    scores.put(labels.get(i), (double) p.scores()[i]);
                fromEncoder.put(
                        e.getKey(), new Expected(p.label(), p.tokens(), scores, p.embedding()));
            }
        }
        // Reference 2: `streambert infer` over the same texts as JSONL.
        Map<String, Expected> fromInfer = runInfer(textById, work);

        for (Map<String, Expected> expected : List.of(fromEncoder, fromInfer)) {
            for (ConsumerRecord<byte[], byte[]> r : moderation) {
                ModerationEvent ev = Outputs.moderation(r);
                Expected x = expected.get(ev.getId());
                assertTrue(x != null, "unexpected id " + ev.getId());
                assertEquals(ev.getId(), new String(r.key(), StandardCharsets.UTF_8), "key kept");
                assertEquals(x.label(), ev.getLabel(), "label of " + ev.getId());
                assertEquals(x.tokens(), ev.getTokens(), "tokens of " + ev.getId());
                assertEquals(
                        x.scores().keySet(),
                        ev.getScores().keySet(),
                        "score labels of " + ev.getId());
                x.scores()
                        .forEach(
                                (label, score) ->
                                        assertEquals(
                                                score,
                                                ev.getScores().get(label),
                                                TOLERANCE,
                                                ev.getId() + " score " + label));
            }
            for (ConsumerRecord<byte[], byte[]> r : embedding) {
                EmbeddingEvent ev = Outputs.embedding(r);
                Expected x = expected.get(ev.getId());
                assertTrue(x != null, "unexpected id " + ev.getId());
                assertEquals(x.embedding().length, ev.getDim(), "dim of " + ev.getId());
                assertEquals(
                        x.embedding().length,
                        ev.getVector().size(),
                        "vector length of " + ev.getId());
                for (int i = 0; i < x.embedding().length; i++) {
                    assertEquals(
                            x.embedding()[i],
                            ev.getVector().get(i),
                            TOLERANCE,
                            ev.getId() + " embedding[" + i + "]");
                }
            }
        }
        assertEquals(
                textById.keySet(),
                Outputs.idCounts(
                                moderation.stream()
                                        .map(r -> Outputs.moderation(r).getId())
                                        .toList())
                        .keySet());
        assertEquals(
                textById.keySet(),
                Outputs.idCounts(embedding.stream().map(r -> Outputs.embedding(r).getId()).toList())
                        .keySet());
    }

    record Expected(String label, int tokens, Map<String, Double> scores, float[] embedding) {}

    private static Map<String, Expected> runInfer(Map<String, String> textById, Path work)
            throws Exception {
        ObjectMapper json = new ObjectMapper();
        Path in = work.resolve("infer-in.jsonl");
        Path out = work.resolve("infer-out.jsonl");
        List<String> lines = new ArrayList<>();
        for (var e : textById.entrySet()) {
            lines.add(json.writeValueAsString(Map.of("id", e.getKey(), "text", e.getValue())));
        }
        Files.write(in, lines, StandardCharsets.UTF_8);
        int exit =
                StreamBertCli.execute(
                        "infer",
                        "--model",
                        ServiceUnderTest.tinyModel().toString(),
                        "--input",
                        in.toString(),
                        "--output",
                        out.toString(),
                        "--device",
                        "cpu",
                        "--threads",
                        "1");
        assertEquals(0, exit, "streambert infer exit code");
        Map<String, Expected> result = new HashMap<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            JsonNode n = json.readTree(line);
            assertTrue(!n.has("error"), "infer failed on a line: " + line);
            Map<String, Double> scores = new HashMap<>();
            n.get("scores")
                    .properties()
                    .forEach(f -> scores.put(f.getKey(), f.getValue().asDouble()));
            float[] emb = new float[n.get("embedding").size()];
            for (int i = 0; i < emb.length; i++)
                emb[i] = (float) n.get("embedding").get(i).asDouble();
            result.put(
                    n.get("id").asText(),
                    new Expected(n.get("label").asText(), n.get("tokens").asInt(), scores, emb));
        }
        assertEquals(textById.keySet(), result.keySet(), "infer output ids");
        return result;
    }
}
