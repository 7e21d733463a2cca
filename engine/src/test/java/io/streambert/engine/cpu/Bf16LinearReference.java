package io.streambert.engine.cpu;

/**
 * Plain-loop reference of {@link Bf16Linear#apply}: inputs rounded to bf16 (ties to even), the
 * layer's bf16 weights, products summed in fp32 in input order, then the bias.
 */
final class Bf16LinearReference {
    private Bf16LinearReference() {}

    static void linear(float[] x, int rows, Bf16Linear w, float[] y) {
        int in = w.in(), out = w.out();
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                float acc = 0f;
                for (int i = 0; i < in; i++) acc += Bf16.round(x[r * in + i]) * w.weight(o, i);
                y[r * out + o] = acc + w.bias(o);
            }
        }
    }
}
