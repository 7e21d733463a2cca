package io.streambert.gpu.kernels;

import io.streambert.gpu.device.Device;
import io.streambert.gpu.device.DeviceBuffer;
import io.streambert.gpu.device.Dim3;
import io.streambert.gpu.device.KernelArgs;

/**
 * Launches sb_pooling.cu: per-sequence pooling, L2 normalisation and the classification head's
 * elementwise parts.
 */
public final class PoolingLaunch {
    private PoolingLaunch() {}

    /**
     * Most threads a pooling block may have: sb_pooling.cu's SB_POOL_MAX_THREADS (TileConstantsTest
     * checks both).
     */
    public static final int SB_POOL_MAX_THREADS = 1024;

    /** How a sequence becomes one vector: the kernel's mode argument. */
    public enum Mode {
        MEAN(0),
        CLS(1);
        final int code;

        Mode(int code) {
            this.code = code;
        }
    }

    /**
     * pooled [batch, dim] fp32 from hidden [tokens, dim] bf16. Block = {@code columns} x {@code
     * tokenLanes} threads: each column's tokens are split over tokenLanes partial sums (added in a
     * fixed order, so results do not depend on timing); grid = (ceil(dim / columns), batch).
     */
    public static void pool(
            Device device,
            int columns,
            int tokenLanes,
            SequenceTiles seqs,
            DeviceBuffer hidden,
            DeviceBuffer pooled,
            DeviceBuffer cuSeqlens,
            int dim,
            Mode mode) {
        KernelArgs.require(
                columns >= 1
                        && tokenLanes >= 1
                        && columns * tokenLanes <= SB_POOL_MAX_THREADS
                        && (columns * tokenLanes) % 32 == 0,
                "pooling block "
                        + columns
                        + " x "
                        + tokenLanes
                        + " must be a multiple of 32 threads, at most "
                        + SB_POOL_MAX_THREADS);
        if (seqs.batch() == 0) return;
        Dim3 grid = Dim3.of((dim + columns - 1) / columns, seqs.batch());
        device.launch(
                "sb_pool",
                grid,
                Dim3.of(columns, tokenLanes),
                0,
                hidden,
                pooled,
                cuSeqlens,
                dim,
                mode.code);
    }

    /** x [rows, dim] fp32 /= max(||row||, eps), in place. */
    public static void l2Normalize(
            Device device, WarpPerRow shape, DeviceBuffer x, int rows, int dim, float eps) {
        if (rows == 0) return;
        device.launch("sb_l2_normalize", shape.grid(rows), shape.block(), 0, x, rows, dim, eps);
    }

    /** x [rows, n] fp32 = gelu_erf(x + bias), in place; bias [n] nullable. */
    public static void biasGelu(
            Device device, GridStride shape, DeviceBuffer x, DeviceBuffer bias, int rows, int n) {
        if ((long) rows * n == 0) return;
        device.launch(
                "sb_bias_gelu",
                shape.grid((long) rows * n),
                shape.block(),
                0,
                LayerNormLaunch.withOptional(
                        new Object[] {x}, KernelArgs.optional(bias, x), rows, n));
    }

    /** x [rows, n] fp32 = softmax(x + bias) per row, in place; bias [n] nullable. */
    public static void softmaxRows(
            Device device, WarpPerRow shape, DeviceBuffer x, DeviceBuffer bias, int rows, int n) {
        if (rows == 0) return;
        device.launch(
                "sb_softmax_rows",
                shape.grid(rows),
                shape.block(),
                0,
                LayerNormLaunch.withOptional(
                        new Object[] {x}, KernelArgs.optional(bias, x), rows, n));
    }

    /** x [rows, n] fp32 = sigmoid(x + bias), in place; bias [n] nullable. */
    public static void sigmoid(
            Device device, GridStride shape, DeviceBuffer x, DeviceBuffer bias, int rows, int n) {
        if ((long) rows * n == 0) return;
        device.launch(
                "sb_sigmoid",
                shape.grid((long) rows * n),
                shape.block(),
                0,
                LayerNormLaunch.withOptional(
                        new Object[] {x}, KernelArgs.optional(bias, x), rows, n));
    }
}
