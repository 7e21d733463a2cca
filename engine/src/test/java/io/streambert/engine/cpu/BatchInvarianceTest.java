package io.streambert.engine.cpu;

import static io.streambert.engine.TestModels.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Engine;
import io.streambert.engine.Prediction;
import io.streambert.engine.TestModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A sequence alone and the same sequence inside a mixed-length batch: same outputs within 1e-5. */
class BatchInvarianceTest {
    static Engine encoder;

    @BeforeAll
    static void open() {
        encoder = CpuBackend.open(TestModels.tinyA(), EncoderOptions.defaults());
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    static int[] randomIds(Random r, int len) {
        int[] ids = new int[len];
        for (int i = 0; i < len; i++) ids[i] = r.nextInt(656);
        ids[0] = 657;
        if (len > 1) ids[len - 1] = 658;
        return ids;
    }

    @Test
    void sequencesAloneEqualSequencesInAMixedBatch() {
        Random r = new Random(42);
        int[] lengths = {
            1, 2, 7, 8, 9, 17, 33, 64, 65, 129, 300, 3
        }; // around the window (16) and block-ish sizes
        List<int[]> batch = new ArrayList<>();
        for (int len : lengths) batch.add(randomIds(r, len));
        List<Prediction> together = encoder.encode(batch);
        List<float[]> hiddenTogether = encoder.hiddenStates(batch);
        List<int[]> reversed = new ArrayList<>(batch.reversed());
        List<Prediction> backwards = encoder.encode(reversed);
        for (int i = 0; i < batch.size(); i++) {
            Prediction alone = encoder.encode(List.of(batch.get(i))).getFirst();
            float[] hiddenAlone = encoder.hiddenStates(List.of(batch.get(i))).getFirst();
            Prediction in = together.get(i), rev = backwards.get(batch.size() - 1 - i);
            assertEquals(lengths[i], in.tokens());
            assertTrue(maxAbsDiff(hiddenAlone, hiddenTogether.get(i)) <= 1e-5, "hidden " + i);
            for (Prediction p : List.of(in, rev)) {
                assertTrue(maxAbsDiff(alone.logits(), p.logits()) <= 1e-5, "logits " + i);
                assertTrue(maxAbsDiff(alone.scores(), p.scores()) <= 1e-5, "scores " + i);
                assertTrue(maxAbsDiff(alone.embedding(), p.embedding()) <= 1e-5, "embedding " + i);
                assertEquals(alone.label(), p.label());
            }
        }
    }
}
