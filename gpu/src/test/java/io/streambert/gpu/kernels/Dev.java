package io.streambert.gpu.kernels;

import io.streambert.gpu.device.Device;
import io.streambert.gpu.device.DeviceBuffer;

import java.util.ArrayList;
import java.util.List;

/** Buffers for one kernel-test case on the shared emulated device; closes them all at the end. */
final class Dev implements AutoCloseable {
    final Device device = KernelDevice.shared();
    private final List<DeviceBuffer> owned = new ArrayList<>();

    DeviceBuffer alloc(long bytes) {
        DeviceBuffer b = device.alloc(Math.max(4, bytes));
        owned.add(b);
        return b;
    }

    DeviceBuffer bf16(float[] x) { DeviceBuffer b = alloc(2L * x.length); device.uploadBf16(x, b); return b; }

    DeviceBuffer f32(float[] x) { DeviceBuffer b = alloc(4L * x.length); device.upload(x, b); return b; }

    DeviceBuffer i32(int[] x) { DeviceBuffer b = alloc(4L * x.length); device.upload(x, b); return b; }

    float[] readBf16(DeviceBuffer b, int n) { float[] x = new float[n]; device.downloadBf16(b, x); return x; }

    float[] readF32(DeviceBuffer b, int n) { float[] x = new float[n]; device.download(b, x); return x; }

    int[] readI32(DeviceBuffer b, int n) { int[] x = new int[n]; device.download(b, x); return x; }

    @Override
    public void close() {
        for (DeviceBuffer b : owned) b.close();
    }
}
