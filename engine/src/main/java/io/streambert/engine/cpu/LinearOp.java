package io.streambert.engine.cpu;

/**
 * One linear layer y[rows, out] = x[rows, in] W^T + b, ready to run in some precision: fp32 ({@link
 * PackedLinear} through {@link CpuKernels#linear}), int8 ({@link Int8Linear}) or bf16 ({@link
 * Bf16Linear}).
 */
public interface LinearOp {
    int out();

    int in();

    /** x [rows, in] (at least), y [rows, out] (at least). */
    void apply(float[] x, int rows, float[] y);

    /** Builds a layer from W [out, in] (row-major, as in the checkpoint) and its bias (or null). */
    @FunctionalInterface
    interface Factory {
        LinearOp make(float[] w, float[] b, int out, int in);
    }

    /** The fp32 Java kernel on weights packed once. */
    static LinearOp fp32(PackedLinear p) {
        return new LinearOp() {
            @Override
            public int out() {
                return p.out();
            }

            @Override
            public int in() {
                return p.in();
            }

            @Override
            public void apply(float[] x, int rows, float[] y) {
                CpuKernels.linear(x, rows, p, y);
            }
        };
    }
}
