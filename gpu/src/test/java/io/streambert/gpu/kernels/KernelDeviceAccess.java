package io.streambert.gpu.kernels;

/** For the acceptance run (another package): resets the kernel tests' shared device between steps. */
public final class KernelDeviceAccess {
    private KernelDeviceAccess() {}

    public static void reset() { KernelDevice.reset(); }
}
