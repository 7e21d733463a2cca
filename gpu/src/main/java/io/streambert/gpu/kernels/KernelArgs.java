package io.streambert.gpu.kernels;

import io.streambert.gpu.device.DeviceBuffer;

/** Helpers for kernel argument lists. */
final class KernelArgs {
    private KernelArgs() {}

    /** A nullable pointer parameter: the buffer, or a 64-bit zero (a null device pointer, same size as a pointer). */
    static Object pointerOrNull(DeviceBuffer b) {
        return b != null ? b : (Object) Long.valueOf(0L);
    }

    static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }
}
