package io.streambert.engine.bundled;

import static io.streambert.engine.TestModels.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streambert.engine.Encoder;
import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Encoders;
import io.streambert.engine.Prediction;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bundled trained model (models/mini-spam, made by training/) run by the Java CPU engine
 * against PyTorch's float64 outputs of the same F16 weights, stored beside it in reference.json by
 * training/train.py: the Java tokenizer gives PyTorch's ids (the recipe tokenizes in Python),
 * labels are equal, logits within 1e-3 and embeddings within 1e-4 -- one at a time and in one
 * packed batch.
 */
class MiniSpamEquivalenceTest {
    static final Path DIR = Path.of("..", "models", "mini-spam");
    static Encoder encoder;
    static List<JsonNode> cases;

    @BeforeAll
    static void open() throws IOException {
        encoder = Encoders.open(DIR, EncoderOptions.defaults().withDevice("cpu"));
        cases = new ArrayList<>();
        new ObjectMapper()
                .readTree(DIR.resolve("reference.json").toFile())
                .get("cases")
                .forEach(cases::add);
    }

    @AfterAll
    static void close() {
        if (encoder != null) encoder.close();
    }

    static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }

    static float[] floats(JsonNode a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = (float) a.get(i).asDouble();
        return out;
    }

    @Test
    void theSampleHoldsSpamAndHamAndLongEmails() {
        long spam = cases.stream().filter(c -> c.get("label").asText().equals("spam")).count();
        assertTrue(cases.size() >= 12, "cases: " + cases.size());
        assertTrue(
                spam >= 3 && cases.size() - spam >= 3,
                "PyTorch labels: " + spam + " spam of " + cases.size());
        assertTrue(
                cases.stream().anyMatch(c -> c.get("ids").size() == encoder.info().maxTokens()),
                "no case reaches the token limit, so truncation is not compared");
        assertEquals(List.of("ham", "spam"), encoder.info().labels());
    }

    @Test
    void javaTokenizerGivesPyTorchsIds() {
        for (JsonNode c : cases) {
            assertArrayEquals(
                    ints(c.get("ids")),
                    encoder.tokenize(c.get("text").asText()),
                    c.get("text").asText());
        }
    }

    @Test
    void javaTokenizerMatchesOnTwoHundredHeldOutEmails() throws IOException {
        JsonNode tc =
                new ObjectMapper()
                        .readTree(DIR.resolve("reference.json").toFile())
                        .get("tokenizer_cases");
        assertTrue(tc.size() >= 100, "tokenizer cases: " + tc.size());
        for (JsonNode c : tc)
            assertArrayEquals(
                    ints(c.get("ids")),
                    encoder.tokenize(c.get("text").asText()),
                    c.get("text").asText());
    }

    @Test
    void oneAtATime() {
        for (JsonNode c : cases) check(c, encoder.encode(List.of(ints(c.get("ids")))).getFirst());
    }

    @Test
    void allInOnePackedBatch() {
        List<int[]> batch = new ArrayList<>();
        for (JsonNode c : cases) batch.add(ints(c.get("ids")));
        List<Prediction> out = encoder.encode(batch);
        for (int i = 0; i < cases.size(); i++) check(cases.get(i), out.get(i));
    }

    static void check(JsonNode c, Prediction p) {
        String what = c.get("text").asText();
        what = what.substring(0, Math.min(60, what.length()));
        assertEquals(c.get("label").asText(), p.label(), what);
        float dl = maxAbsDiff(floats(c.get("logits")), p.logits());
        float de = maxAbsDiff(floats(c.get("embedding")), p.embedding());
        assertTrue(dl <= 1e-3f, what + ": |dlogits| " + dl);
        assertTrue(de <= 1e-4f, what + ": |dembedding| " + de);
    }
}
