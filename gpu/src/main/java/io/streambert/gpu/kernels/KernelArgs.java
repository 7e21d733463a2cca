package io.streambert.gpu.kernels;

import io.streambert.gpu.device.DeviceBuffer;

/** Helpers for kernel argument lists. */
final class KernelArgs {
    private KernelArgs() {}

    /**
     * An optional pointer parameter as the kernels take it: the pointer, then an int flag (1 = use it). Device.launch
     * has no null pointer, so when {@code optional} is null a buffer the kernel will not read ({@code standIn})
     * takes its place and the flag is 0.
     */
    static Object[] optional(DeviceBuffer optional, DeviceBuffer standIn) {
        return new Object[] {optional != null ? optional : standIn, optional != null ? 1 : 0};
    }

    static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }
}
