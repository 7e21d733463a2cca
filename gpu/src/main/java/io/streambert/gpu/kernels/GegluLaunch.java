package io.streambert.gpu.kernels;

import io.streambert.gpu.device.Device;
import io.streambert.gpu.device.DeviceBuffer;
import io.streambert.gpu.device.Dim3;

/**
 * Launches sb_geglu: y [rows, inter] bf16 = gelu_erf(u[:, :inter]) * u[:, inter:], u [rows,
 * 2*inter] bf16. Grid: x covers a row's columns (8 per thread on the kernel's 16-byte path), y the
 * rows, together at most {@code shape.maxBlocks()} blocks; the kernel loops over whatever the grid
 * does not cover.
 */
public final class GegluLaunch {
    private GegluLaunch() {}

    public static void run(
            Device device, GridStride shape, DeviceBuffer u, DeviceBuffer y, int rows, int inter) {
        if ((long) rows * inter == 0) return;
        int perThread = inter % 8 == 0 ? 8 : 1;
        int x =
                (int)
                        Math.max(
                                1,
                                Math.min(
                                        shape.maxBlocks(),
                                        ((long) inter
                                                        + (long) perThread * shape.threadsPerBlock()
                                                        - 1)
                                                / ((long) perThread * shape.threadsPerBlock())));
        int yBlocks = Math.max(1, Math.min(Math.min(rows, 65535), shape.maxBlocks() / x));
        device.launch("sb_geglu", Dim3.of(x, yBlocks), shape.block(), 0, u, y, rows, inter);
    }
}
