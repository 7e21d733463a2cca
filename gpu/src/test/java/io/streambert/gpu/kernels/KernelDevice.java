package io.streambert.gpu.kernels;

import io.streambert.gpu.device.CudaDevice;
import io.streambert.gpu.device.Device;
import io.streambert.gpu.device.EmulatedDevice;

import java.util.ArrayList;
import java.util.List;

/**
 * The device the kernel sweeps run on, one per JVM: the first of {@code -Dstreambert.test.devices} (comma-separated,
 * "emulated" and/or "cuda"; default "emulated"). On "cuda" with no usable GPU the tests fail, saying why: asking for a
 * GPU and silently testing the emulator would pass for the wrong reason.
 */
final class KernelDevice {
    private KernelDevice() {}

    static final String PROPERTY = "streambert.test.devices";
    private static Device shared;

    static synchronized Device shared() {
        if (shared == null) shared = open(names().get(0));
        return shared;
    }

    static List<String> names() {
        List<String> out = new ArrayList<>();
        for (String s : System.getProperty(PROPERTY, "emulated").split(",")) if (!s.isBlank()) out.add(s.trim().toLowerCase());
        if (out.isEmpty()) out.add("emulated");
        return out;
    }

    static Device open(String name) {
        return switch (name) {
            case "emulated" -> new EmulatedDevice();
            case "cuda" -> CudaDevice.open(0);
            default -> throw new IllegalArgumentException(PROPERTY + ": unknown device " + name + " (emulated, cuda)");
        };
    }

    static boolean isEmulated() { return shared() instanceof EmulatedDevice; }

    /** Closes the shared device; the next test opens it again (e.g. after a property change). */
    static synchronized void reset() {
        if (shared != null) shared.close();
        shared = null;
    }
}
