package io.streambert.engine.cpu;

import static io.streambert.engine.TestModels.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Encoders;
import io.streambert.engine.Engine;
import io.streambert.engine.Prediction;
import io.streambert.engine.TestModels;
import io.streambert.engine.TestModels.Case;
import io.streambert.engine.model.SafeTensorsFile;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * tiny-a against the float64 reference: logits 1e-3, embedding 1e-4, hidden 1e-3, through text and
 * through ids.
 */
class GoldenTest {
    static Engine encoder;
    static SafeTensorsFile expected;
    static List<Case> cases;

    @BeforeAll
    static void open() {
        encoder =
                (Engine)
                        Encoders.open(
                                TestModels.tinyA(), EncoderOptions.defaults().withDevice("cpu"));
        expected = SafeTensorsFile.open(TestModels.tinyA().resolve("expected.safetensors"));
        cases = TestModels.cases();
    }

    @AfterAll
    static void close() {
        encoder.close();
        expected.close();
    }

    @Test
    void tokenizerGivesTheReferenceIds() {
        int texts = 0;
        for (Case c : cases) {
            if (c.text() == null) continue;
            texts++;
            assertArrayEquals(c.inputIds(), encoder.tokenize(c.text()), c.id());
        }
        assertTrue(texts >= 5, "cases with text: " + texts);
    }

    @Test
    void everyCaseOneAtATimeThroughIds() {
        for (Case c : cases)
            check(
                    c,
                    encoder.encode(List.of(c.inputIds())).getFirst(),
                    encoder.hiddenStates(List.of(c.inputIds())).getFirst());
    }

    @Test
    void everyCaseInOneBatchThroughText() {
        List<int[]> batch = new ArrayList<>();
        for (Case c : cases)
            batch.add(c.text() != null ? encoder.tokenize(c.text()) : c.inputIds());
        List<Prediction> out = encoder.encode(batch);
        List<float[]> hidden = encoder.hiddenStates(batch);
        assertEquals(cases.size(), out.size());
        for (int i = 0; i < cases.size(); i++) check(cases.get(i), out.get(i), hidden.get(i));
    }

    private static void check(Case c, Prediction p, float[] hidden) {
        assertEquals(c.inputIds().length, p.tokens(), c.id());
        assertTrue(
                maxAbsDiff(expected.readFloats(c.id() + ".hidden"), hidden) <= 1e-3,
                c.id() + " hidden");
        float dl = maxAbsDiff(expected.readFloats(c.id() + ".logits"), p.logits());
        assertTrue(dl <= 1e-3, c.id() + " logits off by " + dl);
        float de = maxAbsDiff(expected.readFloats(c.id() + ".embedding"), p.embedding());
        assertTrue(de <= 1e-4, c.id() + " embedding off by " + de);
        assertEquals(c.expectedLabel(), p.label(), c.id());
        float sum = 0;
        for (float s : p.scores()) sum += s;
        assertEquals(1f, sum, 1e-5, c.id() + " softmax scores sum");
    }
}
