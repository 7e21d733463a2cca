package io.streambert.gpu.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.engine.DeviceException;
import io.streambert.engine.EncoderOptions;
import io.streambert.engine.TestModels;
import io.streambert.gpu.device.DeviceBuffer;
import io.streambert.gpu.device.EmulatedDevice;
import io.streambert.gpu.device.ForwardingDevice;
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
    static final class FailingDevice extends ForwardingDevice {
        final int failAt;
        final Throwable failure;
        int allocs, closes;

        FailingDevice(int failAt, Throwable failure) {
            super(new EmulatedDevice());
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
            return super.alloc(bytes);
        }

        @Override
        public void close() {
            closes++;
            super.close();
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
