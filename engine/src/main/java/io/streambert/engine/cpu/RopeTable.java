package io.streambert.engine.cpu;

/**
 * cos/sin of RoPE's angles pos * theta^(-2i/headDim), [positions, headDim/2], computed in double.
 * Built lazily: at first only up to {@value #INITIAL_POSITIONS} positions (or the limit, if
 * smaller), then grown by doubling up to {@code maxPositions} when a longer sequence arrives
 * ({@link #ensure}). A config's max_position_embeddings of millions thus costs nothing until such
 * sequences are run, and the sizes are computed in long arithmetic, so no value can overflow them.
 */
public final class RopeTable {
    /** Positions built up front: ModernBERT's context, a few MiB at most. */
    public static final int INITIAL_POSITIONS = 8192;

    private final double theta;
    private final int headDim;
    private final int half;
    private final int maxPositions;
    private volatile Tables tables;

    private record Tables(int positions, float[] cos, float[] sin) {}

    private RopeTable(double theta, int headDim, int maxPositions) {
        if (headDim < 2 || headDim % 2 != 0)
            throw new IllegalArgumentException("RoPE needs an even head dim, got " + headDim);
        if (maxPositions < 1)
            throw new IllegalArgumentException(
                    "RoPE positions must be positive, got " + maxPositions);
        this.theta = theta;
        this.headDim = headDim;
        this.half = headDim / 2;
        this.maxPositions = maxPositions;
        this.tables = build(Math.min(maxPositions, INITIAL_POSITIONS));
    }

    /**
     * A table for up to {@code maxPositions} positions; only the first {@value #INITIAL_POSITIONS}
     * are built now.
     */
    public static RopeTable of(double theta, int headDim, int maxPositions) {
        return new RopeTable(theta, headDim, maxPositions);
    }

    private Tables build(int positions) {
        long n = (long) positions * half;
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "a RoPE table of "
                            + positions
                            + " positions x "
                            + half
                            + " does not fit one array");
        }
        float[] c = new float[(int) n], s = new float[(int) n];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p / Math.pow(theta, (2.0 * i) / headDim);
                c[p * half + i] = (float) Math.cos(angle);
                s[p * half + i] = (float) Math.sin(angle);
            }
        }
        return new Tables(positions, c, s);
    }

    /**
     * Makes the table cover positions 0..{@code positions}-1 (at most {@link #limit()}), growing it
     * by doubling.
     */
    public void ensure(int positions) {
        if (positions <= tables.positions()) return;
        if (positions > maxPositions) {
            throw new IllegalArgumentException(
                    "a sequence of "
                            + positions
                            + " tokens exceeds the RoPE limit of "
                            + maxPositions
                            + " positions");
        }
        synchronized (this) {
            if (positions <= tables.positions()) return;
            long grown = Math.max((long) positions, 2L * tables.positions());
            tables = build((int) Math.min(grown, maxPositions));
        }
    }

    public float cos(int pos, int i) {
        return tables.cos()[pos * half + i];
    }

    public float sin(int pos, int i) {
        return tables.sin()[pos * half + i];
    }

    /** Positions built so far (the tables' rows); at most {@link #limit()}. */
    public int maxPositions() {
        return tables.positions();
    }

    /** Positions the table may grow to. */
    public int limit() {
        return maxPositions;
    }

    /**
     * Row-major [maxPositions(), headDim/2] tables, for vector loops that read a position's row at
     * once and for the device, which uploads them as the RoPE kernel's tables (the caller must not
     * modify them). Call {@link #ensure} first for the longest sequence; the arrays are replaced,
     * not changed, when the table grows.
     */
    public float[] cosTable() {
        return tables.cos();
    }

    public float[] sinTable() {
        return tables.sin();
    }

    int half() {
        return half;
    }
}
