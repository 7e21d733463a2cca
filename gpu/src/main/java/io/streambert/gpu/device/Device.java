package io.streambert.gpu.device;

import io.streambert.engine.DeviceException;

/**
 * The one narrow backend seam the GPU encoder and the kernel tests talk to: device memory and
 * kernel launches by name, the way cuLaunchKernel sees them. {@code CudaDevice} drives a real GPU
 * through JCuda (the kernels come from the fatbin); {@code EmulatedDevice} runs the very same .cu
 * sources, compiled with g++ against our SIMT emulation header, on the CPU through the FFM API.
 *
 * <p>Kernel arguments, in the kernel's parameter order: {@link DeviceBuffer} (a device pointer,
 * optionally at a byte offset via {@link DeviceBuffer#slice}), {@link Integer} (int), {@link Long}
 * (long long / size_t), {@link Float} (float). Nothing else.
 */
public interface Device extends AutoCloseable {

    /** "cuda:0", "emulated", ... as logged and reported in {@code ModelInfo.device}. */
    String name();

    /** Uninitialised device memory of {@code bytes} bytes. */
    DeviceBuffer alloc(long bytes);

    void upload(float[] src, DeviceBuffer dst);

    /** Rounds each value to bf16 (round to nearest even) and stores 2 bytes per value. */
    void uploadBf16(float[] src, DeviceBuffer dst);

    void upload(int[] src, DeviceBuffer dst);

    void download(DeviceBuffer src, float[] dst);

    /** Reads 2-byte bf16 values and widens them to float. */
    void downloadBf16(DeviceBuffer src, float[] dst);

    void download(DeviceBuffer src, int[] dst);

    /**
     * Launches {@code kernel} (its extern "C" name) on {@code grid} x {@code block} threads with
     * {@code dynamicSharedBytes} of extern shared memory. Asynchronous on a real GPU; errors
     * surface here or at {@link #synchronize()} as {@link DeviceException} naming the kernel.
     */
    void launch(String kernel, Dim3 grid, Dim3 block, int dynamicSharedBytes, Object... args);

    /**
     * A second stream for uploads from pinned host memory, ordered against this device's own stream
     * by events (see {@link UploadStream} for the rules). Default, for devices without one: uploads
     * copy at once and events are complete.
     */
    default UploadStream uploadStream() {
        return new ImmediateUploadStream(this);
    }

    /** Waits for all launched work; throws {@link DeviceException} if any failed. */
    void synchronize();

    /**
     * A point in the device's work queue, for timing: {@link #elapsedMs} between two marks is the
     * device time of the work launched between them. Default (devices that run launches
     * synchronously): the host clock.
     */
    default Object mark() {
        synchronize();
        return System.nanoTime();
    }

    /** Milliseconds between two marks of this device (waits for the later one). */
    default double elapsedMs(Object from, Object to) {
        return ((Long) to - (Long) from) / 1e6;
    }

    @Override
    void close();
}
