package io.streambert.gpu.kernels;

import io.streambert.gpu.device.Gemm;

/**
 * Plain-loop reference of sb_gemm_bf16 (GemmLaunch's arguments, host arrays instead of buffers):
 * c[r, j] (= or +=) sum_i a[r, i] w[j, i] (+ bias[j]). {@link Rounding#EXACT}: float64 sums; {@link Rounding#NAIVE_BF16}:
 * every product, every partial sum and the bias addition rounded to bf16, as a naive bf16 kernel would keep them.
 * Output: bf16 C is rounded once more (both modes), fp32 C keeps the value.
 */
final class GemmReference {
    private GemmReference() {}

    static void run(float[] a, float[] w, float[] bias, float[] c, Gemm.Output output, boolean accumulate,
                    int rows, int out, int k, Rounding rounding) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < out; j++) {
                double s = 0;
                for (int i = 0; i < k; i++) s = rounding.keep(s + rounding.keep((double) a[r * k + i] * w[j * k + i]));
                if (bias != null) s = rounding.keep(s + bias[j]);
                if (accumulate) s = rounding.keep(s + c[r * out + j]);
                c[r * out + j] = output == Gemm.Output.BF16 ? io.streambert.engine.model.Bf16.round(s) : (float) s;
            }
        }
    }
}
