package io.streambert.gpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.engine.DeviceException;
import io.streambert.gpu.device.Device;
import io.streambert.gpu.device.DeviceBuffer;
import io.streambert.gpu.device.Dim3;
import io.streambert.gpu.device.EmulatedDevice;
import io.streambert.gpu.device.EmulatedGemm;
import io.streambert.gpu.device.Gemm;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * --device auto's probe: a working device passes; any failure, Errors included, is a reason and
 * closes the device.
 */
class DeviceProbeTest {
    @Test
    void theEmulatorPassesWithBothGemms() {
        for (String g : new String[] {"host", "tiled"}) {
            var r = DeviceProbe.probe(EmulatedDevice::new, d -> GemmBackends.choose(d, g));
            assertTrue(r.usable(), r.failure());
            assertEquals("emulated", r.device().name());
        }
    }

    @Test
    void anErrorOpeningTheDeviceIsAReason() {
        var r =
                DeviceProbe.probe(
                        () -> {
                            throw new UnsatisfiedLinkError(
                                    "libJCudaDriver: libcuda.so.1 not found");
                        },
                        d -> null);
        assertFalse(r.usable());
        assertNull(r.device());
        assertTrue(
                r.failure().contains("opening the device failed")
                        && r.failure().contains("libcuda.so.1"),
                r.failure());
    }

    @Test
    void aGemmBackendErrorClosesTheDevice() {
        AtomicInteger closes = new AtomicInteger();
        var r =
                DeviceProbe.probe(
                        () -> new Closing(closes),
                        d -> {
                            throw new NoClassDefFoundError("jcuda/jcublas/JCublas2");
                        });
        assertFalse(r.usable());
        assertTrue(
                r.failure().contains("choosing the GEMM backend")
                        && r.failure().contains("JCublas2"),
                r.failure());
        assertEquals(1, closes.get());
    }

    @Test
    void aWrongGemmIsCaught() {
        AtomicInteger closes = new AtomicInteger();
        var r =
                DeviceProbe.probe(
                        () -> new Closing(closes),
                        d ->
                                new GemmBackends.Choice(
                                        new Gemm() {
                                            @Override
                                            public void run(
                                                    DeviceBuffer a,
                                                    DeviceBuffer w,
                                                    DeviceBuffer bias,
                                                    DeviceBuffer c,
                                                    Output output,
                                                    int rows,
                                                    int out,
                                                    int k) {
                                                new EmulatedGemm(
                                                                (EmulatedDevice)
                                                                        ((Closing) d).inner)
                                                        .run(
                                                                a, w, null, c, output, rows, out,
                                                                k); // forgets the bias
                                            }
                                        },
                                        "test"));
        assertFalse(r.usable());
        assertTrue(r.failure().contains("test product"), r.failure());
        assertEquals(1, closes.get());
    }

    @Test
    void aGemmThatOverwritesInsteadOfAddingIsCaught() {
        AtomicInteger closes = new AtomicInteger();
        var r =
                DeviceProbe.probe(
                        () -> new Closing(closes),
                        d ->
                                new GemmBackends.Choice(
                                        new Gemm() {
                                            @Override
                                            public void run(
                                                    DeviceBuffer a,
                                                    DeviceBuffer w,
                                                    DeviceBuffer bias,
                                                    DeviceBuffer c,
                                                    Output output,
                                                    int rows,
                                                    int out,
                                                    int k) {
                                                // beta = 0 where the residual needs beta = 1
                                                new EmulatedGemm(
                                                                (EmulatedDevice)
                                                                        ((Closing) d).inner)
                                                        .run(
                                                                a,
                                                                w,
                                                                bias,
                                                                c,
                                                                output == Output.FP32_ADD
                                                                        ? Output.FP32
                                                                        : output,
                                                                rows,
                                                                out,
                                                                k);
                                            }
                                        },
                                        "test"));
        assertFalse(r.usable());
        assertTrue(r.failure().contains("test product added to C"), r.failure());
        assertEquals(1, closes.get());
    }

    @Test
    void aLaunchThatFailsIsAReason() {
        AtomicInteger closes = new AtomicInteger();
        var r =
                DeviceProbe.probe(
                        () ->
                                new Closing(closes) {
                                    @Override
                                    public void launch(
                                            String kernel,
                                            Dim3 grid,
                                            Dim3 block,
                                            int shared,
                                            Object... args) {
                                        throw new DeviceException(
                                                "kernel "
                                                        + kernel
                                                        + ": CUDA_ERROR_NO_BINARY_FOR_GPU");
                                    }
                                },
                        d -> GemmBackends.choose(d, "tiled"));
        assertFalse(r.usable());
        assertTrue(
                r.failure().contains("test launch") && r.failure().contains("NO_BINARY"),
                r.failure());
        assertEquals(1, closes.get());
    }

    /** The emulated device, counting close(). */
    static class Closing implements Device {
        final Device inner = new EmulatedDevice();
        final AtomicInteger closes;

        Closing(AtomicInteger closes) {
            this.closes = closes;
        }

        @Override
        public String name() {
            return "closing-emulated";
        }

        @Override
        public DeviceBuffer alloc(long bytes) {
            return inner.alloc(bytes);
        }

        @Override
        public void upload(float[] s, DeviceBuffer d) {
            inner.upload(s, d);
        }

        @Override
        public void uploadBf16(float[] s, DeviceBuffer d) {
            inner.uploadBf16(s, d);
        }

        @Override
        public void upload(int[] s, DeviceBuffer d) {
            inner.upload(s, d);
        }

        @Override
        public void download(DeviceBuffer s, float[] d) {
            inner.download(s, d);
        }

        @Override
        public void downloadBf16(DeviceBuffer s, float[] d) {
            inner.downloadBf16(s, d);
        }

        @Override
        public void download(DeviceBuffer s, int[] d) {
            inner.download(s, d);
        }

        @Override
        public void launch(String k, Dim3 g, Dim3 b, int s, Object... a) {
            inner.launch(k, g, b, s, a);
        }

        @Override
        public void synchronize() {
            inner.synchronize();
        }

        @Override
        public void close() {
            closes.incrementAndGet();
            inner.close();
        }
    }
}
