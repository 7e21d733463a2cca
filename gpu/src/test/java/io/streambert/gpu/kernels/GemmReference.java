package io.streambert.gpu.kernels;

import io.streambert.engine.model.Bf16;
import io.streambert.gpu.device.Gemm;

/**
 * Plain-loop reference of {@link Gemm} and of sb_gemm_bf16 (GemmLaunch's arguments; host arrays
 * instead of buffers): c[rows, out] (= or +=) a[rows, k] x w[out, k]^T (+ bias[out]).
 */
public final class GemmReference {
    private GemmReference() {}

    /**
     * The Gemm contract as the emulator's stand-in computes it: fp32 products and sums in k order,
     * the bias added in fp32, one rounding to bf16 when {@code output} is BF16; FP32_ADD adds that
     * fp32 value to c's old value (c += product + bias).
     */
    public static void run(
            float[] a,
            float[] w,
            float[] bias,
            float[] c,
            Gemm.Output output,
            int rows,
            int out,
            int k) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < out; j++) {
                float s = 0f;
                for (int i = 0; i < k; i++) s += a[r * k + i] * w[j * k + i];
                if (bias != null) s += bias[j];
                int at = r * out + j;
                c[at] =
                        switch (output) {
                            case BF16 -> Bf16.round(s);
                            case FP32 -> s;
                            case FP32_ADD -> c[at] + s;
                        };
            }
        }
    }

    /**
     * sb_gemm_bf16's math in a chosen precision. {@link Rounding#EXACT}: float64 sums; {@link
     * Rounding#NAIVE_BF16}: every product, every partial sum and the bias addition rounded to bf16,
     * as a naive bf16 kernel would keep them. A bf16 C is rounded once more (both modes), an fp32 C
     * keeps the value; {@code accumulate} adds c's old value.
     */
    static void run(
            float[] a,
            float[] w,
            float[] bias,
            float[] c,
            Gemm.Output output,
            boolean accumulate,
            int rows,
            int out,
            int k,
            Rounding rounding) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < out; j++) {
                double s = 0;
                for (int i = 0; i < k; i++)
                    s = rounding.keep(s + rounding.keep((double) a[r * k + i] * w[j * k + i]));
                if (bias != null) s = rounding.keep(s + bias[j]);
                if (accumulate || output == Gemm.Output.FP32_ADD)
                    s = rounding.keep(s + c[r * out + j]);
                c[r * out + j] = output == Gemm.Output.BF16 ? Bf16.round(s) : (float) s;
            }
        }
    }
}
