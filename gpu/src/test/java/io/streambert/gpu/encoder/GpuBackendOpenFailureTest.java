package io.streambert.gpu.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.engine.DeviceException;
import io.streambert.engine.EncoderOptions;
import io.streambert.engine.TestModels;
import io.streambert.gpu.device.Device;
import io.streambert.gpu.device.DeviceBuffer;
import io.streambert.gpu.device.Dim3;
import io.streambert.gpu.device.EmulatedDevice;
import org.junit.jupiter.api.Test;

/**
 * GpuBackend.open releases the device (on a GPU: the CUDA context) whatever fails while opening,
 * Errors included.
 */
class GpuBackendOpenFailureTest {

    /**
     * The emulated device, with its {@code failAt}-th allocation throwing {@code failure}; counts
     * close().
     */
    static final class FailingDevice implements Device {
        final EmulatedDevice inner = new EmulatedDevice();
        final int failAt;
        final Throwable failure;
        int allocs, closes;

        FailingDevice(int failAt, Throwable failure) {
            this.failAt = failAt;
            this.failure = failure;
        }

        @Override
        public String name() {
            return "failing-emulated";
        }

        @Override
        public DeviceBuffer alloc(long bytes) {
            if (++allocs == failAt) {
                if (failure instanceof Error e) throw e;
                throw (RuntimeException) failure;
            }
            return inner.alloc(bytes);
        }

        @Override
        public void upload(float[] src, DeviceBuffer dst) {
            inner.upload(src, dst);
        }

        @Override
        public void uploadBf16(float[] src, DeviceBuffer dst) {
            inner.uploadBf16(src, dst);
        }

        @Override
        public void upload(int[] src, DeviceBuffer dst) {
            inner.upload(src, dst);
        }

        @Override
        public void download(DeviceBuffer src, float[] dst) {
            inner.download(src, dst);
        }

        @Override
        public void downloadBf16(DeviceBuffer src, float[] dst) {
            inner.downloadBf16(src, dst);
        }

        @Override
        public void download(DeviceBuffer src, int[] dst) {
            inner.download(src, dst);
        }

        @Override
        public void launch(String kernel, Dim3 grid, Dim3 block, int shared, Object... args) {
            inner.launch(kernel, grid, block, shared, args);
        }

        @Override
        public void synchronize() {
            inner.synchronize();
        }

        @Override
        public void close() {
            closes++;
            inner.close();
        }
    }

    @Test
    void anErrorWhileOpeningClosesTheDeviceAndPropagates() {
        UnsatisfiedLinkError boom =
                new UnsatisfiedLinkError("simulated: libcublas.so.12 not found");
        FailingDevice d = new FailingDevice(3, boom);
        Throwable t =
                assertThrows(
                        UnsatisfiedLinkError.class,
                        () -> GpuBackend.open(TestModels.tinyA(), EncoderOptions.defaults(), d));
        assertSame(boom, t);
        assertEquals(1, d.closes);
    }

    @Test
    void anOutOfMemoryErrorToo() {
        FailingDevice d = new FailingDevice(1, new OutOfMemoryError("simulated"));
        assertThrows(
                OutOfMemoryError.class,
                () -> GpuBackend.open(TestModels.tinyA(), EncoderOptions.defaults(), d));
        assertEquals(1, d.closes);
    }

    @Test
    void aDeviceExceptionAsBefore() {
        FailingDevice d =
                new FailingDevice(2, new DeviceException("cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY"));
        DeviceException e =
                assertThrows(
                        DeviceException.class,
                        () -> GpuBackend.open(TestModels.tinyA(), EncoderOptions.defaults(), d));
        assertTrue(e.getMessage().contains("OUT_OF_MEMORY"));
        assertEquals(1, d.closes);
    }
}
