package io.streambert.gpu.cpu;

import java.util.stream.IntStream;

/**
 * Splits the rows of a row-wise operation over the common fork-join pool (both cores here). Each row is
 * computed by the same code whichever chunk holds it, so results never depend on how a batch is split.
 */
final class RowChunks {
    /** Below this many elements a task is not worth forking. */
    static final long MIN_ELEMENTS_PER_TASK = 1 << 15;

    interface Body {
        void rows(int from, int to);
    }

    private RowChunks() {}

    static void run(int rows, long elementsPerRow, Body body) {
        int workers = Math.max(1, Runtime.getRuntime().availableProcessors());
        long total = rows * Math.max(1, elementsPerRow);
        int chunks = (int) Math.min(Math.min(rows, workers * 4L), Math.max(1, total / MIN_ELEMENTS_PER_TASK));
        if (chunks <= 1) {
            body.rows(0, rows);
            return;
        }
        IntStream.range(0, chunks).parallel().forEach(c -> body.rows((int) ((long) rows * c / chunks), (int) ((long) rows * (c + 1) / chunks)));
    }
}
