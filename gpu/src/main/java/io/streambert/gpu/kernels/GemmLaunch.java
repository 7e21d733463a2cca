package io.streambert.gpu.kernels;

import io.streambert.gpu.device.Device;
import io.streambert.gpu.device.DeviceBuffer;
import io.streambert.gpu.device.Gemm;
import io.streambert.gpu.device.KernelArgs;

/**
 * Launches sb_gemm_bf16: C[rows, out] (=, or += for an fp32 C with {@code accumulate}) A[rows, k] x
 * W[out, k]^T (+ bias[out]); A, W bf16, fp32 products and sums, one rounding to C's type.
 */
public final class GemmLaunch {
    private GemmLaunch() {}

    public static void run(
            Device device,
            GemmTiling tiling,
            DeviceBuffer a,
            DeviceBuffer w,
            DeviceBuffer bias,
            DeviceBuffer c,
            Gemm.Output output,
            boolean accumulate,
            int rows,
            int out,
            int k) {
        Gemm.check(a, w, bias, c, output, rows, out, k);
        KernelArgs.require(
                !accumulate || output == Gemm.Output.FP32, "GEMM: accumulate needs an fp32 C");
        if (rows == 0) return;
        KernelArgs.require(
                (rows + tiling.bm() - 1) / tiling.bm() <= 65535,
                "GEMM: " + rows + " rows exceed the grid's y limit");
        Object[] b = KernelArgs.optional(bias, a);
        device.launch(
                "sb_gemm_bf16",
                tiling.grid(rows, out),
                tiling.block(),
                0,
                a,
                w,
                b[0],
                b[1],
                c,
                output == Gemm.Output.BF16 ? 1 : 0,
                accumulate ? 1 : 0,
                rows,
                out,
                k);
    }
}
