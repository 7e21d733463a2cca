package io.streambert.engine.cpu;

/**
 * Plain-loop reference of {@link Int8Linear#apply}: the same scheme (per-token symmetric activation
 * quantisation, the layer's own weight scales and quantised weights, int32 sums, one fused
 * multiply-add per output), with the obvious loops and no offsets, padding or packing.
 */
final class Int8LinearReference {
    private Int8LinearReference() {}

    static void linear(float[] x, int rows, Int8Linear w, float[] y) {
        int in = w.in(), out = w.out();
        int[] q = new int[in];
        for (int r = 0; r < rows; r++) {
            float amax = 0f;
            for (int i = 0; i < in; i++) amax = Math.max(amax, Math.abs(x[r * in + i]));
            float inv = amax > 0 ? 127f / amax : 0f;
            float sx = amax / 127f;
            for (int i = 0; i < in; i++) q[i] = (int) Math.rint(x[r * in + i] * inv);
            for (int o = 0; o < out; o++) {
                int acc = 0;
                for (int i = 0; i < in; i++) acc += q[i] * w.quantizedWeight(o, i);
                y[r * out + o] = Math.fma((float) acc, sx * w.weightScale(o), w.bias(o));
            }
        }
    }
}
