package io.streambert.gpu.kernels;

import io.streambert.gpu.device.Device;
import io.streambert.gpu.device.DeviceBuffer;

/** Launches sb_geglu: y [rows, inter] bf16 = gelu_erf(u[:, :inter]) * u[:, inter:], u [rows, 2*inter] bf16. */
public final class GegluLaunch {
    private GegluLaunch() {}

    public static void run(Device device, GridStride shape, DeviceBuffer u, DeviceBuffer y, int rows, int inter) {
        if ((long) rows * inter == 0) return;
        device.launch("sb_geglu", shape.grid((long) rows * inter), shape.block(), 0, u, y, rows, inter);
    }
}
