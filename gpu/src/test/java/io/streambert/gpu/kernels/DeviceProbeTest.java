package io.streambert.gpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.streambert.engine.DeviceException;
import io.streambert.gpu.device.DeviceBuffer;
import io.streambert.gpu.device.Dim3;
import io.streambert.gpu.device.EmulatedDevice;
import io.streambert.gpu.device.EmulatedGemm;
import io.streambert.gpu.device.ForwardingDevice;
import io.streambert.gpu.device.Gemm;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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
        assertRejected(r, closes, "choosing the GEMM backend", "JCublas2");
    }

    /**
     * The two ways a GEMM backend can get the product wrong that the probe must catch: each runs
     * the emulated GEMM with its bias or its output mode changed.
     */
    static Stream<Arguments> wrongGemms() {
        UnaryOperator<DeviceBuffer> noBias = bias -> null;
        UnaryOperator<Gemm.Output> overwrite = // beta = 0 where the residual needs beta = 1
                output -> output == Gemm.Output.FP32_ADD ? Gemm.Output.FP32 : output;
        return Stream.of(
                arguments(
                        named("forgets the bias", noBias),
                        UnaryOperator.<Gemm.Output>identity(),
                        "test product"),
                arguments(
                        named(
                                "overwrites instead of adding",
                                UnaryOperator.<DeviceBuffer>identity()),
                        overwrite,
                        "test product added to C"));
    }

    @ParameterizedTest(name = "a GEMM that {0} is caught")
    @MethodSource("wrongGemms")
    void aWrongGemmIsCaught(
            UnaryOperator<DeviceBuffer> bias, UnaryOperator<Gemm.Output> output, String failure) {
        AtomicInteger closes = new AtomicInteger();
        var r =
                DeviceProbe.probe(
                        () -> new Closing(closes),
                        d -> {
                            Gemm emulated =
                                    new EmulatedGemm((EmulatedDevice) ((Closing) d).inner());
                            Gemm wrong =
                                    (a, w, b, c, o, rows, out, k) ->
                                            emulated.run(
                                                    a,
                                                    w,
                                                    bias.apply(b),
                                                    c,
                                                    output.apply(o),
                                                    rows,
                                                    out,
                                                    k);
                            return new GemmBackends.Choice(wrong, "test");
                        });
        assertRejected(r, closes, failure);
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
        assertRejected(r, closes, "test launch", "NO_BINARY");
    }

    /**
     * The probe found the device unusable, with a failure naming each of {@code reasons}, and
     * closed it once.
     */
    private static void assertRejected(
            DeviceProbe.Result r, AtomicInteger closes, String... reasons) {
        assertFalse(r.usable());
        for (String reason : reasons) assertTrue(r.failure().contains(reason), r.failure());
        assertEquals(1, closes.get());
    }

    /** The emulated device, counting close(). */
    static class Closing extends ForwardingDevice {
        final AtomicInteger closes;

        Closing(AtomicInteger closes) {
            super(new EmulatedDevice());
            this.closes = closes;
        }

        @Override
        public String name() {
            return "closing-emulated";
        }

        @Override
        public void close() {
            closes.incrementAndGet();
            super.close();
        }
    }
}
