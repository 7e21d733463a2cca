package io.streambert.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Engine;
import io.streambert.engine.InputRejectedException;
import io.streambert.engine.TestModels;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * encode() refuses what it cannot run, naming the sequence and the reason; an empty batch is simply
 * empty.
 */
class InputValidationTest {
    static Engine encoder;

    @BeforeAll
    static void open() {
        encoder = CpuBackend.open(TestModels.tinyA(), EncoderOptions.defaults().withMaxTokens(40));
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    static String rejected(List<int[]> batch) {
        return assertThrows(InputRejectedException.class, () -> encoder.encode(batch)).getMessage();
    }

    @Test
    void emptyTooLongAndOutOfVocabulary() {
        int[] ok = {657, 100, 658};
        assertTrue(rejected(List.of(ok, new int[0])).contains("sequence 1 is empty"));
        int[] long41 = new int[41];
        Arrays.fill(long41, 5);
        String m = rejected(List.of(long41));
        assertTrue(m.contains("41 tokens") && m.contains("40"), m);
        assertTrue(
                rejected(List.of(ok, ok, new int[] {657, 704, 658}))
                        .contains("sequence 2: token id 704 at position 1"));
        assertTrue(rejected(List.of(new int[] {-1})).contains("token id -1"));
        assertEquals(List.of(), encoder.encode(List.of()));
        assertEquals(40, encoder.info().maxTokens());
        assertEquals(3, encoder.encode(List.of(ok)).getFirst().tokens());
    }

    @Test
    void batchTooLargeForOnePassIsRejectedUpFront() {
        int[] forty = new int[40];
        Arrays.fill(forty, 5);
        List<int[]> huge = java.util.Collections.nCopies(Integer.MAX_VALUE / 384 / 40 + 1, forty);
        assertTrue(rejected(huge).contains("too large for one pass"));
    }
}
