package io.streambert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class TokenBatchesTest {

    @Test
    void cutsConsecutiveRunsWithinTheBudgetAndLetsALongSequenceGoAlone() {
        List<List<Integer>> b = TokenBatches.split(List.of(10, 20, 5, 40, 1, 1), n -> n, 32);
        assertEquals(List.of(List.of(10, 20), List.of(5), List.of(40), List.of(1, 1)), b);
        assertEquals(List.of(), TokenBatches.split(List.<Integer>of(), n -> n, 32));
    }

    @Test
    void attentionPairCountMatchesCountingThem() {
        for (int n : new int[] {1, 2, 7, 64, 129, 300}) {
            for (int w : new int[] {-1, 0, 3, 64, 500}) {
                long count = 0;
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++) if (w < 0 || Math.abs(i - j) <= w) count++;
                assertEquals((double) count, ModelFlops.pairs(n, w), 1e-9, "n=" + n + " w=" + w);
            }
        }
    }
}
