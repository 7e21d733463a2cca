package io.streambert.gpu.kernels;

import io.streambert.gpu.device.Device;
import io.streambert.gpu.device.EmulatedDevice;

/** The one emulated device the kernel sweeps share (the emulator library loads once per JVM). */
final class KernelDevice {
    private KernelDevice() {}

    private static Device shared;

    static synchronized Device shared() {
        if (shared == null) shared = new EmulatedDevice();
        return shared;
    }
}
