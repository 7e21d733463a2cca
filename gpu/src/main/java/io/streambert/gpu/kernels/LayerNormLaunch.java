package io.streambert.gpu.kernels;

import io.streambert.gpu.device.Device;
import io.streambert.gpu.device.DeviceBuffer;
import io.streambert.gpu.device.KernelArgs;

/**
 * Launches the LayerNorm family of sb_layernorm.cu, one warp per row. Dtypes: residual stream x
 * fp32, y (a GEMM's output) bf16, out (a GEMM's input) bf16, weight/bias fp32 (bias nullable),
 * embedding table bf16, ids int32.
 */
public final class LayerNormLaunch {
    private LayerNormLaunch() {}

    /** out [rows, dim] bf16 = LN(x [rows, dim] fp32). */
    public static void layerNorm(
            Device device,
            WarpPerRow shape,
            DeviceBuffer x,
            DeviceBuffer out,
            DeviceBuffer weight,
            DeviceBuffer bias,
            int rows,
            int dim,
            float eps) {
        if (rows == 0) return;
        device.launch(
                "sb_layernorm",
                shape.grid(rows),
                shape.block(),
                0,
                withOptional(
                        new Object[] {x, out, weight},
                        KernelArgs.optional(bias, weight),
                        rows,
                        dim,
                        eps));
    }

    /** x [rows, dim] fp32 += y [rows, dim] bf16; out bf16 = LN(x). */
    public static void addLayerNorm(
            Device device,
            WarpPerRow shape,
            DeviceBuffer x,
            DeviceBuffer y,
            DeviceBuffer out,
            DeviceBuffer weight,
            DeviceBuffer bias,
            int rows,
            int dim,
            float eps) {
        if (rows == 0) return;
        device.launch(
                "sb_add_layernorm",
                shape.grid(rows),
                shape.block(),
                0,
                withOptional(
                        new Object[] {x, y, out, weight},
                        KernelArgs.optional(bias, weight),
                        rows,
                        dim,
                        eps));
    }

    /** x [rows, dim] fp32 = LN(table [vocab, dim] bf16 [ids [rows]]); out = bf16(x). */
    public static void embedLayerNorm(
            Device device,
            WarpPerRow shape,
            DeviceBuffer ids,
            DeviceBuffer table,
            DeviceBuffer x,
            DeviceBuffer out,
            DeviceBuffer weight,
            DeviceBuffer bias,
            int rows,
            int dim,
            int vocab,
            float eps) {
        if (rows == 0) return;
        device.launch(
                "sb_embed_layernorm",
                shape.grid(rows),
                shape.block(),
                0,
                withOptional(
                        new Object[] {ids, table, x, out, weight},
                        KernelArgs.optional(bias, weight),
                        rows,
                        dim,
                        vocab,
                        eps));
    }

    /** before..., optional pointer, its flag, after... as one argument list. */
    static Object[] withOptional(Object[] before, Object[] optional, Object... after) {
        Object[] all = new Object[before.length + 2 + after.length];
        System.arraycopy(before, 0, all, 0, before.length);
        all[before.length] = optional[0];
        all[before.length + 1] = optional[1];
        System.arraycopy(after, 0, all, before.length + 2, after.length);
        return all;
    }
}
