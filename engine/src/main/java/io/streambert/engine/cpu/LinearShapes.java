package io.streambert.engine.cpu;

/**
 * The shape contract every linear layer ({@code y[rows, out] = x[rows, in] W^T + b}) checks, in
 * every precision (fp32 {@link PackedLinear}/{@link LinearKernel}, {@link Bf16Linear}, {@link
 * Int8Linear}), with the same messages.
 */
final class LinearShapes {
    private LinearShapes() {}

    /** W [out, in] row-major and bias [out] (or null), before packing. */
    static void checkWeights(float[] w, float[] bias, int out, int in) {
        if (out <= 0 || in <= 0)
            throw new IllegalArgumentException(
                    "linear layer needs positive sizes, got " + out + "x" + in);
        if (w.length != (long) out * in)
            throw new IllegalArgumentException(
                    "weight has " + w.length + " values, expected " + out + "x" + in);
        if (bias != null && bias.length != out)
            throw new IllegalArgumentException(
                    "bias has " + bias.length + " values, expected " + out);
    }

    /** x [rows, in] and y [rows, out] at least, before a product. */
    static void checkActivations(float[] x, int rows, int in, float[] y, int out) {
        if (rows < 0) throw new IllegalArgumentException("rows " + rows);
        if (x.length < (long) rows * in)
            throw new IllegalArgumentException(
                    "x has " + x.length + " values, expected at least " + rows + "x" + in);
        if (y.length < (long) rows * out)
            throw new IllegalArgumentException(
                    "y has " + y.length + " values, expected at least " + rows + "x" + out);
    }
}
