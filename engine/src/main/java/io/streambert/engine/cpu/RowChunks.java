package io.streambert.engine.cpu;

/**
 * Splits the rows of a row-wise operation over the kernels' workers ({@link CpuParallel}, so the
 * thread setting covers these operations too). Each row is computed by the same code whichever
 * chunk holds it, so results never depend on how a batch is split.
 */
final class RowChunks {
    /** Below this many elements a task is not worth forking. */
    static final long MIN_ELEMENTS_PER_TASK = 1 << 15;

    interface Body {
        void rows(int from, int to);
    }

    private RowChunks() {}

    static void run(int rows, long elementsPerRow, Body body) {
        int workers = Math.max(1, CpuParallel.threads());
        long total = rows * Math.max(1, elementsPerRow);
        int chunks =
                (int)
                        Math.min(
                                Math.min(rows, workers * 4L),
                                Math.max(1, total / MIN_ELEMENTS_PER_TASK));
        if (chunks <= 1) {
            body.rows(0, rows);
            return;
        }
        CpuParallel.forEach(
                chunks,
                c ->
                        body.rows(
                                (int) ((long) rows * c / chunks),
                                (int) ((long) rows * (c + 1) / chunks)));
    }
}
