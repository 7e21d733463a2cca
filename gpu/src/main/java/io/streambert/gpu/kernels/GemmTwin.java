package io.streambert.gpu.kernels;

import io.streambert.gpu.device.Gemm;
import io.streambert.engine.model.Bf16;

/**
 * Plain-loop twin of {@link Gemm} (same argument order and shapes; host arrays instead of buffers):
 * c[rows, out] = a[rows, k] x w[out, k]^T (+ bias[out]), a and w holding bf16 values, products and sums in fp32
 * in k order, the bias added in fp32, one rounding to bf16 when {@code output} is BF16.
 */
public final class GemmTwin {
    private GemmTwin() {}

    public static void run(float[] a, float[] w, float[] bias, float[] c, Gemm.Output output, int rows, int out, int k) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < out; j++) {
                float s = 0f;
                for (int i = 0; i < k; i++) s += a[r * k + i] * w[j * k + i];
                if (bias != null) s += bias[j];
                c[r * out + j] = output == Gemm.Output.BF16 ? Bf16.round(s) : s;
            }
        }
    }
}
