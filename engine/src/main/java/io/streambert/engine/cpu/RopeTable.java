package io.streambert.engine.cpu;

/** cos/sin of RoPE's angles pos * theta^(-2i/headDim), [maxPositions, headDim/2], computed in double once. */
public final class RopeTable {
    private final int half;
    private final float[] cos;
    private final float[] sin;

    private RopeTable(int half, float[] cos, float[] sin) {
        this.half = half;
        this.cos = cos;
        this.sin = sin;
    }

    public static RopeTable of(double theta, int headDim, int maxPositions) {
        int half = headDim / 2;
        float[] c = new float[maxPositions * half], s = new float[maxPositions * half];
        for (int p = 0; p < maxPositions; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p / Math.pow(theta, (2.0 * i) / headDim);
                c[p * half + i] = (float) Math.cos(angle);
                s[p * half + i] = (float) Math.sin(angle);
            }
        }
        return new RopeTable(half, c, s);
    }

    public float cos(int pos, int i) { return cos[pos * half + i]; }
    public float sin(int pos, int i) { return sin[pos * half + i]; }
    public int maxPositions() { return cos.length / Math.max(1, half); }

    /**
     * Row-major [maxPositions, headDim/2] tables, for vector loops that read a position's row at once and for the
     * device, which uploads them as the RoPE kernel's tables (the caller must not modify them).
     */
    public float[] cosTable() { return cos; }
    public float[] sinTable() { return sin; }
    int half() { return half; }
}
