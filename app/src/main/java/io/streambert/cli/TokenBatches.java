package io.streambert.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Cuts a run of sequences into consecutive batches of at most {@code budget} tokens (a longer
 * sequence goes alone).
 */
final class TokenBatches {
    private TokenBatches() {}

    /**
     * Default token budget per encode call: big enough for efficient matrix products, small enough
     * for low latency.
     */
    static final int DEFAULT_BUDGET = 8192;

    static <T> List<List<T>> split(List<T> items, ToIntFunction<T> tokens, int budget) {
        List<List<T>> batches = new ArrayList<>();
        List<T> current = new ArrayList<>();
        long used = 0;
        for (T t : items) {
            int n = tokens.applyAsInt(t);
            if (!current.isEmpty() && used + n > budget) {
                batches.add(current);
                current = new ArrayList<>();
                used = 0;
            }
            current.add(t);
            used += n;
        }
        if (!current.isEmpty()) batches.add(current);
        return batches;
    }
}
