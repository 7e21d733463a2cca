package io.streambert.engine.cpu;

import static io.streambert.engine.TestModels.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Engine;
import io.streambert.engine.Prediction;
import io.streambert.engine.TestModels;
import io.streambert.engine.TestModels.Case;
import io.streambert.engine.model.SafeTensorsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * tiny-b (see its README): newer config layout only, head_dim 32, all biases, [CLS] pooling,
 * multi-label, BF16 weights; the engine was not developed against it. Same tolerances as tiny-a.
 */
class GoldenTinyBTest {
    @Test
    void everyCaseMatchesTheReference() {
        Path dir = TestModels.resource("tiny-b");
        List<Case> cases = TestModels.cases(dir);
        List<int[]> batch = new ArrayList<>();
        for (Case c : cases) batch.add(c.inputIds());
        try (Engine e = CpuBackend.open(dir, EncoderOptions.defaults());
                SafeTensorsFile expected =
                        SafeTensorsFile.open(dir.resolve("expected.safetensors"))) {
            assertTrue(e.info().multiLabel());
            assertEquals(List.of("insult", "threat", "spam", "offtopic"), e.info().labels());
            assertEquals(512, e.info().maxTokens());
            List<Prediction> out = e.encode(batch);
            List<float[]> hidden = e.hiddenStates(batch);
            for (int i = 0; i < cases.size(); i++) {
                String id = cases.get(i).id();
                Prediction p = out.get(i);
                assertTrue(
                        maxAbsDiff(expected.readFloats(id + ".hidden"), hidden.get(i)) <= 1e-3,
                        id + " hidden");
                float dl = maxAbsDiff(expected.readFloats(id + ".logits"), p.logits());
                assertTrue(dl <= 1e-3, id + " logits off by " + dl);
                float de = maxAbsDiff(expected.readFloats(id + ".embedding"), p.embedding());
                assertTrue(de <= 1e-4, id + " embedding off by " + de);
                for (int k = 0; k < 4; k++)
                    assertEquals(
                            1 / (1 + Math.exp(-p.logits()[k])),
                            p.scores()[k],
                            1e-6,
                            id + " sigmoid");
                Prediction alone = e.encode(List.of(batch.get(i))).getFirst();
                assertTrue(
                        maxAbsDiff(alone.logits(), p.logits()) <= 1e-5, id + " batch invariance");
            }
        }
    }
}
