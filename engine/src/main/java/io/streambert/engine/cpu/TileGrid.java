package io.streambert.engine.cpu;

/**
 * How the linear layers (fp32 {@link LinearKernel}, {@link Bf16Linear}, {@link Int8Linear}) split
 * their work over {@link CpuParallel}'s workers: one place for the split, so the three precisions
 * cannot drift apart.
 *
 * <ul>
 *   <li>{@link #forEachTile}: the output {@code rows x out} is cut into blocks of {@code rowBlock}
 *       rows (sized by the caller so a block of activations stays in L2) times ranges of weight
 *       panels; a task is one (row block, panel range). Enough tasks for the workers to balance
 *       (the cores may be shared), each long enough to amortise the hand-off.
 *   <li>{@link #forEachRowRange}: a row-wise preparation step (bf16 conversion, int8 quantisation
 *       of the activations) in contiguous row ranges.
 * </ul>
 *
 * Every output element is computed by the same code whichever task holds it, so results never
 * depend on the split (batch invariance).
 */
final class TileGrid {
    private TileGrid() {}

    /**
     * Below this many multiply-adds a layer runs on the calling thread: waking workers costs more.
     */
    static final long SERIAL_BELOW = 1 << 16;

    /** Rows {@code [r0, r1)} times weight panels {@code [p0, p1)}. */
    @FunctionalInterface
    interface Tile {
        void run(int r0, int r1, int p0, int p1) throws Throwable;
    }

    /** Rows {@code [from, to)}. */
    @FunctionalInterface
    interface RowRange {
        void run(int from, int to) throws Throwable;
    }

    /** Whether a {@code rows x in x out} layer is too small to be worth the workers. */
    static boolean serial(int rows, int in, int out) {
        return (long) rows * in * out < SERIAL_BELOW;
    }

    /** Runs {@code body} over every (row block, panel range) of a {@code rows x panels} grid. */
    static void forEachTile(int rows, int rowBlock, int panels, boolean serial, Tile body) {
        int rowBlocks = (rows + rowBlock - 1) / rowBlock;
        int wanted = 4 * CpuParallel.threads();
        int chunks =
                serial ? 1 : Math.min(panels, Math.max(1, (wanted + rowBlocks - 1) / rowBlocks));
        int tasks = rowBlocks * chunks;
        if (serial) {
            for (int t = 0; t < tasks; t++) tile(t, chunks, rows, rowBlock, panels, body);
            return;
        }
        CpuParallel.forEach(tasks, t -> tile(t, chunks, rows, rowBlock, panels, body));
    }

    private static void tile(int t, int chunks, int rows, int rowBlock, int panels, Tile body) {
        int rb = t / chunks, pc = t % chunks;
        int r0 = rb * rowBlock, r1 = Math.min(rows, r0 + rowBlock);
        int p0 = (int) ((long) panels * pc / chunks),
                p1 = (int) ((long) panels * (pc + 1) / chunks);
        try {
            body.run(r0, r1, p0, p1);
        } catch (Throwable e) {
            throw NativeCpu.rethrow(e);
        }
    }

    /** Runs {@code body} over {@code rows} in contiguous ranges, one per worker task. */
    static void forEachRowRange(int rows, boolean serial, RowRange body) {
        int chunks = serial ? 1 : Math.min(rows, 4 * CpuParallel.threads());
        CpuParallel.forEach(
                chunks,
                c -> {
                    int a = (int) ((long) rows * c / chunks),
                            e = (int) ((long) rows * (c + 1) / chunks);
                    if (e <= a) return;
                    try {
                        body.run(a, e);
                    } catch (Throwable t) {
                        throw NativeCpu.rethrow(t);
                    }
                });
    }
}
