package io.streambert.gpu.kernels;

import io.streambert.gpu.device.Device;
import io.streambert.gpu.device.DeviceBuffer;
import io.streambert.gpu.device.TestDevices;
import java.util.ArrayList;
import java.util.List;

/**
 * Buffers for one kernel-test case on a shared test device (TestDevices); closes them all at the
 * end.
 */
final class Dev implements AutoCloseable {
    final Device device;

    /** On the shared device named {@code deviceName} ("emulated", "cuda"). */
    Dev(String deviceName) {
        this.device = TestDevices.shared(deviceName);
    }

    private final List<DeviceBuffer> owned = new ArrayList<>();

    DeviceBuffer alloc(long bytes) {
        DeviceBuffer b = device.alloc(Math.max(4, bytes));
        owned.add(b);
        return b;
    }

    DeviceBuffer bf16(float[] x) {
        DeviceBuffer b = alloc(2L * x.length);
        device.uploadBf16(x, b);
        return b;
    }

    DeviceBuffer f32(float[] x) {
        DeviceBuffer b = alloc(4L * x.length);
        device.upload(x, b);
        return b;
    }

    DeviceBuffer i32(int[] x) {
        DeviceBuffer b = alloc(4L * x.length);
        device.upload(x, b);
        return b;
    }

    /**
     * Sentinel value of the output buffers from {@link #bf16Output}: an element the kernel forgot
     * keeps it.
     */
    static final float SENTINEL =
            12288f; // 1.5 * 2^13: exact in bf16; no output of these tests comes near it

    static final int GUARD = 64;

    /** A bf16 output buffer of n values plus GUARD values past its end, all set to SENTINEL. */
    DeviceBuffer bf16Output(int n) {
        float[] fill = new float[n + GUARD];
        java.util.Arrays.fill(fill, SENTINEL);
        return bf16(fill);
    }

    /**
     * The n outputs of a {@link #bf16Output} buffer, after checking the kernel wrote nothing past
     * them.
     */
    float[] readBf16Output(DeviceBuffer b, int n, String what) {
        float[] all = readBf16(b, n + GUARD);
        for (int i = n; i < n + GUARD; i++) {
            if (all[i] != SENTINEL)
                throw new AssertionError(
                        what + ": wrote past its output (element " + i + " of " + n + ")");
        }
        return java.util.Arrays.copyOf(all, n);
    }

    float[] readBf16(DeviceBuffer b, int n) {
        float[] x = new float[n];
        device.downloadBf16(b, x);
        return x;
    }

    float[] readF32(DeviceBuffer b, int n) {
        float[] x = new float[n];
        device.download(b, x);
        return x;
    }

    int[] readI32(DeviceBuffer b, int n) {
        int[] x = new int[n];
        device.download(b, x);
        return x;
    }

    @Override
    public void close() {
        for (DeviceBuffer b : owned) b.close();
    }
}
