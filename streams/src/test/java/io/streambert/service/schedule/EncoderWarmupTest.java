package io.streambert.service.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streambert.engine.Encoder;
import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Encoders;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class EncoderWarmupTest {
    private static final int CLS = 657,
            SEP = 658; // tiny-a's config.json cls_token_id / sep_token_id

    private static Encoder tinyA(int maxTokens) throws Exception {
        Path dir = Path.of(EncoderWarmupTest.class.getResource("/golden/tiny-a").toURI());
        return Encoders.open(
                dir, EncoderOptions.defaults().withDevice("cpu").withMaxTokens(maxTokens));
    }

    @Test
    void syntheticSequencesAreFramedByClsAndSepAndCappedByTheTokenLimit() throws Exception {
        try (Encoder e = tinyA(100)) {
            List<int[]> batch = EncoderWarmup.syntheticBatch(e);
            int[] lengths = batch.stream().mapToInt(s -> s.length).toArray();
            assertArrayEquals(new int[] {8, 16, 32, 64, 100, 100}, lengths);
            for (int[] s : batch) {
                assertEquals(CLS, s[0]);
                assertEquals(SEP, s[s.length - 1]);
                for (int i = 1; i < s.length - 1; i++) {
                    if (s[i] == CLS || s[i] == SEP)
                        throw new AssertionError("special token inside a warm-up sequence at " + i);
                }
            }
        }
    }

    @Test
    void warmUpRunsRealBatchesThroughTheEncoder() throws Exception {
        try (Encoder e = tinyA(0)) {
            int passes = EncoderWarmup.run(e);
            assertEquals(6, passes, "tiny-a warms up well inside the time limit");
        }
    }
}
